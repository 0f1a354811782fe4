/// Output of a cell, for any front end. Event output of probes arrives later, tagged with the
/// cell that attached them.
public enum SessionChunk: Sendable, Equatable {
  case stdout(String)
  case stderr(String)
  /// A rich view: mime type -> data (always with "text/plain"); `displayID` for live views.
  case display([String: String], displayID: String?, update: Bool)

  var plainText: String {
    switch self {
    case .stdout(let s), .stderr(let s): s
    case .display(let data, _, _): data["text/plain"] ?? ""
    }
  }
}

public enum CellOutcome: Sendable, Equatable {
  case ok
  /// `traceback` holds the rendered, underlined diagnostic lines.
  case error(name: String, message: String, traceback: [String])
  case interrupted
}

/// One executed cell and everything it printed, including later event output: a session record.
public struct CellRecord: Sendable {
  public var cell: Int
  public var source: String
  public var outputs: [SessionChunk]
  public var outcome: CellOutcome
}
