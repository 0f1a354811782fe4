import Foundation

/// Inputs of the cells run with store_history, for history_request. Kept in memory:
/// a kernel process is one history session (session number 1).
struct History {
  struct Entry: Equatable {
    let line: Int  // the cell's execution_count
    let input: String
  }

  static let session = 1
  private(set) var entries: [Entry] = []

  mutating func record(line: Int, input: String) { entries.append(Entry(line: line, input: input)) }

  /// Answers a history_request's content with the reply's `history` list.
  func query(_ request: JSON) -> [JSON] {
    let output = request["output"]?.boolValue ?? false
    let n = request["n"]?.intValue
    let selected: [Entry]
    switch request["hist_access_type"]?.stringValue ?? "tail" {
    case "range":
      // session 0 or negative counts back from the current one; only the current exists.
      let session = request["session"]?.intValue ?? 0
      guard session == History.session || session == 0 else { return [] }
      let start = request["start"]?.intValue ?? 0
      let stop = request["stop"]?.intValue
      selected = entries.filter { $0.line >= start && (stop == nil || $0.line < stop!) }
    case "search":
      let pattern = request["pattern"]?.stringValue ?? "*"
      var matches = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
      if request["unique"]?.boolValue == true {
        // Keep the most recent occurrence of each input.
        var seen = Set<String>()
        matches = matches.reversed().filter { seen.insert($0.input).inserted }.reversed()
      }
      selected = n.map { Array(matches.suffix(max(0, $0))) } ?? matches
    default:  // "tail"
      selected = Array(entries.suffix(max(0, n ?? 10)))
    }
    return selected.map { e in
      let item: JSON = output ? [.string(e.input), .null] : .string(e.input)
      return [.int(Int64(History.session)), .int(Int64(e.line)), item]
    }
  }
}
