import Foundation
import Testing

/// `bpfrepl -l`: probe types, programs and BTF types, listed as `bpftrace -l` lists them.
@Suite(.enabled(if: Bpfrepl.isRoot, "tracefs needs root"))
struct ListingTests {
  func lines(_ args: [String]) throws -> [String] {
    let r = try Bpfrepl.run(args)
    #expect(r.status == 0)
    return r.stdout.split(separator: "\n").map(String.init)
  }

  @Test func timedProbesByUnit() throws {
    #expect(try lines(["-l", "interval:*"]) == ["interval:hz:", "interval:ms:", "interval:s:", "interval:us:"])
    #expect(try lines(["-l", "p:*"]) == ["profile:hz:", "profile:ms:", "profile:s:", "profile:us:"])
  }

  @Test func softwareEventsWithAliases() throws {
    let sw = try lines(["-l", "software:*"])
    #expect(sw.contains("software:cpu-clock:"))
    #expect(sw.contains("software:cpu:"))
    #expect(sw.contains("software:faults:"))
    #expect(sw.allSatisfy { $0.hasPrefix("software:") })
  }

  @Test func wildcardedProbeTypeAndEverything() throws {
    let ware = try lines(["-l", "*ware:*"])
    #expect(ware.contains("hardware:cpu-cycles:"))
    #expect(ware.contains("software:page-faults:"))
    #expect(ware.allSatisfy { $0.hasPrefix("hardware:") || $0.hasPrefix("software:") })
    let all = Set(try lines(["-l"]).map { $0.prefix { $0 != ":" } })
    #expect(all == ["hardware", "iter", "rawtracepoint", "software", "tracepoint"])
  }

  @Test func rawTracepointsAndIteratorsFromBTF() throws {
    #expect(try lines(["-l", "rawtracepoint:*"]).contains("rawtracepoint:vmlinux:sched_switch"))
    #expect(try lines(["-l", "rawtracepoint:sched_switch"]) == ["rawtracepoint:vmlinux:sched_switch"])
    let iters = try lines(["-l", "iter:*"])
    #expect(iters.contains("iter:task"))
    #expect(iters.contains("iter:task_file"))
  }

  @Test func patternWithoutTypeMatchesTheEvent() throws {
    let found = try lines(["-l", "sys_enter_openat"])
    #expect(found.contains("tracepoint:syscalls:sys_enter_openat"))
    #expect(found.contains("rawtracepoint:vmlinux:sys_enter") == false)
  }

  @Test func programFileAndProgramText() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-list-\(getpid()).bt").path
    try "interval:ms:1000 {}\ninterval:s:1 {}\nBEGIN {}\nt:syscalls:sys_enter_openat* {}\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(
      try lines(["-l", path]) == [
        "interval:ms:", "interval:s:", "tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat2",
      ])
    #expect(try lines(["-l", "-e", "profile:hz:99 { } software:cpu:1 { }"]) == ["profile:hz:", "software:cpu:"])
  }

  @Test func missingFileWarning() throws {
    let r = try Bpfrepl.run(["-l", "non_existent_file.bt"])
    #expect(r.status == 0)
    #expect(
      r.stderr
        == "WARNING: It appears that 'non_existent_file.bt' is a filename but the file does not exist. "
        + "Treating 'non_existent_file.bt' as a search pattern.\n")
    #expect(r.stdout.isEmpty)
  }

  @Test func structNamesAndDefinitions() throws {
    #expect(try lines(["-l", "struct task_struct"]) == ["struct task_struct"])
    let r = try Bpfrepl.run(["-lv", "struct task_struct, struct file,struct fd"])
    #expect(r.status == 0)
    let starts = r.stdout.split(separator: "\n").filter { $0.hasPrefix("vmlinux: ") }
    #expect(starts == ["vmlinux: struct task_struct {", "vmlinux: struct file {", "vmlinux: struct fd {"])
    #expect(r.stdout.contains("\n\tpid_t pid;\n"))
    #expect(r.stdout.hasSuffix("};\n\n"))
  }

  @Test func rawTracepointArgumentsWithVerbose() throws {
    #expect(
      try lines(["-lv", "rawtracepoint:sys_enter"]) == [
        "rawtracepoint:vmlinux:sys_enter", "    struct pt_regs * regs", "    long int id",
      ])
  }

  @Test func tracepointArgumentsWithVerbose() throws {
    let out = try lines(["-lv", "tracepoint:syscalls:sys_enter_openat"])
    #expect(out.first == "tracepoint:syscalls:sys_enter_openat")
    #expect(out.contains("    const char * filename"))
  }
}
