import Foundation
import Testing

@testable import Engine

/// Collects what a session prints, per cell.
final class Transcript: @unchecked Sendable {
  private let lock = NSLock()
  private var chunks: [(Int, SessionChunk)] = []
  func add(_ cell: Int, _ c: SessionChunk) { lock.withLock { chunks.append((cell, c)) } }
  func text(cell: Int? = nil) -> String {
    lock.withLock { chunks.filter { cell == nil || $0.0 == cell! }.map { $0.1.plainText }.joined() }
  }
  func clear() { lock.withLock { chunks.removeAll() } }
}

func makeSession() throws -> (Session, Transcript) {
  let t = Transcript()
  let s = try Session(colorize: false) { cell, chunk in t.add(cell, chunk) }
  return (s, t)
}

/// Perf-event BPF links of this process (what `bpftool link list` would attribute to us).
func ownLinkCount() -> Int {
  let dir = "/proc/self/fdinfo"
  let fds = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
  return fds.filter { fd in
    ((try? String(contentsOfFile: "\(dir)/\(fd)", encoding: .utf8)) ?? "").contains("link_type:\tperf")
  }.count
}

func waitUntil(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(20_000)
  }
  return condition()
}

@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root to load BPF programs"))
struct SessionTests {
  @Test func mapsAndProbesPersistAcrossCells() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(s.execute("t:syscalls:sys_enter_getppid /pid == \(getpid())/ { @calls = count(); }", cell: 1) == .ok)
    for _ in 0..<7 { _ = getppid() }
    #expect(s.execute("print(@calls)", cell: 2) == .ok)
    #expect(t.text(cell: 2) == "@calls: 7\n")
    for _ in 0..<3 { _ = getppid() }
    t.clear()
    #expect(s.execute("print(@calls)", cell: 3) == .ok)
    #expect(t.text(cell: 3) == "@calls: 10\n")
  }

  /// C definitions made in one cell serve later cells; a failed cell's definitions are dropped.
  @Test func cDefinitionsPersistAcrossCells() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(
      s.execute("#define LEVEL 3\nenum mode { OFF, ON = 7 };\nstruct pair { char tag; long value; };", cell: 1) == .ok)
    #expect(
      s.execute(#"printf("%d %d %d %d\n", sizeof(struct pair), offsetof(struct pair, value), LEVEL, ON)"#, cell: 2)
        == .ok)
    #expect(t.text(cell: 2) == "16 8 3 7\n")
    #expect(s.execute("struct broken { int a; };\n@x = nosuchbuiltin", cell: 3) != .ok)
    guard case .error(_, let message, _) = s.execute("print(sizeof(struct broken))", cell: 4) else {
      Issue.record("struct broken outlived its failed cell")
      return
    }
    #expect(message.contains("Unknown struct/union: 'struct broken'"), "got \(message)")
  }

  @Test func eventOutputBelongsToTheAttachingCell() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(
      s.execute("t:syscalls:sys_enter_getppid /pid == \(getpid())/ { printf(\"ppid call %d\\n\", 1); }", cell: 1) == .ok
    )
    #expect(s.execute("BEGIN { printf(\"cell two\\n\"); }", cell: 2) == .ok)
    _ = getppid()
    #expect(waitUntil { t.text(cell: 1).contains("ppid call 1\n") })
    #expect(!t.text(cell: 2).contains("ppid call"))
    #expect(t.text(cell: 2) == "cell two\n")
  }

  @Test func aCellAttachesAllOfItsProbesOrNone() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    // Links of earlier tests may still be in the background closer's queue.
    BackgroundCloser.shared.waitUntilIdle()
    let before = ownLinkCount()
    // The second probe fails to attach (no such tracepoint): the first must not stay attached.
    let r = s.execute("t:syscalls:sys_enter_getppid { @a = count(); }\nt:nosuch:tracepoint { @b = count(); }", cell: 1)
    guard case .error(_, let message, _) = r else {
      Issue.record("expected an error, got \(r)")
      return
    }
    #expect(message.contains("nosuch"))
    #expect(ownLinkCount() == before)
    t.clear()
    #expect(s.execute("%maps", cell: 2) == .ok)
    #expect(t.text(cell: 2) == "No maps.\n")
  }

  @Test func typeConflictWithAnEarlierCellIsAnErrorAndChangesNothing() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(s.execute("@x = 1", cell: 1) == .ok)
    let r = s.execute("@x = comm; @y = 2", cell: 2)
    guard case .error(let name, _, let traceback) = r else {
      Issue.record("expected an error")
      return
    }
    #expect(name == "CompileError")
    #expect(traceback.first?.hasPrefix("cell[2]:1:1-3: ERROR: Type mismatch for @x") == true)
    t.clear()
    #expect(s.execute("print(@x)", cell: 3) == .ok)
    #expect(t.text(cell: 3) == "@x: 1\n")
    #expect(s.execute("%maps", cell: 4) == .ok)
    #expect(!t.text(cell: 4).contains("@y"))
  }

  @Test func detachRunsEndAndStopsEventsAtOnce() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(
      s.execute(
        "t:syscalls:sys_enter_getppid /pid == \(getpid())/ { @n = count(); }\nEND { printf(\"end ran\\n\"); }", cell: 1)
        == .ok)
    _ = getppid()
    #expect(s.execute("%detach all", cell: 2) == .ok)
    #expect(waitUntil { t.text(cell: 1).contains("end ran\n") })
    for _ in 0..<5 { _ = getppid() }
    t.clear()
    #expect(s.execute("print(@n)", cell: 3) == .ok)
    #expect(t.text(cell: 3) == "@n: 1\n")
    #expect(waitUntil { ownLinkCount() == 0 })
  }

  @Test func shutdownLeavesNoLinkBehind() throws {
    let (s, _) = try makeSession()
    #expect(s.execute("t:syscalls:sys_enter_getppid { @a = count(); }\ni:ms:100 { @b = count(); }", cell: 1) == .ok)
    #expect(ownLinkCount() >= 2)
    s.shutdown()
    #expect(waitUntil(10) { ownLinkCount() == 0 })
  }

  @Test func timedRunDetachesAndPrintsTheMapsItUsed() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(s.execute("%%run 300ms\ni:ms:50 { @ticks = count(); }", cell: 1) == .ok)
    let text = t.text(cell: 1)
    let n = text.split(separator: "\n").first { $0.hasPrefix("@ticks: ") }.flatMap { Int($0.dropFirst(8)) } ?? 0
    #expect((3...7).contains(n), "output: \(text)")
    t.clear()
    #expect(s.execute("%probes", cell: 2) == .ok)
    #expect(t.text(cell: 2) == "No probes attached.\n")
  }

  @Test func shellLinesDriveTheWorkloadInOrder() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    let cell = """
      t:syscalls:sys_enter_openat /comm == "cat"/ { @opens = count(); }
      !cat /etc/hostname > /dev/null
      print(@opens)
      """
    #expect(s.execute(cell, cell: 1) == .ok)
    let line = t.text(cell: 1).split(separator: "\n").first { $0.hasPrefix("@opens: ") }
    #expect((line.flatMap { Int($0.dropFirst(8)) } ?? 0) >= 1, "output: \(t.text(cell: 1))")
  }

  @Test func errorsAreUnderlinedAndTheSessionGoesOn() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    let r = s.execute("BEGIN { @x = ; }", cell: 1)
    guard case .error(_, _, let traceback) = r else {
      Issue.record("expected an error")
      return
    }
    #expect(
      traceback == [
        "cell[1]:1:14-15: ERROR: syntax error, unexpected ';', expecting an expression", "BEGIN { @x = ; }",
        "             ~",
      ])
    #expect(s.execute("BEGIN { printf(\"fine\\n\"); }", cell: 2) == .ok)
    #expect(t.text(cell: 2) == "fine\n")
  }

  @Test func notebookCodeCellsCarryTheirTags() throws {
    let path = NSTemporaryDirectory() + "bpfrepl-tags-\(getpid()).ipynb"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let nb = """
      {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "text"},
        {"cell_type": "code", "metadata": {}, "source": ["BEGIN { }\\n", "END { }"], "outputs": []},
        {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": "k:f { }", "outputs": []}]}
      """
    try nb.write(toFile: path, atomically: true, encoding: .utf8)
    let cells = try Notebook.taggedCodeCells(at: path)
    #expect(cells.map(\.source) == ["BEGIN { }\nEND { }", "k:f { }"])
    #expect(cells.map(\.tags) == [[], ["raises-exception"]])
    #expect(try Notebook.codeCells(at: path) == ["BEGIN { }\nEND { }", "k:f { }"])
  }

  @Test func recordsSaveAsANotebook() throws {
    let (s, _) = try makeSession()
    defer { s.shutdown() }
    #expect(s.execute("BEGIN { printf(\"hello\\n\"); }", cell: 1) == .ok)
    _ = s.execute("BEGIN { @x = ; }", cell: 2)
    let path = NSTemporaryDirectory() + "bpfrepl-\(getpid()).ipynb"
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(s.execute("%save \(path)", cell: 3) == .ok)
    #expect(try Notebook.codeCells(at: path) == ["BEGIN { printf(\"hello\\n\"); }", "BEGIN { @x = ; }"])
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    let cells = json["cells"] as! [[String: Any]]
    let out0 = (cells[0]["outputs"] as! [[String: Any]])[0]
    #expect(out0["name"] as? String == "stdout")
    #expect(out0["text"] as? [String] == ["hello\n"])
    #expect(((cells[1]["outputs"] as! [[String: Any]]).last?["output_type"] as? String) == "error")
    #expect(((json["metadata"] as! [String: Any])["kernelspec"] as! [String: Any])["name"] as? String == "bpfrepl")
  }
}
