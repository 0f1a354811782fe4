import Engine
import Glibc

/// What every front end on a Session shares: where a typed cell ends, and how its outcome is shown.
enum CellText {
  /// Whether the lines so far make a whole cell. A blank line always ends one. A `%%` cell magic
  /// (`%%run 5s`) runs to a blank line, as its body may hold several probes — unless the text
  /// came in one piece (`multiLineEntry`: pasted, recalled from history, Alt-Enter) and its body
  /// parses. Otherwise a `%` or `!` line ends the cell (as the Jupyter kernel's is_complete says),
  /// and program text ends it once it parses, or fails to parse for a reason more lines cannot
  /// fix (the error shows).
  static func isComplete(_ text: String, lastLineBlank: Bool, multiLineEntry: Bool = false) -> Bool {
    if lastLineBlank { return true }
    let trimmed = text.strippingWhitespace
    if trimmed.hasPrefix("%%") {
      guard multiLineEntry, let newline = trimmed.firstIndex(of: "\n") else { return false }
      return ProgramParser.completeness(of: String(trimmed[newline...])) == .complete
    }
    let last =
      text.split(separator: "\n", omittingEmptySubsequences: false).last.map { String($0).strippingWhitespace } ?? ""
    if last.hasPrefix("%") || last.hasPrefix("!") { return true }
    return ProgramParser.completeness(of: text) != .incomplete
  }

  /// `%quit` and `%exit` end the session; the front end handles them, not the Session.
  static func isQuit(_ cell: String) -> Bool {
    ["%quit", "%exit"].contains(cell.strippingWhitespace)
  }

  /// The cell as it runs and is remembered: without trailing blank lines.
  static func normalized(_ lines: [String]) -> String {
    var lines = lines
    while let last = lines.last, last.strippingWhitespace.isEmpty { lines.removeLast() }
    return lines.joined(separator: "\n")
  }

  /// Writes an error's diagnostic (already underlined by the Session) to stderr, red when
  /// `colorize`. Returns whether the cell failed.
  @discardableResult
  static func report(_ outcome: CellOutcome, colorize: Bool, to output: AsyncOutput) -> Bool {
    switch outcome {
    case .ok:
      return false
    case .interrupted:
      output.write("Interrupted\n", to: .stderr)
      return false
    case .error(_, let message, let traceback):
      var text = traceback.isEmpty ? "ERROR: \(message)" : traceback.joined(separator: "\n")
      // Compile errors come colored from the Session; color the others here.
      if colorize, !text.contains("\u{1B}[") { text = "\u{1B}[31m\(text)\u{1B}[0m" }
      output.write(text.hasSuffix("\n") ? text : text + "\n", to: .stderr)
      return true
    }
  }

  /// The Session's sink for a terminal or a pipe: rich views print their plain text.
  /// A session printing to `output`; on failure the error is reported there and nil returned.
  static func startSession(colorize: Bool, output: AsyncOutput) -> Session? {
    do {
      return try Session(colorize: colorize, sink: sink(output))
    } catch {
      report(
        .error(name: "Error", message: "cannot start a session: \(error)", traceback: []), colorize: colorize,
        to: output)
      return nil
    }
  }

  static func sink(_ output: AsyncOutput) -> @Sendable (Int, SessionChunk) -> Void {
    { _, chunk in
      switch chunk {
      case .stdout(let t): output.write(t, to: .stdout)
      case .stderr(let t): output.write(t, to: .stderr)
      case .display(let data, _, _): output.write((data["text/plain"] ?? "") + "\n", to: .stdout)
      }
    }
  }
}

extension String {
  var strippingWhitespace: String {
    var s = Substring(self)
    while s.first?.isWhitespace == true { s = s.dropFirst() }
    while s.last?.isWhitespace == true { s = s.dropLast() }
    return String(s)
  }
}
