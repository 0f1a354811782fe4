import Foundation
import Testing

/// `bpfrepl -d STAGE` and `--dry-run`, run as a person would (root only).
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct DumpTests {
  static let countDD = #"t:syscalls:sys_exit_read /comm == "dd"/ { @n++; }"#

  @Test func bpfStageOfADryRun() throws {
    let start = Date()
    let r = try Bpfrepl.run(["-d", "bpf", "--dry-run", "-e", Self.countDD], timeout: 10)
    #expect(r.status == 0)
    #expect(Date().timeIntervalSince(start) < 5, "a dry run must not wait for events")
    #expect(r.stdout.hasPrefix("sys_exit_read: tracepoint:syscalls:sys_exit_read ("))
    #expect(r.stdout.contains("   0: r6 = r1\n"))
    #expect(r.stdout.contains("map[.gates]"), "the probe's gate is checked first")
    #expect(r.stdout.contains("\n; /comm == \"dd\"/  (stdin:1)\n"))
    #expect(r.stdout.contains("; @n++  (stdin:1)\n"))
    #expect(r.stdout.contains("map[@n]"))
    #expect(r.stdout.hasSuffix(": exit\n"))
    #expect(!r.stdout.contains("Attach") && !r.stderr.contains("Attach"))
    #expect(r.stderr.isEmpty)
  }

  @Test func dryRunOfATracepointProgramExitsAtOnce() throws {
    // No -d: nothing to print, and no waiting for events (the library test checks no link exists).
    let start = Date()
    let r = try Bpfrepl.run(["--dry-run", "-e", "t:syscalls:sys_enter_getpid { @ = count(); }"], timeout: 10)
    #expect(r.status == 0)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.isEmpty)
    #expect(Date().timeIntervalSince(start) < 5)
  }

  @Test func allStagesInOrder() throws {
    let r = try Bpfrepl.run(["-d", "all", "--dry-run", "-e", Self.countDD], timeout: 20)
    #expect(r.status == 0)
    let headers = r.stdout.split(separator: "\n").filter { $0.hasPrefix("=== ") }
    #expect(headers == ["=== ast ===", "=== types ===", "=== bpf ===", "=== verifier ===", "=== jit ==="])
    #expect(r.stdout.contains("   map: @n :: int64\nMaps\n @n: int64\n"))
    #expect(r.stdout.contains("\nprocessed "))
    #expect(r.stdout.contains("\nxlated:\n"))
    #expect(r.stdout.contains("\njited:\n"))
  }

  @Test func stagesThenTheProgramRuns() throws {
    let r = try Bpfrepl.run(["-d", "ast", "-e", "BEGIN { printf(\"hi\\n\"); exit(); }"])
    #expect(r.status == 0)
    #expect(
      r.stdout == "Program\n BEGIN\n  call: printf\n   string: hi\\n\n  call: exit\nhi\n\n\n")
  }

  @Test func typesOfAProgramFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-dump-\(getpid()).bt").path
    try "BEGIN {\n  @start[pid] = nsecs;\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run(["-d", "types,bpf", "--dry-run", path])
    #expect(r.status == 0)
    #expect(
      r.stdout.contains("  =\n   map: @start :: uint64\n    builtin: pid :: uint32\n   builtin: nsecs :: uint64\n"))
    #expect(r.stdout.contains("Maps\n @start[uint64]: uint64\n"))
    #expect(r.stdout.contains("; @start[pid] = nsecs  (\(path):2)\n"))
  }

  @Test func verifierRejectionStillShowsTheStages() throws {
    let r = try Bpfrepl.run(["-d", "bpf,verifier", "-e", "BEGIN { $i = 0; while ($i >= 0) { $i++; } }"], timeout: 60)
    #expect(r.status == 1)
    #expect(r.stdout.contains("; $i++  (stdin:1)\n"))
    #expect(r.stdout.contains("(rejected by the verifier)\n"))
    #expect(r.stderr.contains("ERROR: the BPF verifier rejected the program for BEGIN"))
  }

  @Test func unknownStageIsAUsageError() throws {
    let r = try Bpfrepl.run(["-d", "codegen", "-e", "BEGIN { exit(); }"])
    #expect(r.status == 1)
    #expect(r.stderr == "USAGE: invalid option for -d: codegen (one of ast, types, bpf, verifier, jit, all)\n")
  }
}
