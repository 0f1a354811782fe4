import Engine
import Kernel

/// Serves a Session to Jupyter: the kernel protocol layer stays unaware of BPF.
final class SessionKernelBackend: KernelBackend {
  let session: Session

  init() throws {
    session = try Session(colorize: false)
    session.richOutput = true
  }

  func execute(code: String, cellID: Int, output: @escaping @Sendable (Int, CellOutput) -> Void) -> ExecuteOutcome {
    session.sink = { cell, chunk in
      switch chunk {
      case .stdout(let t): output(cell, .stdout(t))
      case .stderr(let t): output(cell, .stderr(t))
      case .display(let data, let id, let update): output(cell, .display(data: data, displayID: id, update: update))
      }
    }
    switch session.execute(code, cell: cellID) {
    case .ok: return .ok
    case .interrupted: return .aborted
    case .error(let name, let message, let traceback): return .error(name: name, value: message, traceback: traceback)
    }
  }

  func isComplete(_ code: String) -> (status: String, indent: String) {
    let last = code.split(separator: "\n").last.map(String.init) ?? ""
    if last.hasPrefix("%") || last.hasPrefix("!") { return ("complete", "") }
    switch ProgramParser.completeness(of: code) {
    case .complete: return ("complete", "")
    case .incomplete: return ("incomplete", "  ")
    case .invalid: return ("invalid", "")
    }
  }

  func complete(_ code: String, cursor: Int) -> (matches: [String], cursorStart: Int, cursorEnd: Int) {
    let r = session.complete(code, cursor: cursor)
    return (r.matches, r.start, r.end)
  }

  func inspect(_ code: String, cursor: Int, detailLevel: Int) -> String? {
    session.inspect(code, cursor: cursor)
  }

  func interrupt() { session.interrupt() }
  func shutdown() {
    session.shutdown()
    DetachHandoff.beforeExit()
  }
}
