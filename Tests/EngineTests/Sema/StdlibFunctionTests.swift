import Testing

@testable import Engine

/// Type errors of upstream's standard-library functions, each at the offending argument or call.
extension BuiltinFunctionTests {
  @Test func builtinsCalledAsFunctionsAndBuiltinSpellings() {
    #expect(
      errors("BEGIN { @a = nsecs(); @b = __builtin_pid; @c = comm(); @d = pid() + tid(); @e = ncpus; @f = ncpus(); }")
        == "compiled")
    #expect(
      errors("BEGIN { @a = nsecs(monotonic); @b = nsecs(boot); @c = nsecs(tai); @d = nsecs(sw_tai); }") == "compiled")
    expectError(
      "BEGIN { @ = nsecs(realtime); }", "Invalid timestamp mode: expected one of monotonic, boot, tai, sw_tai",
      at: "realtime")
    expectError("BEGIN { @ = nsecs(boot, 1); }", "nsecs() requires 0 to 1 argument (2 provided)", at: "nsecs(boot, 1)")
  }

  @Test func bswapAndStrlen() {
    #expect(
      errors("BEGIN { @a = bswap(1); @b = bswap((int16)1); @c = strlen(comm); @d = strlen(\"ab\"); }") == "compiled")
    expectError(
      #"BEGIN { @ = bswap("x"); }"#, "bswap() only supports integer arguments ('string[2]' provided)", at: #""x""#)
    expectError("BEGIN { @ = bswap(); }", "bswap() requires 1 argument (0 provided)", at: "bswap()")
    expectError(
      "BEGIN { @ = strlen(1); }", "strlen() expects a string, a char array or a char pointer ('int64' provided)",
      at: "1")
  }

  @Test func ptonAndSignalName() {
    #expect(errors(#"BEGIN { printf("%s %s\n", ntop(pton("10.0.0.1")), ntop(pton("fe80::1"))); }"#) == "compiled")
    expectError(
      #"BEGIN { $a = pton("nonsense"); }"#, "pton() expects an IPv4 or IPv6 address literal ('nonsense' is neither)",
      at: #""nonsense""#)
    expectError(#"BEGIN { $s = "1.2.3.4"; $a = pton($s); }"#, "pton() expects a string literal", at: "$s")
    expectError(
      #"BEGIN { print(signal_name("x")); }"#, "signal_name() only supports integer arguments ('string[2]' provided)",
      at: #""x""#)
  }

  @Test func assertNeedsAConditionAndAMessage() {
    #expect(errors(#"BEGIN { assert(pid > 0, "no pid"); $m = "x"; assert(1, $m); }"#) == "compiled")
    expectError(
      #"BEGIN { assert(comm, "x"); }"#, "assert() expects a condition ('string[16]' provided)", at: "comm")
    expectError("BEGIN { assert(1, 2); }", "assert() only supports string arguments ('int64' provided)", at: "2")
    expectError("BEGIN { assert(1); }", "assert() requires 2 arguments (1 provided)", at: "assert(1)")
  }

  @Test func commOfAPidNeedsABTFTypedProgram() {
    expectError(
      "BEGIN { print(comm(1)); }", "Syntax comm(PID) is not supported in this probe type yet. Type: BEGIN",
      at: "comm(1)")
    expectError(
      #"BEGIN { print(comm("x")); }"#, "comm() only supports integer arguments ('string[2]' provided)", at: #""x""#)
  }

  @Test func taskAccessorsNeedATask() {
    expectError(
      "BEGIN { @ = ppid(1); }", "Can not access field 'real_parent' on type 'int64': it is not a pointer to a struct",
      at: "ppid(1)")
  }

  @Test func kernelMemoryFunctions() {
    expectError(
      "BEGIN { @ = percpu_kaddr(1); }", "percpu_kaddr() expects a string literal ('int64' provided)", at: "1")
    expectError(
      #"BEGIN { @ = percpu_kaddr("x", comm); }"#,
      "percpu_kaddr() only supports integer arguments ('string[16]' provided)", at: "comm")
    expectError(
      #"BEGIN { @ = percpu_kaddr("no_such_variable"); }"#, #"Could not resolve variable "no_such_variable" from BTF"#,
      at: #""no_such_variable""#)
    expectError(
      #"t:syscalls:sys_exit_read { write_user(1, "x", 1); }"#,
      "write_user() is unsafe. To use you need the --unsafe flag",
      at: #"write_user(1, "x", 1)"#)
    #expect(errors(#"t:syscalls:sys_exit_read { @ok = write_user(1, "x", 1); }"#, unsafe: true) == "compiled")
    expectError("BEGIN { override(1); }", "override() can only be used in kprobe probes", at: "override(1)")
  }

  @Test func pathSocketCookieAndUnwatch() {
    expectError(
      "BEGIN { print(path(1)); }", "The path function can only be used with 'fentry', 'fexit' and 'iter' probes",
      at: "path(1)")
    expectError(
      "t:syscalls:sys_exit_read { @ = socket_cookie(1); }",
      "socket_cookie() expects a 'struct sock *' argument ('int64' provided)", at: "1")
    expectError(
      "BEGIN { unwatch(1); }",
      "unwatch() removes watchpoints, and bpfrepl has no watchpoint probes (this machine has no hardware breakpoints)",
      at: "unwatch(1)")
  }

  @Test func debugfTakesThreeValues() {
    #expect(errors(#"BEGIN { debugf("%d %s %x", 1, "a", 2); }"#) == "compiled")
    expectError(
      #"BEGIN { debugf("%d %d %d %d", 1, 2, 3, 4); }"#,
      "debugf() takes at most 3 arguments after the format (4 provided)",
      at: #"debugf("%d %d %d %d", 1, 2, 3, 4)"#)
    expectError(
      #"BEGIN { debugf("%s", comm); }"#, "debugf() prints integers and string literals ('string[16]' provided)",
      at: "comm")
  }

  @Test func lenOfStacks() {
    #expect(errors("t:syscalls:sys_exit_read { @a = len(kstack); @b = len(ustack(5)); }") == "compiled")
    expectError("BEGIN { @ = len(1); }", "len() expects a map, a kstack or a ustack ('int64' provided)", at: "1")
  }

  /// getopt() with the words after `--` as the positional parameter list carries them.
  func withOptions(_ text: String, _ words: [String]) -> String {
    let file = SourceFile(name: "stdin", text: text)
    do {
      _ = try Compiler.compile(
        try ProgramParser.parse(file), resources: resources(), resolver: UprobeResolver(), positionalParameters: words)
      return "compiled"
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "\(error)"
    }
  }

  @Test func getoptValuesAndErrors() {
    #expect(
      withOptions(#"BEGIN { @a = getopt("a", 1); @b = getopt("b"); @c = getopt("c", "x", "C"); }"#, []) == "compiled")
    #expect(withOptions(#"BEGIN { @a = getopt("a", 1); }"#, ["--a=0x10", "pos"]) == "compiled")
    #expect(
      withOptions(#"BEGIN { @a = getopt("a", 1); }"#, ["--a=x"]).contains(
        "ERROR: program command line option --a invalid integer (value: x)"))
    #expect(
      withOptions(#"BEGIN { @b = getopt("b"); }"#, ["--b=maybe"]).contains(
        "ERROR: program command line option --b invalid boolean (value: maybe)"))
    #expect(
      withOptions(#"BEGIN { @a = getopt("a", 1); }"#, ["--zz"])
        == "ERROR: unexpected program command line options: --zz\nHINT: expected program options: --a\n")
    #expect(
      withOptions(#"BEGIN { @a = getopt("a", comm); }"#, []).contains(
        "ERROR: getopt() default value must be a boolean, integer or string literal"))
    #expect(withOptions(#"BEGIN { @a = getopt(1); }"#, []).contains("ERROR: getopt() takes an option name"))
    #expect(
      withOptions(#"BEGIN { @a = getopt("a", 1, "the a"); @b = getopt("b"); }"#, ["--help"])
        == "HINT: expected program options:\n--a: the a\n--b\n")
    #expect(withOptions("BEGIN { }", ["--help"]) == "HINT: no custom program options defined.\n")
  }

  @Test func programOptionsSplitFromPositionalWords() {
    let (positional, named) = ProgramOptions.split(["pos1", "--aa=20", "--dd", "pos2", "--cc=a=b"])
    #expect(positional == ["pos1", "pos2"])
    #expect(named["aa"] == .some("20"))
    #expect(named["dd"] == .some(nil))
    #expect(named["cc"] == .some("a=b"))
  }

  @Test func signalNamesFollowStrsignal() {
    #expect(SymbolText.signalText(2) == "Interrupt")
    #expect(SymbolText.signalText(0) == "Unknown signal 0")
    #expect(SymbolText.signalText(34) == "Real-time signal 0")
    #expect(SymbolText.signalText(65) == "N/A")
    #expect(SymbolText.signalText(-1) == "N/A")
  }

  @Test func stringIndexingAndUnrollBounds() {
    #expect(errors(#"BEGIN { $a = "foo"; @c = $a[0]; }"#) == "compiled")
    expectError(
      #"BEGIN { $a = "foo"; $i = 1; @c = $a[$i]; }"#,
      "Indexing a string needs a constant index (a runtime index is not supported yet)", at: "$i")
    expectError(#"BEGIN { $a = "foo"; @c = $a[4]; }"#, "Index 4 is out of bounds for a string of 4 bytes", at: "4")
    expectError("BEGIN { unroll (101) { @a++; } }", "unroll maximum value is 100", at: "101")
    expectError("BEGIN { unroll (0) { @a++; } }", "unroll minimum value is 1", at: "0")
  }

  @Test func compileTimeHelpersAndRegisters() {
    #expect(
      errors(#"BEGIN { @a = is_str(comm); @b = probetype; @c = has_cpid; @d = default_str_length(); }"#) == "compiled")
    expectError("BEGIN { @ = is_str(); }", "is_str() requires 1 argument (0 provided)", at: "is_str()")
    expectError("BEGIN { @ = kfunc_exist(1); }", "kfunc_exist() expects a string literal ('int64' provided)", at: "1")
    expectError(
      #"BEGIN { @ = strstr(comm, 1); }"#, "strstr() only supports string arguments ('int64' provided)", at: "1")
    expectError(
      #"BEGIN { print(syscall_name("x")); }"#, "syscall_name() only supports integer arguments ('string[2]' provided)",
      at: #""x""#)
    expectError(
      #"BEGIN { @ = reg("ip"); }"#, "reg can only be used with kprobe, uprobe and usdt probes", at: #"reg("ip")"#)
    expectError(#"uprobe:/bin/sh:main { @ = reg("xx"); }"#, "'xx' is not a valid register", at: #""xx""#)
    #expect(errors(#"uprobe:/bin/sh:main { @a = reg("ip"); @b = uptr(arg0); }"#) == "compiled")
    expectError(#"BEGIN { @ = kptr("x"); }"#, "kptr() expects an integer or pointer argument", at: #""x""#)
  }

  @Test func strConcatStrcapAndMemcmpErrors() {
    #expect(
      errors(#"BEGIN { @a = str_concat(comm, "x"); @b = strcap(comm); @c = memcmp(comm, comm, 16); }"#) == "compiled")
    expectError(
      "BEGIN { @ = strcap(1); }", "strcap() expects a string, a char array or a char pointer ('int64' provided)",
      at: "1")
    expectError(
      #"BEGIN { @ = str_concat("a", 1); }"#, "str_concat() only supports string arguments ('int64' provided)", at: "1")
    expectError(
      #"BEGIN { @ = memcmp("a", "b", 5); }"#, "memcmp() count 5 is larger than the values (2 bytes)", at: "5")
    expectError(
      #"BEGIN { $n = 1; @ = memcmp("a", "b", $n); }"#, "memcmp() needs a non-negative literal count", at: "$n")
  }

  @Test func staticAssertIsDecidedAtCompileTime() {
    #expect(
      errors(#"BEGIN { static_assert(is_str(comm), "a string"); static_assert(1 + 0 == 1 || 0, "x"); }"#) == "compiled")
    expectError(
      #"BEGIN { static_assert(is_integer(comm), "comm is no integer"); }"#, "static_assert failed: comm is no integer",
      at: #"static_assert(is_integer(comm), "comm is no integer")"#)
    expectError(
      #"BEGIN { static_assert(pid > 0, "y"); }"#, "static_assert() needs a condition known at compile time",
      at: "pid > 0")
  }

  @Test func ternaryTuplesUnifyStringSizes() {
    #expect(
      TypeChecker.unifiedTuple(
        .tuple([.string(size: 13), .string(size: 2)]), .tuple([.string(size: 2), .string(size: 13)]))
        == .tuple([.string(size: 13), .string(size: 13)]))
    #expect(TypeChecker.unifiedTuple(.tuple([.int64]), .tuple([.string(size: 2)])) == nil)
    expectError(
      #"BEGIN { $a = pid ? (1, "a") : ("b", 2); }"#, "Ternary operator branches have different types",
      at: #"pid ? (1, "a") : ("b", 2)"#)
  }

  @Test func failIsACompileTimeErrorWhereVisited() {
    let program = #"BEGIN { if ($1 < 2) { fail("want more than 1, got %d (%s)", $1, "x"); } }"#
    #expect(withOptions(program, ["5"]) == "compiled")
    #expect(withOptions(program, ["1"]).contains("ERROR: want more than 1, got 1 (x)"))
    expectError(#"BEGIN { fail("always"); }"#, "always", at: #"fail("always")"#)
    expectError(#"BEGIN { if (pid) { fail("%d", pid); } }"#, "fail() arguments must be literals", at: "pid")
  }
}
