import Foundation
import Testing

/// The bpftrace-compatible command line, run for real against the kernel (root only).
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct OneShotTests {
  @Test func helloFromBegin() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("hello %d\n", 42); exit(); }"#])
    #expect(r.status == 0)
    #expect(r.stdout == "Attaching 1 probe...\nhello 42\n\n\n")
  }

  @Test func countOpenatByCommWhileCatRuns() throws {
    let r = try Bpfrepl.run([
      "-e", #"tracepoint:syscalls:sys_enter_openat /comm == "cat"/ { @[comm] = count(); } interval:s:1 { exit(); }"#,
    ]) {
      Bpfrepl.sh("cat /etc/hostname")
    }
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("Attaching 2 probes...\n"))
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
    #expect(r.stdout == "Attaching 1 probe...\n\n\n@bytes: 409600\n@n: 100\n")
  }

  @Test func programFromAFileWithPositionalParameters() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-test-\(getpid()).bt").path
    try "BEGIN { printf(\"%s is %d\\n\", $1, $2); exit(); }\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run([path, "answer", "42"])
    #expect(r.stdout == "Attaching 1 probe...\nanswer is 42\n\n\n")
  }

  @Test func syntaxErrorExitsNonZeroWithUnderline() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { @x = ; }"])
    #expect(r.status != 0)
    #expect(r.stderr == "stdin:1:14-15: ERROR: syntax error, unexpected ';', expecting an expression\nBEGIN { @x = ; }\n             ~\n")
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

@Suite(.serialized, .enabled(if: Bpfrepl.isRoot && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"), "needs root and kernel BTF"))
struct StructAccessEndToEndTests {
  @Test func currentTaskFieldsThroughBTF() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("%s %d\n", curtask->comm, curtask->pid == pid); exit(); }"#])
    #expect(r.stdout == "Attaching 1 probe...\nbpfrepl 1\n\n\n")
  }

  @Test func castsAndPointerChains() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { $t = (struct task_struct *)curtask; printf("%d\n", $t->real_parent->tgid == \#(getpid())); exit(); }"#])
    #expect(r.stdout == "Attaching 1 probe...\n1\n\n\n")
  }
}

@Suite(.serialized, .enabled(if: Bpfrepl.isRoot && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"), "needs root and kernel BTF"))
struct IteratorEndToEndTests {
  @Test func taskIteratorVisitsKernelThreadsAndExits() throws {
    let r = try Bpfrepl.run(["-e", #"iter:task /ctx->task->pid == 2/ { printf("%s\n", ctx->task->comm); }"#], timeout: 10)
    #expect(r.status == 0)
    #expect(r.stdout == "Attaching 1 probe...\nkthreadd\n\n\n")
  }

  @Test func unknownIteratorIsADiagnostic() throws {
    let r = try Bpfrepl.run(["-e", "iter:nope { }"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("stdin:1:1-10: ERROR: Unknown iterator: nope"))
  }
}
