import Glibc
import Testing

@testable import Engine

@Suite struct RuntimeProgramTests {
  @Test func loadsAndReportsInfo() throws {
    let p = try BPFProgram(instructions: A.returnZero, type: .tracepoint, name: "tp:ok/prog")
    #expect(p.fd >= 0)
    #expect(p.name == "tp_ok_prog")
    #expect(p.verifierLog == nil)
    let info = try p.info()
    #expect(info.id > 0)
    #expect(info.name == "tp_ok_prog")
    #expect(info.xlatedLength == 16)
    #expect(p.id == info.id)
    #expect(try p.xlatedInstructions().count == 2)
    let jit = try p.jitedBytes()
    #expect(jit.count == info.jitedLength)
  }

  @Test func verifierRejectionCarriesTheLog() throws {
    // `exit` with r0 never written: the verifier names the instruction and the register.
    do {
      _ = try BPFProgram(instructions: [A.exit()], type: .tracepoint, name: "bad")
      Issue.record("verifier should reject")
    } catch let e as VerifierRejection {
      #expect(e.errno == EACCES)
      #expect(e.log.contains("0: (95) exit"))
      #expect(e.log.contains("R0 !read_ok"))
      #expect(e.description.contains("R0 !read_ok"))
      #expect(!e.logTruncated)
    }
  }

  @Test func rejectionOfBadMemoryAccess() throws {
    // r0 = *(u64 *)(r10 + 8): above the stack frame.
    do {
      _ = try BPFProgram(instructions: [A.ldxDW(0, 10, 8), A.exit()], type: .tracepoint, name: "bad2")
      Issue.record("verifier should reject")
    } catch let e as VerifierRejection {
      #expect(e.log.contains("0: (79) r0 = *(u64 *)(r10 +8)"))
      #expect(e.log.contains("invalid"))
    }
  }

  @Test func logBufferGrowsForLongLogs() throws {
    // ~30k instructions, rejected at the end: the log outgrows the first 256 KiB buffer,
    // and the full text (its beginning included) must come back.
    let insns = [UInt64](repeating: A.movImm(1, 0), count: 30_000) + [A.exit()]
    do {
      _ = try BPFProgram(instructions: insns, type: .tracepoint, name: "long_log")
      Issue.record("verifier should reject")
    } catch let e as VerifierRejection {
      #expect(e.log.utf8.count > 256 << 10)
      #expect(e.log.hasPrefix("func#0") || e.log.hasPrefix("0: "))
      #expect(e.log.contains("\n0: (b7) r1 = 0"))
      #expect(e.log.contains("30000: (95) exit"))
      #expect(e.log.contains("R0 !read_ok"))
      #expect(!e.logTruncated)
    }
  }

  @Test func alwaysCaptureLogAtLevel2() throws {
    let p = try BPFProgram(
      instructions: A.returnZero, type: .rawTracepoint, name: "logged",
      options: .init(verifierLog: .always(level: 2)))
    let log = try #require(p.verifierLog)
    #expect(log.contains("processed 2 insns"))
    #expect(log.contains("0: R1=ctx() R10=fp0") || log.contains("0: (b7) r0 = 0"))
  }

  @Test func runOnceReturnsR0() throws {
    let p = try BPFProgram(instructions: [A.movImm(0, 42), A.exit()], type: .rawTracepoint, name: "BEGIN")
    #expect(try p.runOnce() == 42)
    #expect(try p.runOnce(context: [1, 2, 3], cpu: 0) == 42)
  }

  @Test func runOnceUpdatesMaps() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m), type: .rawTracepoint, name: "begin_count")
    for _ in 0..<3 { try p.runOnce() }
    #expect(try slot0(m) == 3)
  }

  @Test func statsCountRuns() throws {
    let method = try BPFStats.enable()
    #expect(method == .statsFD || method == .sysctl)
    #expect(BPFStats.isEnabled)
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .tracepoint, name: "stats")
    let a = try p.attachTracepoint(category: "syscalls", name: "sys_enter_getppid")
    for _ in 0..<50 { _ = getppid() }
    a.detach()
    let info = try p.info()
    #expect(info.runCount >= 50)
    #expect(info.runTimeNs > 0)
  }

  @Test func unsupportedProgramTypeIsBPFErrorNotRejection() throws {
    // Type 9999 does not exist: the verifier never runs, so there is no log.
    #expect(throws: BPFError.self) {
      _ = try BPFProgram(instructions: A.returnZero, type: .other(9999), name: "nope")
    }
  }
}
