import Testing

@testable import Engine

extension SyntaxTests {
  @Suite struct ParserTopLevelTests {
    @Test func probeWithPredicate() {
      #expect(
        SyntaxTests.tree(
          "tracepoint:syscalls:sys_enter_openat /comm == \"cat\"/ { printf(\"%s\\n\", str(args.filename)); }")
            == """
            Program
             tracepoint:syscalls:sys_enter_openat
              predicate
               ==
                builtin: comm
                string: cat
              call: printf
               string: %s\\n
               call: str
                .filename
                 builtin: args

            """)
    }

    @Test func predicateSlashesAndDivision() {
      #expect(SyntaxTests.body("kprobe:f /100/25/ { 1 }") == "predicate\n /\n  int: 100\n  int: 25\nint: 1")
      #expect(SyntaxTests.body("kprobe:f / @x / { 1 }") == "predicate\n map: @x\nint: 1")
      #expect(SyntaxTests.body("BEGIN/$1/{}") == "predicate\n param: $1")
      #expect(SyntaxTests.body("kprobe:f\n/pid/\n{\n}") == "predicate\n builtin: pid")
    }

    /// (source, expected attach points as provider + parts)
    @Test(arguments: [
      ("BEGIN { }", [["BEGIN"]]),
      ("end { }", [["end"]]),
      ("kprobe:vfs_read { }", [["kprobe", "vfs_read"]]),
      ("kprobe:vfs_read+10 { }", [["kprobe", "vfs_read+10"]]),
      ("k:mod:fn { }", [["k", "mod", "fn"]]),
      ("tracepoint:syscalls:sys_enter_* { }", [["tracepoint", "syscalls", "sys_enter_*"]]),
      ("t:sched:sched_sw?tch { }", [["t", "sched", "sched_sw?tch"]]),
      ("interval:s:1 { }", [["interval", "s", "1"]]),
      ("interval:1s { }", [["interval", "1s"]]),
      ("profile:hz:99 { }", [["profile", "hz", "99"]]),
      ("hardware:cache-misses:1e6 { }", [["hardware", "cache-misses", "1e6"]]),
      ("software:faults: { }", [["software", "faults", ""]]),
      ("uprobe:/bin/bash:readline { }", [["uprobe", "/bin/bash", "readline"]]),
      ("uprobe:/usr/lib/*/libc.so.6:malloc { }", [["uprobe", "/usr/lib/*/libc.so.6", "malloc"]]),
      ("uprobe:/bin/bash@readline.c:362 { }", [["uprobe", "/bin/bash@readline.c", "362"]]),
      ("uprobe:\"/path with:colon\":sym { }", [["uprobe", "/path with:colon", "sym"]]),
      ("uprobe:/my/program:cpp:\"A::f\" { }", [["uprobe", "/my/program", "cpp", "A::f"]]),
      ("usdt:/my/program:\"\\\"probe\\\"\" { }", [["usdt", "/my/program", "\"probe\""]]),
      ("usdt:/path:prov:probe { }", [["usdt", "/path", "prov", "probe"]]),
      ("usdt:*:loop { }", [["usdt", "*", "loop"]]),
      ("watchpoint:0x10000000:8:rw { }", [["watchpoint", "0x10000000", "8", "rw"]]),
      ("iter:task_file:/sys/fs/bpf/files { }", [["iter", "task_file", "/sys/fs/bpf/files"]]),
      ("self:signal:SIGUSR1 { }", [["self", "signal", "SIGUSR1"]]),
      ("kprobe:$1 { }", [["kprobe", "$1"]]),
      ("uprobe:/with#hash:asdf { }", [["uprobe", "/with#hash", "asdf"]]),
      ("kprobe:tcp_reset,kprobe:*socket* { }", [["kprobe", "tcp_reset"], ["kprobe", "*socket*"]]),
      ("kprobe:a,\n  // comment\n  kprobe:b, { }", [["kprobe", "a"], ["kprobe", "b"]]),
      ("BEGIN,END { }", [["BEGIN"], ["END"]]),
      ("kprobe:f/pid/{ }", [["kprobe", "f/pid/"]]),
      ("kprobe:f//c\n{ }", [["kprobe", "f"]]),
    ])
    func attachPoints(source: String, expected: [[String]]) throws {
      let program = try SyntaxTests.parse(source)
      #expect(program.probes.count == 1)
      #expect(program.probes.first?.attachPoints.map { [$0.provider] + $0.parts } == expected)
    }

    @Test func attachPointKeepsRawTextAndRange() throws {
      let text = "BEGIN { } uprobe:\"/a b\":f , k:g { }"
      let program = try SyntaxTests.parse(text)
      let file = SourceFile(name: "t", text: text)
      let points = program.probes[1].attachPoints
      #expect(points.map(\.raw) == ["uprobe:\"/a b\":f", "k:g"])
      #expect(points.map { file.text(of: $0.range) } == ["uprobe:\"/a b\":f", "k:g"])
    }

    @Test func preamble() {
      #expect(
        SyntaxTests.tree(
          """
          #!/usr/bin/env bpftrace
          #include <linux/sched.h>
          #define RED "\\033[31m"
          struct foo { int x; char y[16]; };
          union u { int a; long b; }
          enum e { A, B = 2 };
          config = { stack_mode = perf; max_map_keys = 2; license = "GPL"; lazy_symbolication = true }
          import "helpers.bt";
          let @a = lruhash(100);
          macro add_one(x) { x + 1 }
          macro touch($a, @b) { $a += 1; @b += 1; }
          fn twice($a: int64, $p: struct foo *): int64 { return $a * 2; }
          fn noret() { }
          BEGIN { }
          """) == """
            Program
             #include <linux/sched.h>
             #define RED "\\033[31m"
             import: helpers.bt
             config: stack_mode
              identifier: perf
             config: max_map_keys
              int: 2
             config: license
              string: GPL
             config: lazy_symbolication
              bool: true
             struct foo
             union u
             enum e
             let @a = lruhash(100)
             macro: add_one(x)
              +
               identifier: x
               int: 1
             macro: touch($a, @b)
              +=
               variable: $a
               int: 1
              +=
               map: @b
               int: 1
             fn: twice($a: int64, $p: struct foo *): int64
              return
               *
                variable: $a
                int: 2
             fn: noret()
             BEGIN

            """)
    }

    @Test func cDefinitionsAreVerbatim() throws {
      let program = try SyntaxTests.parse(
        """
        struct s { int a; /* } */ char b[2]; // }
          struct { int c; } inner; };
        struct __attribute__((packed)) p { char c; } __attribute__((aligned(4)));
        BEGIN {}
        """)
      #expect(program.cDefinitions.map(\.name) == ["struct s", "struct p"])
      #expect(
        program.cDefinitions[0].text == "struct s { int a; /* } */ char b[2]; // }\n  struct { int c; } inner; };")
      #expect(
        program.cDefinitions[1].text == "struct __attribute__((packed)) p { char c; } __attribute__((aligned(4)));")
    }

    @Test func preprocessorLineContinues() throws {
      let program = try SyntaxTests.parse("#define TWO \\\n  2\nBEGIN {}")
      #expect(program.includes == ["#define TWO \\\n  2"])
      #expect(program.probes.count == 1)
    }

    // MARK: top-level statements

    @Test func bareStatementsGoToTopLevel() {
      #expect(
        SyntaxTests.tree("print(@x)\nclear(@x); @y = 0\nprintf(\"hi\\n\")") == """
          Program
           top-level
            call: print
             map: @x
            call: clear
             map: @x
            =
             map: @y
             int: 0
            call: printf
             string: hi\\n

          """)
    }

    @Test func probesAndStatementsMix() throws {
      let program = try SyntaxTests.parse(
        "BEGIN { @a = 1 }\nprint(@a)\nkprobe:f { @b++ } clear(@a)\n@c[1] = 2; if (@c[1]) { exit() }\nlet $x = 1")
      #expect(program.probes.map { $0.attachPoints[0].raw } == ["BEGIN", "kprobe:f"])
      #expect(program.topLevelStatements.count == 5)
      #expect(
        ASTPrinter.print(program).contains(
          """
           top-level
            call: print
             map: @a
            call: clear
             map: @a
          """))
    }

    /// (source, is it a probe?)
    @Test(arguments: [
      ("kprobe:f { }", true),
      ("BEGIN { }", true),
      ("begin /pid == 1/ { }", true),
      ("uprobe { }", true),
      ("BEGIN, END { }", true),
      ("foo /1/ { }", true),
      ("print(@x)", false),
      ("printf(\"a:b\")", false),
      ("exit()", false),
      ("@x = 1", false),
      ("@x++", false),
      ("$x = 1", false),
      ("pid / 2", false),
      ("pid / 2 / 3", false),
      ("pid ? 1 : 2", false),
      ("if (1) { print(1) }", false),
      ("for ($kv : @m) { print($kv) }", false),
      ("{ print(1) }", false),
      ("-1", false),
      ("comm", false),
    ])
    func probeOrStatement(source: String, isProbe: Bool) throws {
      let program = try SyntaxTests.parse(source)
      #expect(program.probes.count == (isProbe ? 1 : 0))
      #expect(program.topLevelStatements.count == (isProbe ? 0 : 1))
    }

    @Test func topLevelStatementsNeedASeparator() {
      #expect(
        SyntaxTests.error("print(@x) print(@y)") == """
          stdin:1:11-16: ERROR: syntax error, unexpected 'print', expecting ';' or a line break
          print(@x) print(@y)
                    ~~~~~

          """)
      #expect(SyntaxTests.error("print(@x)\n  + 1") == "")  // an operator continues the expression
      #expect(SyntaxTests.error("return\nprint(1)") == "")
    }

    @Test func topLevelMapDeclarationVersusStatement() throws {
      let program = try SyntaxTests.parse("let @m = hash(10)\nlet $x = 1")
      #expect(program.mapDeclarations.map(\.name) == ["@m"])
      #expect(program.mapDeclarations.map(\.maxEntries) == [10])
      #expect(program.topLevelStatements.count == 1)
    }

    @Test func emptyProgramsParse() throws {
      for text in ["", "  \n", "// c\n/* d */", ";", "#!/bin/bpftrace"] {
        let program = try SyntaxTests.parse(text)
        #expect(program.probes.isEmpty && program.topLevelStatements.isEmpty, "\(text)")
      }
    }
  }
}

extension SyntaxTests {
  /// Whole scripts of the kind people write, each of which must parse.
  @Suite struct ScriptTests {
    @Test(arguments: [
      """
      #!/usr/bin/env bpftrace
      // Who reads /proc/*/cmdline, and how slowly?
      #include <linux/fs.h>

      config = { max_strlen = 256; stack_mode = perf }

      BEGIN
      {
        printf("Tracing... Hit Ctrl-C to end.\\n");
      }

      tracepoint:syscalls:sys_enter_openat
      /strcontains(str(args.filename), "cmdline")/
      {
        @start[tid] = nsecs;
        @path[tid] = args.filename;
      }

      tracepoint:syscalls:sys_exit_openat
      /@start[tid]/
      {
        $us = (nsecs - @start[tid]) / 1000;
        @lat[comm] = hist($us);
        if ($us > 10000) {
          printf("%-16s %-6d %6d us %s\\n", comm, pid, $us, str(@path[tid]));
          @slow[kstack(3), ustack] = count();
        }
        delete(@start, tid);
        delete(@path, tid);
      }

      interval:s:5 { print(@lat); clear(@lat); }

      END
      {
        clear(@start);
        clear(@path);
      }
      """,
      """
      kprobe:down_read_killable, kprobe:down_read
      {
        $sem = (struct rw_semaphore *)arg0;
        @waiters[$sem->count.counter & 0xff] = lhist(nsecs % 100, 0, 100, 10);
        @owner = (uint64)$sem->owner.counter;
      }
      kretprobe:down_read_killable /retval != 0/ { @failed[comm, retval] = count() }
      """,
      """
      let @seen = lruhash(1024);
      macro elapsed_ms(t) { (nsecs - t) / 1000000 }
      fn bucket($v: uint64): uint64 { return $v > 100 ? 100 : $v; }
      uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc,
      uretprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc
      {
        for ($i : 0..4) {
          if ($i == 2) { continue; }
          @seen[$i] = bucket(elapsed_ms(@t0));
        }
        for ($kv : @seen) { @sum += $kv.1; }
        let $t: uint64 = 0;
        $t++;
      }
      """,
    ])
    func scriptsParse(text: String) throws {
      let program = try SyntaxTests.parse(text)
      #expect(!program.probes.isEmpty)
      #expect(program.topLevelStatements.isEmpty)
    }
  }
}
