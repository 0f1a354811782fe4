import Foundation
import Testing

/// The bpftrace-compatible command line, run for real against the kernel (root only).
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct OneShotTests {
  @Test func helloFromBegin() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("hello %d\n", 42); exit(); }"#])
    #expect(r.status == 0)
    #expect(r.stdout == "hello 42\n\n\n")
  }

  @Test func countOpenatByCommWhileCatRuns() throws {
    let r = try Bpfrepl.run([
      "-e", #"tracepoint:syscalls:sys_enter_openat /comm == "cat"/ { @[comm] = count(); } interval:s:1 { exit(); }"#,
    ]) {
      Bpfrepl.sh("cat /etc/hostname")
    }
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix(""))
    let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("@[cat]: ") }
    let n = line.flatMap { Int($0.dropFirst("@[cat]: ".count)) } ?? 0
    #expect(n >= 1, "output was: \(r.stdout)")
  }

  @Test func sumAndIncrementOfDdReadsPrintedAfterSigint() throws {
    let r = try Bpfrepl.run(
      ["-e", #"t:syscalls:sys_exit_read /comm == "dd" && args->ret == 4096/ { @bytes = sum(args->ret); @n++; }"#],
      interrupt: true
    ) {
      Bpfrepl.sh("dd if=/dev/zero of=/dev/null bs=4096 count=100")
    }
    #expect(r.status == 0)
    #expect(r.stdout == "\n\n@bytes: 409600\n@n: 100\n")
  }

  @Test func programFromAFileWithPositionalParameters() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-test-\(getpid()).bt").path
    try "BEGIN { printf(\"%s is %d\\n\", $1, $2); exit(); }\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run([path, "answer", "42"])
    #expect(r.stdout == "answer is 42\n\n\n")
  }

  @Test func syntaxErrorExitsNonZeroWithUnderline() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { @x = ; }"])
    #expect(r.status != 0)
    #expect(
      r.stderr
        == "stdin:1:14-15: ERROR: syntax error, unexpected ';', expecting an expression\nBEGIN { @x = ; }\n             ~\n"
    )
    #expect(r.stdout.isEmpty)
  }

  @Test func typeErrorExitsNonZeroWithUnderline() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { @x = 1; @x = comm; }"])
    #expect(r.status != 0)
    #expect(r.stderr.hasPrefix("stdin:1:17-19: ERROR: Type mismatch for @x"))
    #expect(r.stderr.contains("BEGIN { @x = 1; @x = comm; }\n                ~~\n"))
  }

  @Test func verifierRejectionIsADiagnosticNotACrash() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { $i = 0; while ($i >= 0) { $i++; } }"], timeout: 60)
    #expect(r.status == 1)
    #expect(r.stderr.contains("ERROR: the BPF verifier rejected the program for BEGIN"))
    #expect(r.stderr.contains("(run with -v for the full verifier log)"))
    let verbose = try Bpfrepl.run(["-v", "-e", "BEGIN { $i = 0; while ($i >= 0) { $i++; } }"], timeout: 60)
    #expect(verbose.stderr.split(separator: "\n").count > 20)
  }

  @Test func missingKernelFeaturesAreNamed() throws {
    if FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe") {
      print("skipped: this kernel has kprobes, the missing-feature message cannot be observed")
      return
    }
    let k = try Bpfrepl.run(["-e", "kprobe:vfs_read { @[comm] = count(); }"])
    #expect(k.status == 1)
    #expect(k.stderr.hasPrefix("stdin:1:1-16: ERROR: kprobes are not supported by this kernel"))
    #expect(k.stderr.contains("CONFIG_KPROBES"))
    let f = try Bpfrepl.run(["-e", "fentry:vfs_read { @ = count(); }"])
    #expect(f.status == 1)
    #expect(f.stderr.contains("fentry/fexit probes are not supported by this kernel"))
  }
}

@Suite(
  .serialized,
  .enabled(
    if: Bpfrepl.isRoot && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"), "needs root and kernel BTF"
  ))
struct StructAccessEndToEndTests {
  @Test func currentTaskFieldsThroughBTF() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("%s %d\n", curtask->comm, curtask->pid == pid); exit(); }"#])
    #expect(r.stdout == "bpfrepl 1\n\n\n")
  }

  @Test func castsAndPointerChains() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { $t = (struct task_struct *)curtask; printf("%d\n", $t->real_parent->tgid == \#(getpid())); exit(); }"#,
    ])
    #expect(r.stdout == "1\n\n\n")
  }
}

@Suite(
  .serialized,
  .enabled(
    if: Bpfrepl.isRoot && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"), "needs root and kernel BTF"
  ))
struct IteratorEndToEndTests {
  @Test func taskIteratorVisitsKernelThreadsAndExits() throws {
    let r = try Bpfrepl.run(
      ["-e", #"iter:task /ctx->task->pid == 2/ { printf("%s\n", ctx->task->comm); }"#], timeout: 10)
    #expect(r.status == 0)
    #expect(r.stdout == "kthreadd\n\n\n")
  }

  @Test func unknownIteratorIsADiagnostic() throws {
    let r = try Bpfrepl.run(["-e", "iter:nope { }"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("stdin:1:1-10: ERROR: Unknown iterator: nope"))
  }
}

@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct LanguageEndToEndTests {
  func output(_ program: String) throws -> String {
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.diagnostics.isEmpty, "stderr: \(r.stderr)")
    return r.stdout
  }

  @Test func readingAVariableNeverChangesIt() throws {
    #expect(
      try output(
        #"BEGIN { $x = 5; $y = $x + 1; $z = $x * 2; printf("%d %d %d\n", $x, $y, $z); $x += 3; printf("%d\n", $x); exit(); }"#
      )
        == "5 6 10\n8\n\n\n")
  }

  @Test func macrosExpandHygienically() throws {
    let program = """
      macro one() { 1 }
      macro add_one(x) { x + 1 }
      macro add_one_to_each($a, @b) { $a += 1; @b += 1; }
      macro side_effects(x) { x; x; x; }
      macro add_two(x) { add_one(x) + 1 }
      BEGIN {
        print(one()); print(one);
        $a = 10; print(add_one($a)); print(add_one(1 + 1));
        @b = 5; add_one_to_each($a, @b); print($a + @b);
        side_effects({ printf("hi") }); printf("\\n");
        print(add_two(1));
        clear(@b);
        exit();
      }
      """
    #expect(try output(program) == "1\n1\n11\n3\n17\nhihihi\n3\n\n\n")
  }

  @Test func controlFlowAndOperators() throws {
    let program = #"""
      BEGIN {
        $i = 0; $sum = 0;
        while ($i < 10) { $i++; if ($i % 2 == 0) { continue; } $sum += $i; }
        unroll(3) { $sum = $sum * 2; }
        for ($j : 0..4) { $sum -= $j; }
        printf("%d %d %d %d\n", $sum, -7 / 2, 7 >> 1, (1 << 4) | 3);
        printf("%s %s\n", $sum > 100 ? "big" : "small", comm == "bpfrepl" ? "me" : "other");
        exit();
      }
      """#
    // 1+3+5+7+9 = 25, *8 = 200, - (0+1+2+3) = 194
    #expect(try output(program) == "194 -3 3 19\nbig me\n\n\n")
  }
}
