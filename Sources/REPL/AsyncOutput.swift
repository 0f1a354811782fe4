import Foundation
import Glibc

/// Where everything the session prints goes, from any thread: the cell's thread while it runs and
/// the session's event pump for probes of earlier cells. While a cell runs (or with no line
/// editor) text is written at once; while the line editor waits for keys it is queued and the
/// editor is woken through a pipe, so that it alone touches the terminal and can print the text
/// above the line being typed.
final class AsyncOutput: @unchecked Sendable {
  enum Stream { case stdout, stderr }

  private let lock = NSLock()
  private var queued: [(Stream, String)] = []
  private var editing = false
  private var wakePending = false
  /// Whether the last character written ended a line (the prompt must start on a fresh one).
  private var atLineStart = true
  /// The editor polls this descriptor; a byte means "something to do".
  let wakeFD: Int32
  private let wakeWriteFD: Int32

  init() {
    var fds: [Int32] = [0, 0]
    pipe(&fds)
    for fd in fds {
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      _ = fcntl(fd, F_SETFL, O_NONBLOCK)
    }
    wakeFD = fds[0]
    wakeWriteFD = fds[1]
  }

  /// Any thread.
  func write(_ text: String, to stream: Stream) {
    guard !text.isEmpty else { return }
    lock.lock()
    defer { lock.unlock() }
    if editing {
      queued.append((stream, text))
      wakeLocked()
    } else {
      AsyncOutput.writeAll(stream == .stdout ? 1 : 2, text)
      atLineStart = text.hasSuffix("\n")
    }
  }

  /// Wakes the editor without output (a signal wants it to act).
  func wake() {
    lock.lock()
    wakeLocked()
    lock.unlock()
  }

  private func wakeLocked() {
    if !wakePending {
      wakePending = true
      var b: UInt8 = 1
      _ = Glibc.write(wakeWriteFD, &b, 1)
    }
  }

  var isEditing: Bool {
    lock.lock()
    defer { lock.unlock() }
    return editing
  }

  /// From now on output is queued for the editor; the prompt will start on a fresh line.
  func beginEditing() {
    lock.lock()
    defer { lock.unlock() }
    if !atLineStart {
      AsyncOutput.writeAll(1, "\n")
      atLineStart = true
    }
    editing = true
  }

  /// The editor returned a line: write what it did not get to print, then write directly again.
  func endEditing() {
    lock.lock()
    defer { lock.unlock() }
    editing = false
    for (stream, text) in queued {
      AsyncOutput.writeAll(stream == .stdout ? 1 : 2, text)
      atLineStart = text.hasSuffix("\n")
    }
    queued.removeAll()
    drainLocked()
  }

  /// The editor takes the queued text to print it itself.
  func takeQueued() -> [(Stream, String)] {
    lock.lock()
    defer { lock.unlock() }
    drainLocked()
    let q = queued
    queued.removeAll()
    return q
  }

  var hasQueued: Bool {
    lock.lock()
    defer { lock.unlock() }
    return !queued.isEmpty
  }

  /// Empties the wake pipe; the next write or wake() signals again.
  func drainWake() {
    lock.lock()
    drainLocked()
    lock.unlock()
  }

  private func drainLocked() {
    var buf = [UInt8](repeating: 0, count: 64)
    while Glibc.read(wakeFD, &buf, buf.count) > 0 {}
    wakePending = false
  }

  static func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { buf in
      var off = 0
      while off < buf.count {
        let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
        if n < 0 {
          if errno == EINTR || errno == EAGAIN { continue }
          return
        }
        off += n
      }
    }
  }
}
