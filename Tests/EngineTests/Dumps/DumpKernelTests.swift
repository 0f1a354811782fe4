import Foundation
import Glibc
import Testing

@testable import Engine

/// The kernel's stages (verifier, jit) and the session's `%dump`/`%probes -v`, for real (root).
@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root to load BPF programs"))
struct DumpKernelTests {
  static let countDD = #"t:syscalls:sys_exit_read /comm == "dd"/ { @n++; }"#

  func dryRun(_ text: String) throws -> (TraceSession, CellArtifacts) {
    let trace = try TraceSession { _ in }
    trace.dryRun = true
    let r = try trace.run(SourceFile(name: "stdin", text: text))
    #expect(r.attached.isEmpty)
    #expect(trace.probes.isEmpty)
    return (trace, try #require(trace.lastCell))
  }

  @Test func dryRunLoadsButAttachesNothing() throws {
    let (_, cell) = try dryRun(Self.countDD)
    #expect(cell.programs.count == 1)
    let id = try #require(cell.programs.first?.loaded).info().id
    #expect(id > 0)
    #expect(!(try linkedPrograms()).contains(id))
    // The same program without --dry-run is linked (so the check above can see links).
    let trace = try TraceSession { _ in }
    _ = try trace.run(SourceFile(name: "stdin", text: Self.countDD))
    let attached = try #require(trace.lastCell?.programs.first?.loaded).info().id
    #expect(try linkedPrograms().contains(attached))
    trace.detachAll()
  }

  /// Programs the kernel's BPF links point to (`bpftool link list`: "12: perf_event  prog 34").
  func linkedPrograms() throws -> Set<UInt32> {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/sbin/bpftool")
    p.arguments = ["link", "list"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    var ids = Set<UInt32>()
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let words = line.split(separator: " ")
      if let i = words.firstIndex(of: "prog"), i + 1 < words.count, let id = UInt32(words[i + 1]) { ids.insert(id) }
    }
    return ids
  }

  @Test func verifierLogSaysWhatItProcessed() throws {
    let (trace, cell) = try dryRun(Self.countDD)
    let text = trace.dump(.verifier, of: cell)
    #expect(text.hasPrefix("sys_exit_read: tracepoint:syscalls:sys_exit_read\n"))
    let processed = text.split(separator: "\n").first { $0.hasPrefix("processed ") }
    let n = processed.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    #expect(n > 0, "no 'processed N insns' in:\n\(text)")
    // Level 2: register state after instructions.
    #expect(text.contains("R10=fp0"))
  }

  @Test func jitShowsXlatedAndMachineCode() throws {
    let (trace, cell) = try dryRun(Self.countDD)
    let text = trace.dump(.jit, of: cell)
    let header = try #require(text.split(separator: "\n").first)
    #expect(header.hasPrefix("sys_exit_read: tracepoint:syscalls:sys_exit_read (id "))
    let parts = text.components(separatedBy: "\njited:\n")
    #expect(parts.count == 2)
    let xlated = parts[0].split(separator: "\n").filter { $0.contains(": ") && !$0.hasPrefix("sys_exit_read") }
    #expect(xlated.count > 0)
    #expect(parts[0].contains("call bpf_get_current_comm"))
    #expect(parts[0].contains("map[id:"))
    #expect(parts[0].contains(" @n]"))
    #expect(!parts[0].contains("code=0x"), "an instruction we emit did not decode:\n\(parts[0])")
    #expect(xlated.last?.hasSuffix(": exit") == true)
    #expect(!parts[1].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
  }

  @Test func sessionLoadsAgainForTheVerifierLog() throws {
    let trace = try TraceSession { _ in }
    _ = try trace.run(SourceFile(name: "cell[1]", text: "BEGIN { @x = 1; }"), cell: 1)
    let cell = try #require(trace.lastCell)
    #expect(cell.programs.first?.verifierLog == nil)
    let text = trace.dump(.verifier, of: cell)
    #expect(text.contains("processed "))
    #expect(cell.programs.first?.verifierLog != nil)  // kept for the next %dump
  }

  @Test func rejectedProgramKeepsItsCodeAndLog() throws {
    let trace = try TraceSession { _ in }
    #expect(throws: TraceSession.CellError.self) {
      try trace.run(SourceFile(name: "stdin", text: "BEGIN { $i = 0; while ($i >= 0) { $i++; } }"))
    }
    let cell = try #require(trace.lastCell)
    #expect(trace.dump(.bpf, of: cell).contains("; $i++  (stdin:1)"))
    let log = trace.dump(.verifier, of: cell)
    #expect(log.contains("(rejected by the verifier)"))
    #expect(trace.dump(.jit, of: cell).contains("(not loaded)"))
  }

  @Test func sessionDumpMagicAndVerboseProbes() throws {
    let chunks = ChunkCollector()
    let session = try Session { cell, chunk in chunks.append(cell, chunk) }
    defer { session.shutdown() }
    #expect(session.execute(Self.countDD, cell: 1) == .ok)
    #expect(session.execute("%dump bpf", cell: 2) == .ok)
    guard case .display(let data, nil, false)? = chunks.of(2).first else {
      Issue.record("expected a display chunk, got \(chunks.of(2))")
      return
    }
    #expect(data["text/plain"]?.hasPrefix("sys_exit_read: tracepoint:syscalls:sys_exit_read (") == true)
    #expect(data["text/html"]?.contains("<table") == true)

    #expect(session.execute("%dump ast #1", cell: 3) == .ok)
    #expect(
      chunks.of(3) == [
        .stdout(
          "Program\n t:syscalls:sys_exit_read\n  predicate\n   ==\n    builtin: comm\n    string: dd\n  unop: ++ (post)\n   map: @n\n"
        )
      ])
    #expect(session.execute("%dump types,jit 1", cell: 4) == .ok)
    let text = chunks.of(4).map(\.plainText).joined()
    #expect(text.hasPrefix("=== types ===\n"))
    #expect(text.contains("=== jit ===\nsys_exit_read: tracepoint:syscalls:sys_exit_read (id "))

    #expect(session.execute("%probes -v", cell: 5) == .ok)
    let table = chunks.of(5).map(\.plainText).joined().split(separator: "\n")
    #expect(table.first?.hasSuffix("PROGRAMS  INSNS  JITED  MAPS") == true)
    #expect(table.dropFirst().first?.hasSuffix("@n") == true)

    guard case .error(_, let message, _) = session.execute("%dump codegen", cell: 6) else {
      Issue.record("expected an error")
      return
    }
    #expect(message.hasPrefix("usage: %dump STAGE"))
    guard case .error(_, let missing, _) = session.execute("%dump bpf #99", cell: 7) else {
      Issue.record("expected an error")
      return
    }
    #expect(missing == "no such probe: #99 (%probes lists them)")
  }
}

final class ChunkCollector: @unchecked Sendable {
  private var chunks: [(Int, SessionChunk)] = []
  private let lock = Lock()
  func append(_ cell: Int, _ chunk: SessionChunk) { lock.locked { chunks.append((cell, chunk)) } }
  func of(_ cell: Int) -> [SessionChunk] { lock.locked { chunks.filter { $0.0 == cell }.map(\.1) } }
}
