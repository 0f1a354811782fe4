// TEMPORARY: delete when the real Session adapter is plugged into `makeKernelBackend`.
//
// A stand-in backend that evaluates nothing. It exists only so the Jupyter protocol
// layer can be tested end to end before the Session exists:
//   plain code         echoed back on stdout
//   code with "error"  an error outcome with a bpftrace-style diagnostic traceback
//   %%sleep N [error]  sleeps N seconds (interruptible -> aborted), then fails if "error" follows
//   %%tick N           returns at once; N stdout chunks follow from a background thread, 10 ms apart
//   %%flood            returns at once; 100k stdout chunks follow as fast as possible
//   %%display          a display_data with a display_id, then 3 update_display_data
//   %%stderr TEXT      TEXT on stderr
import Foundation
import Kernel

final class ProtocolProbeBackend: KernelBackend, @unchecked Sendable {
  private let lock = NSLock()
  private var interrupted = false
  private var stopped = false

  private var isInterrupted: Bool {
    lock.lock()
    defer { lock.unlock() }
    return interrupted
  }

  private var isStopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped
  }

  func execute(code: String, cellID: Int, output: @escaping @Sendable (Int, CellOutput) -> Void) -> ExecuteOutcome {
    lock.lock()
    interrupted = false
    lock.unlock()
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
    let words = text.split(separator: " ", maxSplits: 1).map(String.init)
    let argument = words.count > 1 ? words[1] : ""

    switch words.first ?? "" {
    case "%%sleep":
      let seconds = argument.split(separator: " ").first.flatMap { Double($0) } ?? 1
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        if isInterrupted { return .aborted }
        usleep(10_000)
      }
      if argument.contains("error") {
        return .error(name: "RuntimeError", value: "failed after sleeping", traceback: ["failed after sleeping"])
      }
      output(cellID, .stdout("slept \(seconds)\n"))
      return .ok
    case "%%tick":
      let n = Int(argument) ?? 10
      output(cellID, .stdout("ticking \(n)\n"))
      background {
        for i in 1...max(1, n) {
          usleep(10_000)
          if self.isStopped { return }
          output(cellID, .stdout("tick \(i)\n"))
        }
      }
      return .ok
    case "%%flood":
      output(cellID, .stdout("flooding\n"))
      background {
        for i in 0..<100_000 {
          if self.isStopped { return }
          output(cellID, .stdout("event \(i)\n"))
        }
      }
      return .ok
    case "%%display":
      let id = "probe-display-\(cellID)"
      output(cellID, .display(data: ["text/plain": "0", "text/html": "<b>0</b>"], displayID: id, update: false))
      background {
        for i in 1...3 {
          usleep(20_000)
          output(cellID, .display(data: ["text/plain": "\(i)", "text/html": "<b>\(i)</b>"], displayID: id, update: true))
        }
      }
      return .ok
    case "%%stderr":
      output(cellID, .stderr(argument + "\n"))
      return .ok
    default:
      if let r = code.range(of: "error") {
        return .error(name: "SemanticError", value: "Unknown identifier: 'error'", traceback: diagnostic(code, r))
      }
      output(cellID, .stdout(code.hasSuffix("\n") ? code : code + "\n"))
      return .ok
    }
  }

  /// bpftrace's diagnostic shape: location line, the source line, an underline.
  private func diagnostic(_ code: String, _ r: Range<String.Index>) -> [String] {
    let before = code[..<r.lowerBound]
    let line = before.filter { $0 == "\n" }.count + 1
    let lineStart = before.lastIndex(of: "\n").map { code.index(after: $0) } ?? code.startIndex
    let column = code.distance(from: lineStart, to: r.lowerBound) + 1
    let sourceLine = code[lineStart...].prefix { $0 != "\n" }
    return [
      "stdin:\(line):\(column)-\(column + 5): ERROR: Unknown identifier: 'error'",
      String(sourceLine),
      String(repeating: " ", count: column - 1) + "~~~~~",
    ]
  }

  private func background(_ body: @escaping @Sendable () -> Void) {
    Thread(block: body).start()
  }

  func isComplete(_ code: String) -> (status: String, indent: String) {
    var depth = 0
    for c in code {
      if c == "{" || c == "(" { depth += 1 }
      if c == "}" || c == ")" { depth -= 1 }
      if depth < 0 { return ("invalid", "") }
    }
    return depth > 0 ? ("incomplete", "  ") : ("complete", "")
  }

  private static let words = ["printf", "print", "count", "hist", "lhist", "kprobe", "tracepoint", "interval", "BEGIN", "END"]
  private static let docs = [
    "printf": "printf(fmt, ...): print formatted text",
    "count": "count(): count how many times it is called",
  ]

  func complete(_ code: String, cursor: Int) -> (matches: [String], cursorStart: Int, cursorEnd: Int) {
    let scalars = Array(code.unicodeScalars.prefix(cursor))
    var start = scalars.count
    while start > 0, CharacterSet.alphanumerics.contains(scalars[start - 1]) || scalars[start - 1] == "_" { start -= 1 }
    let prefix = String(String.UnicodeScalarView(scalars[start...]))
    return (Self.words.filter { $0.hasPrefix(prefix) }, start, cursor)
  }

  func inspect(_ code: String, cursor: Int, detailLevel: Int) -> String? {
    let scalars = Array(code.unicodeScalars)
    func isWord(_ i: Int) -> Bool {
      i >= 0 && i < scalars.count && (CharacterSet.alphanumerics.contains(scalars[i]) || scalars[i] == "_")
    }
    var lo = min(cursor, scalars.count)
    var hi = lo
    while isWord(lo - 1) { lo -= 1 }
    while isWord(hi) { hi += 1 }
    return Self.docs[String(String.UnicodeScalarView(scalars[lo..<hi]))]
  }

  func interrupt() {
    lock.lock()
    interrupted = true
    lock.unlock()
  }

  func shutdown() {
    lock.lock()
    stopped = true
    lock.unlock()
  }
}
