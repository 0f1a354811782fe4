import Engine
import Foundation
import Glibc

/// `bpfrepl < steps.bt`: stdin is not a terminal, so cells are read from it as they come (a cell
/// ends at a blank line or when its text is complete, as in the REPL) and their outputs printed.
/// After the last cell, pending events get a moment to arrive, then everything is detached and
/// END output printed.
///
/// Exit status: 0 when every cell succeeded, 1 when any failed (the remaining cells still run,
/// like a shell script), 130 when SIGINT/SIGTERM stopped it (the running cell is interrupted, the
/// rest skipped, everything detached).
final class ScriptedSession {
  private let colorize: Bool
  private let output = AsyncOutput()
  private let stopLock = NSLock()
  private var stopped = false
  static let signals = [SIGINT, SIGTERM, SIGHUP]

  init(colorize: Bool) { self.colorize = colorize }

  private var isStopped: Bool {
    stopLock.lock()
    defer { stopLock.unlock() }
    return stopped
  }

  func run() -> Int32 {
    Signals.unblock(ScriptedSession.signals)
    guard let session = CellText.startSession(colorize: colorize, output: output) else { return 1 }
    Signals.start(ScriptedSession.signals) { [self] _ in
      stopLock.lock()
      stopped = true
      stopLock.unlock()
      session.interrupt()
      output.wake()  // ends a wait for more input
    }

    let reader = LineReader(fd: 0, wakeFD: output.wakeFD)
    var failed = false
    var pending: [String] = []
    var n = 1
    func runCell() -> Bool {
      let cell = CellText.normalized(pending)
      pending.removeAll()
      if CellText.isQuit(cell) { return false }
      if CellText.report(session.execute(cell, cell: n), colorize: colorize, to: output) { failed = true }
      n += 1
      return !isStopped
    }
    var more = true
    while more, let line = reader.next(stop: { self.isStopped }) {
      let blank = line.strippingWhitespace.isEmpty
      if pending.isEmpty, blank { continue }
      pending.append(line)
      if CellText.isComplete(pending.joined(separator: "\n"), lastLineBlank: blank) { more = runCell() }
    }
    if more, !isStopped, !pending.isEmpty { _ = runCell() }
    if !isStopped { usleep(200_000) }  // events of the last cell's workload still on their way
    session.shutdown()
    DetachHandoff.beforeExit()
    return isStopped ? 130 : failed ? 1 : 0
  }
}

/// Lines from a descriptor, read as they arrive; a byte on `wakeFD` makes a wait check `stop`.
final class LineReader {
  private let fd: Int32
  private let wakeFD: Int32
  private var buffer: [UInt8] = []
  private var eof = false

  init(fd: Int32, wakeFD: Int32) {
    self.fd = fd
    self.wakeFD = wakeFD
  }

  /// The next line without its newline; nil at end of input or when `stop()` says so.
  func next(stop: () -> Bool) -> String? {
    while true {
      if let nl = buffer.firstIndex(of: 10) {
        let line = String(decoding: buffer[..<nl], as: UTF8.self)
        buffer.removeSubrange(...nl)
        return line
      }
      if eof {
        if buffer.isEmpty { return nil }
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
      }
      if stop() { return nil }
      var fds = [
        pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
      ]
      if poll(&fds, 2, -1) < 0 { continue }
      if fds[1].revents != 0 {
        var b = [UInt8](repeating: 0, count: 64)
        _ = read(wakeFD, &b, b.count)
      }
      if fds[0].revents != 0 {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &chunk, chunk.count)
        if n > 0 { buffer += chunk[..<n] } else if n == 0 || (errno != EINTR && errno != EAGAIN) { eof = true }
      }
    }
  }
}
