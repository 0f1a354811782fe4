import Foundation
import Testing

@testable import Engine

/// A resolver with a uprobe target on top of FixedResolver's (BEGIN, tracepoint, interval).
final class UprobeResolver: ProbeResolver {
  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard ap.provider == "uprobe" else { return try FixedResolver().expand(ap) }
    var ctx = ProbeContext(kind: .kprobe, provider: "uprobe")
    ctx.hasRegisterArguments = true
    ctx.isUserSpace = true
    ctx.binaryPath = "/bin/sh"
    return [
      ProbeTarget(
        name: "uprobe:/bin/sh:main",
        spec: .uprobe(path: "/bin/sh", symbol: "main", offset: 0, isReturn: false, pid: nil), context: ctx)
    ]
  }
}

/// Type errors of the builtin functions: each is reported at the offending argument.
@Suite struct BuiltinFunctionTests {
  /// Compile-time lookups answered without the machine's /proc/kallsyms.
  func resources(unsafe: Bool = false) -> CompileResources {
    let r = CompileResources()
    r.environment.unsafe = unsafe
    r.types = FixedTypes()
    r.environment.kernelSymbolAddress = { $0 == "avenrun" ? 0xffff_ffff_8200_0000 : nil }
    return r
  }

  /// The rendered diagnostics, or "compiled".
  func errors(_ text: String, unsafe: Bool = false) -> String {
    let file = SourceFile(name: "stdin", text: text)
    do {
      _ = try Compiler.compile(
        try ProgramParser.parse(file), resources: resources(unsafe: unsafe), resolver: UprobeResolver())
      return "compiled"
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "\(error)"
    }
  }

  /// Asserts the program fails with `message` underlining exactly the last `underlined`.
  func expectError(
    _ program: String, _ message: String, at underlined: String, unsafe: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let out = errors(program, unsafe: unsafe)
    #expect(out.contains("ERROR: " + message), "got: \(out)", sourceLocation: sourceLocation)
    guard let start = program.range(of: underlined, options: .backwards)?.lowerBound else {
      Issue.record("\(underlined) is not in the program", sourceLocation: sourceLocation)
      return
    }
    let column = program.distance(from: program.startIndex, to: start)
    let marks = String(repeating: " ", count: column) + String(repeating: "~", count: underlined.count)
    #expect(out.contains("\n" + marks + "\n"), "got: \(out)", sourceLocation: sourceLocation)
  }

  @Test func symbolFunctions() {
    expectError(
      #"BEGIN { print(ksym("x")); }"#, "ksym() expects an integer or pointer argument ('string[2]' provided)",
      at: #""x""#)
    expectError("BEGIN { print(usym(comm)); }", "usym() expects an integer or pointer argument", at: "comm")
    expectError("BEGIN { print(ksym()); }", "ksym() requires 1 argument (0 provided)", at: "ksym()")
    expectError("BEGIN { @ = kaddr(1); }", "kaddr() expects a string literal ('int64' provided)", at: "1")
    expectError(
      #"BEGIN { @ = kaddr("no_such_symbol"); }"#, "Failed to resolve kernel symbol: no_such_symbol",
      at: #""no_such_symbol""#)
    #expect(errors(#"BEGIN { @ = kaddr("avenrun"); printf("%s\n", ksym(kaddr("avenrun"))); }"#) == "compiled")
  }

  @Test func uaddrNeedsAUserSpaceProbe() {
    expectError(
      #"BEGIN { @ = uaddr("main"); }"#,
      "uaddr can only be used with uprobe, uretprobe and usdt probes (BEGIN used here)", at: #"uaddr("main")"#)
    expectError(
      #"uprobe:/bin/sh:main { @ = uaddr("no_such_symbol_here"); }"#,
      "Could not resolve symbol: /bin/sh:no_such_symbol_here", at: #""no_such_symbol_here""#)
  }

  @Test func cgroupid() {
    expectError("BEGIN { @ = cgroupid(1); }", "cgroupid() expects a string literal", at: "1")
    expectError(
      #"BEGIN { @ = cgroupid("/no/such/cgroup"); }"#,
      #"Failed to get `cgroupid` for path: "/no/such/cgroup": No such file or directory"#,
      at: #""/no/such/cgroup""#)
  }

  @Test func sizeofAndOffsetof() {
    #expect(
      errors("BEGIN { @a = sizeof(uint32); @b = sizeof(comm); @c = sizeof(int64[4]); @d = sizeof(struct task); }")
        == "compiled")
    #expect(errors("BEGIN { @a = offsetof(struct task, comm); @b = offsetof(struct task, parent); }") == "compiled")
    expectError(
      "BEGIN { @ = sizeof(struct no_such_struct_xyz); }", "Unknown struct/union: 'struct no_such_struct_xyz'",
      at: "struct no_such_struct_xyz")
    expectError(
      "BEGIN { @ = offsetof(struct task, no_such_field); }", "'struct task' has no field named 'no_such_field'",
      at: "no_such_field")
    expectError("BEGIN { @ = offsetof(struct task, pid.x); }", "'int32' is not a C type.", at: "pid.x")
    expectError(
      "BEGIN { @ = offsetof(comm, x); }", "offsetof() needs a struct or union value ('string[16]' given)", at: "comm")
  }

  @Test func stringComparisons() {
    expectError(
      #"BEGIN { @ = strncmp("a", 7, 1); }"#, "strncmp() only supports string arguments ('int64' provided)", at: "7")
    expectError(
      #"BEGIN { $n = 2; @ = strncmp("a", "b", $n); }"#, "Builtin strncmp requires a non-negative literal", at: "$n")
    #expect(errors(#"BEGIN { $s = "x"; @ = strcontains(comm, $s); }"#) == "compiled")
    expectError(
      #"BEGIN { @ = strcontains(1, "a"); }"#, "strcontains() only supports string arguments ('int64' provided)", at: "1"
    )
  }

  @Test func buffers() {
    expectError("BEGIN { print(buf(1)); }", "buf() expects a length argument for non-array type 'int64'", at: "buf(1)")
    expectError(
      "BEGIN { print(buf(comm)); }", "buf() expects a length argument for non-array type 'string[16]'", at: "buf(comm)")
    #expect(
      errors("t:syscalls:sys_exit_read { print(buf(args->ret, 8)); $a = (1, 2); print(buf(comm, 4)); }") == "compiled")
    expectError("BEGIN { print(buf(1, -1)); }", "buf() cannot use negative length (-1)", at: "-1")
    expectError(
      "BEGIN { print(buf(1, comm)); }", "buf() only supports integer arguments ('string[16]' provided)", at: "comm")
    expectError(
      #"BEGIN { print(macaddr("abcdef")); }"#, "macaddr() does not support literal string arguments", at: #""abcdef""#)
    expectError(
      #"BEGIN { $s = "abc"; print(macaddr($s)); }"#, "macaddr() argument must be at least 6 bytes in size", at: "$s")
  }

  @Test func userSpaceFormattedValues() {
    expectError(
      #"BEGIN { print(strerror("x")); }"#, "strerror() only supports integer arguments ('string[2]' provided)",
      at: #""x""#)
    expectError(
      "BEGIN { print(strftime(1, nsecs)); }", "strftime() expects a string literal ('int64' provided)", at: "1")
    expectError(#"BEGIN { print(strftime("%H", -1)); }"#, "strftime() does not accept negative timestamps", at: "-1")
    expectError(#"BEGIN { print(strftime("%H", comm)); }"#, "strftime() only supports integer arguments", at: "comm")
  }

  @Test func systemNeedsUnsafe() {
    expectError(
      #"BEGIN { system("ls"); }"#, "system() is an unsafe function being used in safe mode", at: #"system("ls")"#)
    #expect(errors(#"BEGIN { system("echo %d", 1); }"#, unsafe: true) == "compiled")
    expectError(
      #"BEGIN { system("echo %d %d", 1); }"#, "system: Expected 2 arguments for the format string but got 1",
      at: #"system("echo %d %d", 1)"#, unsafe: true)
    expectError(#"BEGIN { cat(comm); }"#, "cat() expects a string literal ('string[16]' provided)", at: "comm")
  }

  @Test func signalRules() {
    expectError(
      "BEGIN { signal(9); }", "signal() can not be used for this probetype BEGIN", at: "signal(9)", unsafe: true)
    expectError(
      "t:syscalls:sys_exit_read { signal(9); }", "signal() is unsafe. To use you need the --unsafe flag",
      at: "signal(9)")
    expectError(
      #"t:syscalls:sys_exit_read { signal("SIGNOPE"); }"#, "Invalid string for signal: SIGNOPE", at: #""SIGNOPE""#,
      unsafe: true)
    expectError(
      "t:syscalls:sys_exit_read { signal(65); }",
      "signal() accepts a string literal or an integer between 1 and 64 (inclusive)", at: "65", unsafe: true)
    expectError(
      "t:syscalls:sys_exit_read { signal(comm); }", "signal() accepts a string literal or an integer", at: "comm",
      unsafe: true)
    #expect(errors(#"t:syscalls:sys_exit_read { signal("usr1"); signal(args->ret); }"#, unsafe: true) == "compiled")
  }

  @Test func lenOfAMapCompilesButNotOfAHistogram() {
    #expect(errors("BEGIN { @m[1] = 1; @n = len(@m); }") == "compiled")
    expectError("BEGIN { @h[1] = hist(5); @n = len(@h); }", "len() cannot count the keys of a hist_t map", at: "len(@h)")
  }

  @Test func signalNames() {
    #expect(SignalNames.number("SIGKILL") == 9)
    #expect(SignalNames.number("usr1") == 10)
    #expect(SignalNames.number("TERM") == 15)
    #expect(SignalNames.number("") == nil)
  }
}
