/// What the Jupyter kernel needs from the language engine. The Session implements it;
/// the protocol layer owns everything else (sockets, messages, history, counters).

public enum CellOutput: Sendable {
  case stdout(String)
  case stderr(String)
  /// Rich output: mime bundle (e.g. "text/plain", "text/html", "image/svg+xml"); displayID set for live-updating views; update=true means update_display_data.
  case display(data: [String: String], displayID: String?, update: Bool)
}

public enum ExecuteOutcome: Sendable {
  case ok
  case error(name: String, value: String, traceback: [String])
  case aborted  // interrupted
}

public protocol KernelBackend: AnyObject {
  /// Runs one cell synchronously on the shell thread. Cell-time output is delivered through `output` too (synchronously, before returning); later, output of probes attached by this cell arrives via `output` from other threads, tagged with the same cellID.
  ///
  /// cellID is the execution count for cells that store history (1, 2, 3, ...); cells that
  /// do not (silent or store_history=false) get negative IDs (-1, -2, ...) so IDs never collide.
  func execute(code: String, cellID: Int, output: @escaping @Sendable (_ cellID: Int, _ chunk: CellOutput) -> Void)
    -> ExecuteOutcome
  func isComplete(_ code: String) -> (status: String /* complete|incomplete|invalid|unknown */, indent: String)
  /// `cursor` and the returned positions are offsets in Unicode scalars (code points), as the protocol (5.2+) defines them.
  func complete(_ code: String, cursor: Int) -> (matches: [String], cursorStart: Int, cursorEnd: Int)
  func inspect(_ code: String, cursor: Int, detailLevel: Int) -> String?  // plain text docs, nil = not found
  func interrupt()  // called from the control thread while execute may be running
  func shutdown()  // detach everything
}
