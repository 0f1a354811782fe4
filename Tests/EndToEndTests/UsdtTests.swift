import Foundation
import Testing

/// A C program of ours with USDT probes (sys/sdt.h from systemtap-sdt-dev), compiled once:
/// arguments of every size and sign, a memory operand, constants, one probe at two locations
/// with different operands, and one guarded by its semaphore. `usdt-target N` runs N rounds;
/// `usdt-target 0` loops until killed.
enum UsdtTarget {
  static let source = #"""
    #define _SDT_HAS_SEMAPHORES 1
    #include <sys/sdt.h>
    #include <stdint.h>
    #include <stdlib.h>
    #include <unistd.h>
    #define SEMAPHORE(n) unsigned short bpfrepl_test_##n##_semaphore __attribute__((section(".probes")));
    SEMAPHORE(small) SEMAPHORE(large) SEMAPHORE(constant) SEMAPHORE(memory) SEMAPHORE(twice) SEMAPHORE(gated)
    struct pair { long a; int b; };
    volatile int8_t s8 = -5; volatile uint8_t u8 = 250; volatile int16_t s16 = -3000; volatile uint16_t u16 = 60000;
    volatile int32_t s32 = -100000; volatile uint32_t u32 = 4000000000u;
    volatile int64_t s64 = -5000000000LL; volatile uint64_t u64 = 18000000000000000000ULL;
    __attribute__((noinline)) void memory(struct pair *p) { DTRACE_PROBE2(bpfrepl_test, memory, p->a, p->b); }
    __attribute__((noinline)) void twice(int i) { DTRACE_PROBE1(bpfrepl_test, twice, i); }
    unsigned short bpfrepl_float_floating_semaphore __attribute__((section(".probes")));
    __attribute__((noinline)) double floating(double x) { double y = x * 2.5; DTRACE_PROBE1(bpfrepl_float, floating, y); return y; }
    int main(int argc, char **argv) {
      int rounds = argc > 1 ? atoi(argv[1]) : 1;
      struct pair p = {-42, 7};
      for (int i = 0; rounds == 0 || i < rounds; i++) {
        DTRACE_PROBE4(bpfrepl_test, small, s8, u8, s16, u16);
        DTRACE_PROBE4(bpfrepl_test, large, s32, u32, s64, u64);
        DTRACE_PROBE2(bpfrepl_test, constant, 17, -1);
        memory(&p);
        twice(1);
        DTRACE_PROBE1(bpfrepl_test, twice, 3);
        floating(i);
        if (__builtin_expect(bpfrepl_test_gated_semaphore, 0))
          DTRACE_PROBE1(bpfrepl_test, gated, bpfrepl_test_gated_semaphore);
        if (rounds == 0) usleep(20000);
      }
      return 0;
    }
    """#

  static let path: String? = {
    let dir = NSTemporaryDirectory() + "bpfrepl-usdt-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try? source.write(toFile: dir + "/usdt-target.c", atomically: true, encoding: .utf8)
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
    cc.arguments = ["-O2", "-o", dir + "/usdt-target", dir + "/usdt-target.c"]
    guard (try? cc.run()) != nil else { return nil }
    cc.waitUntilExit()
    return cc.terminationStatus == 0 ? dir + "/usdt-target" : nil
  }()

  /// Starts the looping target; the caller ends it with `stop`.
  static func startLoop() throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try #require(path))
    p.arguments = ["0"]
    try p.run()
    usleep(100_000)
    return p
  }

  /// SIGKILL: children of the test process inherit its blocked signals, so SIGTERM would not do.
  static func stop(_ p: Process) {
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
  }
}

@Suite(.serialized) struct UsdtTests {
  let program =
    #"usdt:BIN:bpfrepl_test:* { printf("%s %lld %lld %lld %lld\n", probe, arg0, arg1, arg2, arg3); }"#

  @Test(.enabled(if: Bpfrepl.isRoot)) func argumentsOfEverySizeAndSignWithCommand() throws {
    let bin = try #require(UsdtTarget.path, "cc could not build the usdt target (is systemtap-sdt-dev installed?)")
    let r = try Bpfrepl.run(["-e", program.replacingOccurrences(of: "BIN", with: bin), "-c", "\(bin) 1"])
    #expect(r.diagnostics.trimmingCharacters(in: .whitespacesAndNewlines) == "")
    #expect(r.stderr.contains("Attached 6 probes"))
    // u64 18000000000000000000 is an int64, as upstream types usdt arguments.
    let expected = [
      "small -5 250 -3000 60000", "large -100000 4000000000 -5000000000 -446744073709551616", "constant 17 -1 0 0",
      "memory -42 7 0 0", "twice 1 0 0 0", "twice 3 0 0 0", "gated 1 0 0 0",
    ]
    #expect(r.stdout == expected.map { "usdt:\(bin):bpfrepl_test:\($0)\n" }.joined() + "\n\n")

  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func unsignedViewOfAnInt64Argument() throws {
    let bin = try #require(UsdtTarget.path)
    let r = try Bpfrepl.run([
      "-e", "usdt:\(bin):large { printf(\"%llx %llu\\n\", arg3, (uint64)arg1); }", "-c", "\(bin) 1",
    ])
    #expect(r.stdout == "f9ccd8a1c5080000 4000000000\n\n\n")
  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func probeByPathWhileRunningAndByPid() throws {
    let bin = try #require(UsdtTarget.path)
    let loop = try UsdtTarget.startLoop()
    defer { UsdtTarget.stop(loop) }
    let byPath = try Bpfrepl.run([
      "-e", "usdt:\(bin):bpfrepl_test:memory { printf(\"%lld %lld\\n\", arg0, arg1); exit(); }",
    ])
    #expect(byPath.stdout == "-42 7\n\n\n")
    // -p with no path: the probe is found in the files the process maps.
    let byPid = try Bpfrepl.run([
      "-e", "usdt::bpfrepl_test:constant { printf(\"%s %lld\\n\", probe, arg0); exit(); }", "-p",
      "\(loop.processIdentifier)",
    ])
    #expect(byPid.stdout == "usdt:\(bin):bpfrepl_test:constant 17\n\n\n")
    // The semaphore is counted while the probe is attached, so the guarded probe fires.
    let gated = try Bpfrepl.run([
      "-e", "usdt:\(bin):gated { printf(\"semaphore %lld\\n\", arg0); exit(); }", "-p", "\(loop.processIdentifier)",
    ])
    #expect(gated.stdout == "semaphore 1\n\n\n")
  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func wildcardsCountProbesNotLocations() throws {
    let bin = try #require(UsdtTarget.path)
    let r = try Bpfrepl.run(["-e", "usdt:\(bin)::t* { @[probe, arg0] = sum(arg0); }", "-c", "\(bin) 2"])
    #expect(r.stderr.contains("Attached 1 probe\n"))
    #expect(
      r.stdout == """


        @[usdt:\(bin):bpfrepl_test:twice, 1]: 2
        @[usdt:\(bin):bpfrepl_test:twice, 3]: 6
        """ + "\n")
  }

  @Test func listsProbesAsBpftraceDoes() throws {
    let bin = try #require(UsdtTarget.path)
    let all = try Bpfrepl.run(["-l", "usdt:\(bin):*"])
    #expect(
      all.stdout
        == "usdt:\(bin):bpfrepl_float:floating\n"
        + ["constant", "gated", "large", "memory", "small", "twice"].map { "usdt:\(bin):bpfrepl_test:\($0)\n" }
        .joined())
    let some = try Bpfrepl.run(["-l", "usdt:\(bin):bpfrepl_test:*a*"])
    #expect(some.stdout == ["constant", "gated", "large", "small"].map { "usdt:\(bin):bpfrepl_test:\($0)\n" }.joined())
  }

  @Test(.enabled(if: Bpfrepl.isRoot)) func listsProbesOfAProcess() throws {
    let bin = try #require(UsdtTarget.path)
    let loop = try UsdtTarget.startLoop()
    defer { UsdtTarget.stop(loop) }
    let r = try Bpfrepl.run(["-l", "usdt:*:bpfrepl_test:t*", "-p", "\(loop.processIdentifier)"])
    #expect(r.stdout == "usdt:\(bin):bpfrepl_test:twice\n")
  }

  @Test func badAttachPointsAreDiagnostics() throws {
    let bin = try #require(UsdtTarget.path)
    let none = try Bpfrepl.run(["-e", "usdt:\(bin):nosuch { }"])
    #expect(none.status != 0)
    #expect(none.diagnostics.contains("No usdt probe matches nosuch in \(bin)"))
    let missing = try Bpfrepl.run(["-e", "usdt:/nonexistent/x:p { }"])
    #expect(missing.diagnostics.contains("/nonexistent/x"))
    let empty = try Bpfrepl.run(["-e", "usdt::p:q { }"])
    #expect(empty.diagnostics.contains("a usdt probe with an empty path needs -p PID"))
    // A floating-point operand (gcc writes `8f@%rax` or `8f@%xmm0`) is refused where it is used.
    let float = try Bpfrepl.run(["-e", "usdt:\(bin):floating { print(arg0); }"])
    #expect(float.status != 0)
    #expect(float.diagnostics.contains("floating-point arguments are not supported"))
    #expect(float.diagnostics.contains("print(arg0)"))
    let unused = try Bpfrepl.run(["-e", "usdt:\(bin):floating { printf(\"%s\\n\", probe); exit(); }", "-c", "\(bin) 1"])
    #expect(unused.stdout == "usdt:\(bin):bpfrepl_float:floating\n\n\n")
    let range = try Bpfrepl.run(["-e", "usdt:\(bin):memory { print(arg12); }"])
    #expect(range.diagnostics.contains("arg12 is out of range: usdt probes have at most 12 arguments"))
  }
}
