import Foundation
import Testing

/// Our versions of bpftrace's classic tools, each run against a workload it must report.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct ToolTests {
  /// Runs a tool; `workload` runs once its probes are attached, then the tool gets SIGINT.
  func tool(_ program: String, timeout: Double = 30, workload: () -> Void) throws -> Bpfrepl.Result {
    let r = try Bpfrepl.run(["-e", program], interrupt: true, timeout: timeout, whileRunning: workload)
    #expect(r.diagnostics.isEmpty, "stderr: \(r.stderr)")
    return r
  }

  func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

  @Test func opensnoop() throws {
    let path = Workload.tempFile("opensnoop")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try tool(ToolPrograms.opensnoop) { Workload.run("/bin/cat", path) }
    // BEGIN prints the header once the probes are attached: other events may come first.
    #expect(lines(r.stdout).contains("PID    COMM               FD ERR PATH"))
    // `cat FILE` opens it: fd >= 0, no error.
    let hit = lines(r.stdout).first { $0.hasSuffix(" " + path) && $0.contains(" cat ") }
    let fields = hit?.split(separator: " ") ?? []
    #expect(fields.count == 5 && Int(fields[2]) ?? -1 >= 0 && fields[3] == "0", "got \(r.stdout)")
  }

  @Test func execsnoop() throws {
    let r = try tool(ToolPrograms.execsnoop) { Workload.run("/bin/echo", "hello-bpfrepl") }
    #expect(lines(r.stdout).contains("TIME(ms)   PID   ARGS"))
    #expect(lines(r.stdout).contains { $0.hasSuffix(" /bin/echo hello-bpfrepl") }, "got \(r.stdout)")
  }

  @Test func syscount() throws {
    // 20000 one-byte reads and writes by `dd`: read (0) and write (1) lead, dd among processes.
    let r = try tool(ToolPrograms.syscount) {
      Workload.run("/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=20000")
    }
    func count(_ prefix: String) -> Int {
      lines(r.stdout).first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }
    #expect(r.stdout.contains("\nTop 10 syscalls IDs:\n"))
    #expect(count("@syscall[0]: ") >= 20000, "got \(r.stdout)")
    #expect(count("@syscall[1]: ") >= 20000, "got \(r.stdout)")
    #expect(count("@process[dd]: ") >= 40000, "got \(r.stdout)")
  }

  @Test func statsnoop() throws {
    let path = Workload.tempFile("statsnoop")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try tool(ToolPrograms.statsnoop) {
      Workload.run("/usr/bin/stat", path)
      Workload.run("/usr/bin/stat", path + ".missing")
    }
    let found = lines(r.stdout).first { $0.hasSuffix(" " + path) && $0.contains(" stat ") }
    let missing = lines(r.stdout).first { $0.hasSuffix(" " + path + ".missing") }
    #expect(found?.split(separator: " ").dropFirst(2).first == "0", "got \(r.stdout)")
    #expect(missing?.split(separator: " ").dropFirst(2).first == "2", "got \(r.stdout)")
  }

  @Test func killsnoop() throws {
    var shellPid = ""
    let r = try tool(ToolPrograms.killsnoop) {
      shellPid = Workload.run("/bin/bash", "-c", "kill -0 $$; echo $$").trimmingCharacters(in: .whitespacesAndNewlines)
    }
    // PID COMM SIG TPID RESULT: bash signalled itself with 0, successfully.
    let hit = lines(r.stdout).first {
      $0.split(separator: " ").map(String.init) == [shellPid, "bash", "0", shellPid, "0"]
    }
    #expect(hit != nil, "pid \(shellPid), got \(r.stdout)")
  }

  @Test func biolatencyAndBitesize() throws {
    guard let dir = Workload.directoryOnABlockDevice() else {
      print("skipped: no writable directory on a block device, so direct I/O makes no block events")
      return
    }
    let path = dir + "/bpfrepl-bio-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let write: () -> Void = {
      Workload.run("/bin/dd", "if=/dev/zero", "of=\(path)", "bs=64k", "count=32", "oflag=direct")
    }
    let lat = try tool(ToolPrograms.biolatency, workload: write)
    let buckets = lines(lat.stdout).filter { $0.hasPrefix("[") }
    let total = buckets.compactMap {
      $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.flatMap { Int($0) }
    }
    .reduce(0, +)
    if !lat.stdout.contains("@usecs:") {
      print("skipped: no block events arrived for direct writes to \(dir)")
      return
    }
    #expect(total >= 32, "got \(lat.stdout)")
    let size = try tool(ToolPrograms.bitesize, workload: write)
    // dd's 64 KiB direct writes, in dd's histogram.
    let section = size.stdout.components(separatedBy: "\n\n").first { $0.hasPrefix("@[dd]:") } ?? ""
    let row = lines(section).first { $0.hasPrefix("[64K, 128K)") }
    let n = row?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.flatMap { Int($0) } ?? 0
    #expect(n >= 32, "got \(size.stdout)")
  }

  @Test func runqlat() throws {
    // 200 short sleeps: each wakeup is one run-queue latency sample.
    let r = try tool(ToolPrograms.runqlat) {
      Workload.run("/usr/bin/python3", "-c", "import time\nfor _ in range(200): time.sleep(0.001)")
    }
    #expect(r.stdout.contains("\n@usecs:\n"))
    let total = lines(r.stdout).filter { $0.hasPrefix("[") }
      .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.flatMap { Int($0) } }
      .reduce(0, +)
    #expect(total >= 200, "got \(r.stdout)")
  }

  @Test func runqlen() throws {
    // Twice as many busy processes as CPUs: run queues hold waiting tasks while it samples.
    let cpus = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let busy = try (0..<(2 * cpus)).map { _ in
      try Workload.start("/usr/bin/python3", "-c", "import time\nt = time.time()\nwhile time.time() - t < 4: pass")
    }
    defer { busy.forEach { $0.terminate() } }
    usleep(300_000)
    let r = try Bpfrepl.run(["-e", ToolPrograms.runqlen], interrupt: true) { usleep(1_000_000) }
    if r.stderr.contains("struct field access through BTF is not supported yet") {
      print("skipped: runqlen needs BTF struct access (curtask->se.cfs_rq->nr_queued): \(r.stderr)")
      return
    }
    #expect(r.diagnostics.isEmpty, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("\n@runqlen:\n"), "got \(r.stdout)")
    // lhist rows `[N]`: some sample saw at least one task waiting.
    let waiting = lines(r.stdout).filter { $0.hasPrefix("[") && !$0.hasPrefix("[0]") }
      .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } }
      .reduce(0, +)
    #expect(waiting > 0, "got \(r.stdout)")
  }

  @Test func tcplife() throws {
    var port = ""
    let r = try tool(ToolPrograms.tcplife) {
      port = Workload.run("/usr/bin/python3", "-c", ToolPrograms.loopbackConnection).trimmingCharacters(
        in: .whitespacesAndNewlines)
    }
    // The client side: python3 connected from some port to ours, both on 127.0.0.1.
    let hit = lines(r.stdout).first { line in
      let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      return f.count == 7 && f[1] == "python3" && f[2] == "127.0.0.1" && f[4] == "127.0.0.1" && f[5] == port
    }
    #expect(!port.isEmpty && hit != nil, "port \(port), got \(r.stdout)")
  }

  @Test func bashreadline() throws {
    guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else {
      print("skipped: no /bin/bash")
      return
    }
    let r = try tool(ToolPrograms.bashreadline) {
      // An interactive bash on a pseudo-terminal reads its commands with readline.
      Workload.run("/usr/bin/python3", "-c", ToolPrograms.interactiveBash)
    }
    #expect(lines(r.stdout).contains("TIME      PID    COMMAND"))
    #expect(lines(r.stdout).contains { $0.hasSuffix(" echo bashreadline-marker") }, "got \(r.stdout)")
  }

  @Test func profileWithKernelAndUserStacks() throws {
    // dd spends its time in the kernel (read_zero), python in its interpreter loop.
    let dd = try Workload.start("/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=100000")
    let py = try Workload.start(
      "/usr/bin/python3", "-c", "import time\nt = time.time()\nwhile time.time() - t < 5: pass")
    defer {
      dd.terminate()
      py.terminate()
    }
    let program = ToolPrograms.profile(pids: [dd.processIdentifier, py.processIdentifier])
    let r = try tool(program) { usleep(1_000_000) }
    let kernel = r.stdout.components(separatedBy: "@k[").dropFirst()
    let user = r.stdout.components(separatedBy: "@u[").dropFirst()
    #expect(kernel.contains { $0.contains("read_zero+") || $0.contains("vfs_read+") }, "got \(r.stdout)")
    #expect(user.contains { $0.contains("_PyEval_EvalFrameDefault+") || $0.contains("Py") }, "got \(r.stdout)")
  }
}
