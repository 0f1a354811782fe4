import Foundation
import Testing

/// A program of ours that writes an 8-byte value at a fixed address three times, then reads it
/// (with an argument, it then goes on writing until killed).
enum WatchTarget {
  static let address = "0x10000000"
  static let path: String? = {
    let dir = NSTemporaryDirectory() + "bpfrepl-watch-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let source = """
      #include <sys/mman.h>
      #include <stdio.h>
      #include <unistd.h>
      int main(int argc, char **argv) {
        volatile long *p = mmap((void *)0x10000000, 4096, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED) { perror("mmap"); return 1; }
        for (int i = 1; i <= 3; i++) *p = i;
        while (argc > 1) { *p = 0; usleep(10000); }  // `watch-target loop`: write until killed
        return (int)(*p - 3);
      }
      """
    try? source.write(toFile: dir + "/watch-target.c", atomically: true, encoding: .utf8)
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
    cc.arguments = ["-O1", "-o", dir + "/watch-target", dir + "/watch-target.c"]
    guard (try? cc.run()) != nil else { return nil }
    cc.waitUntilExit()
    return cc.terminationStatus == 0 ? dir + "/watch-target" : nil
  }()
}

/// Hardware breakpoints (PERF_TYPE_BREAKPOINT) work on this VM: watchpoints attach for real.
@Suite(.serialized) struct WatchpointTests {
  @Test(.enabled(if: Bpfrepl.isRoot)) func writesToAWatchedAddressOfTheCommand() throws {
    let bin = try #require(WatchTarget.path)
    let r = try Bpfrepl.run(["-e", "watchpoint:\(WatchTarget.address):8:w { @writes = count(); }", "-c", bin])
    #expect(r.diagnostics.trimmingCharacters(in: .whitespacesAndNewlines) == "")
    #expect(r.stdout == "\n\n@writes: 3\n")
  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func readWriteModeSeesTheReadToo() throws {
    let bin = try #require(WatchTarget.path)
    let r = try Bpfrepl.run(["-e", "w:\(WatchTarget.address):8:wr { @[probe] = count(); }", "-c", bin])
    // The pid is only known at run time: the probe is named after /proc/PID/exe.
    let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("@[") }.map(String.init) ?? r.stdout
    #expect(line.hasPrefix("@[watchpoint:/proc/") && line.hasSuffix("/exe:268435456:8:rw]: 4"))
  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func watchARunningProcess() throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try #require(WatchTarget.path))
    p.arguments = ["loop"]
    try p.run()
    defer { UsdtTarget.stop(p) }
    usleep(100_000)
    let r = try Bpfrepl.run([
      "-e", "watchpoint:\(WatchTarget.address):8:w { printf(\"hit %d\\n\", pid == \(p.processIdentifier)); exit(); }",
      "-p", "\(p.processIdentifier)",
    ])
    #expect(r.stdout == "hit 1\n\n\n")
  }

  @Test func invalidWatchpointsAreDiagnostics() throws {
    func error(_ ap: String) throws -> String {
      try Bpfrepl.run(["-e", "\(ap) { }"]).diagnostics
    }
    #expect(try error("watchpoint:0x1000:3:w").contains("watchpoint length must be one of (1,2,4,8)"))
    #expect(try error("watchpoint:0:8:w").contains("watchpoint must be attached to a non-zero address"))
    #expect(try error("watchpoint:0x1000:8:q").contains("watchpoint mode must be combination of (r,w,x)"))
    #expect(try error("watchpoint:0x1000:8:ww").contains("watchpoint modes may not be duplicated"))
    #expect(try error("watchpoint:0x1000:8:r").contains("invalid watchpoint mode: r (supported modes: rw,w,x)"))
    #expect(try error("watchpoint:0x1000:8").contains("watchpoint probe type requires 3 arguments, found 2"))
    #expect(try error("watchpoint:zz:8:w").contains("Invalid function/address argument: zz"))
  }
}
