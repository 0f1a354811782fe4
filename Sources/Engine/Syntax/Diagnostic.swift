/// A problem found in a program, as a value: where, how bad, and what to say. Rendered in one place
/// (`DiagnosticRenderer`) in bpftrace's form.
public struct Diagnostic: Error, Sendable, Equatable {
  public enum Severity: String, Sendable {
    case error = "ERROR"
    case warning = "WARNING"
    /// Guidance with nothing wrong in the program (e.g. the `-- --help` list of program options).
    case hint = "HINT"
  }

  public var severity: Severity
  public var message: String
  /// nil for diagnostics about the whole program (e.g. a verifier rejection with no better place).
  public var range: SourceRange?
  /// Extra lines printed after the source context (hints, verifier log excerpts).
  public var notes: [String]

  public init(_ severity: Severity = .error, _ message: String, at range: SourceRange?, notes: [String] = []) {
    self.severity = severity
    self.message = message
    self.range = range
    self.notes = notes
  }

  public static func error(_ message: String, at range: SourceRange?, notes: [String] = []) -> Diagnostic {
    Diagnostic(.error, message, at: range, notes: notes)
  }
}

/// Several diagnostics at once; what every compile stage throws.
public struct DiagnosticList: Error, Sendable {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Renders diagnostics like bpftrace:
///
///     stdin:1:12-14: ERROR: message
///     BEGIN { @x = ; }
///                ~~
public struct DiagnosticRenderer: Sendable {
  public var colorize: Bool

  public init(colorize: Bool = false) { self.colorize = colorize }

  public func render(_ d: Diagnostic, in file: SourceFile) -> String {
    var out = ""
    let (begin, end) = colorize ? (d.severity == .error ? "\u{1B}[31m" : "\u{1B}[33m", "\u{1B}[0m") : ("", "")
    out += begin
    if let range = d.range {
      out += file.locationText(of: range) + ": "
    }
    out += "\(d.severity.rawValue): \(d.message)\(end)\n"
    if let range = d.range {
      out += context(range, in: file)
    }
    for note in d.notes { out += note.hasSuffix("\n") ? note : note + "\n" }
    return out
  }

  public func render(_ list: [Diagnostic], in file: SourceFile) -> String {
    list.map { render($0, in: file) }.joined()
  }

  /// The source line(s) and, for a single line, a `~` underline under the range (tabs widened to 4).
  private func context(_ range: SourceRange, in file: SourceFile) -> String {
    let s = file.position(of: range.start)
    let e = file.position(of: max(range.start, range.end))
    if s.line != e.line {
      return (s.line...e.line).map { file.line($0) + "\n" }.joined()
    }
    let line = Array(file.line(s.line).utf8)
    var marks = ""
    let endColumn = max(e.column, s.column + 1)
    for (x, c) in line.enumerated() {
      let mark: Character = x < s.column - 1 ? " " : "~"
      if c == UInt8(ascii: "\t") {
        if x < endColumn - 1 { marks += String(repeating: mark, count: 4) }
      } else {
        if x < endColumn - 1 { marks.append(mark) }
      }
    }
    // An error at the very end of input (e.g. a missing '}') still gets a visible marker.
    if marks.allSatisfy({ $0 == " " }) { marks += "~" }
    return String(decoding: line, as: UTF8.self).replacingTabs() + "\n" + marks + "\n"
  }
}

extension String {
  fileprivate func replacingTabs() -> String {
    var r = ""
    for ch in self { if ch == "\t" { r += "    " } else { r.append(ch) } }
    return r
  }
}
