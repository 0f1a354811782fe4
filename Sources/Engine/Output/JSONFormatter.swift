/// bpftrace's `-f json` output (upstream `JsonOutput`): one JSON object per line, every line
/// ending in `\n`, all on stdout.
public enum JSONFormatter {
  /// `{"type": "map"|"hist"|"stats"|"tseries", "data": {"@m": ...}}`. Scalar maps hold the value itself;
  /// keyed maps an object whose keys are the key's text with the outer parentheses and every
  /// space removed (`@[comm, 2]` -> `"bpftrace,2"`). Returns "" when upstream prints nothing
  /// (a map with no entries, unless it is an avg/stats map, which prints `{}`).
  public static func map(_ m: MapSnapshot, top: Int = 0, div: UInt64 = 0) -> String {
    var w = ByteWriter(capacity: 256)
    writeMap(m, top: top, div: div, into: &w)
    return w.string
  }

  static func writeMap(_ m: MapSnapshot, top: Int, div: UInt64, into w: inout ByteWriter) {
    let entries = MapOrdering.ordered(m, top: top)
    let type: StaticString
    var isStats = false
    switch m.entries.first?.value {
    case .average?, .stats?: isStats = true
    case nil: isStats = m.isAverageOrStats
    default: break
    }
    switch m.entries.first?.value {
    case _ where isStats: type = "stats"
    case .hist?, .lhist?: type = "hist"
    case .tseries?: type = "tseries"
    default: type = "map"
    }
    // Upstream drops empty maps, except avg/stats maps, which it wraps differently.
    if entries.isEmpty && !isStats { return }
    w.append("{\"type\": \"")
    w.append(type)
    w.append("\", \"data\": {")
    JSONValue.writeString(m.name, into: &w)
    w.append(": ")
    if m.isScalar, let e = entries.first {
      writePrinted(MapOrdering.printed(e.value, div: div), into: &w)
    } else {
      w.append(UInt8(ascii: "{"))
      for (i, e) in entries.enumerated() {
        if i > 0 { w.append(", ") }
        writeKey(e.key ?? .none, into: &w)
        w.append(": ")
        writePrinted(MapOrdering.printed(e.value, div: div), into: &w)
      }
      w.append(UInt8(ascii: "}"))
    }
    w.append("}}\n")
  }

  private static func writePrinted(_ p: PrintedValue, into w: inout ByteWriter) {
    switch p {
    case .primitive(let v): JSONValue.write(v, into: &w)
    case .histogram(let rows): rows.writeJSON(into: &w)
    case .timeSeries(let rows): rows.writeJSON(into: &w)
    }
  }

  private static func writeKey(_ key: OutputValue, into w: inout ByteWriter) {
    var t = ByteWriter()
    TextFormatter.writeKey(key, into: &t)
    JSONValue.writeString(bytes: t.bytes.filter { $0 != UInt8(ascii: " ") }, into: &w)
  }

  /// The maps printed at exit, ordered by name; JSON prints nothing for the end of the main loop.
  public static func exitMaps(_ maps: [MapSnapshot]) -> String {
    var w = ByteWriter(capacity: 256)
    for m in maps.sorted(by: { MapOrdering.lexicographicLess(Array($0.name.utf8), Array($1.name.utf8)) }) {
      writeMap(m, top: 0, div: 0, into: &w)
    }
    return w.string
  }

  /// `print(value)`: `{"type": "value", "data": ...}`.
  public static func value(_ v: OutputValue) -> String {
    var w = ByteWriter()
    w.append("{\"type\": \"value\", \"data\": ")
    JSONValue.write(v, into: &w)
    w.append("}\n")
    return w.string
  }

  /// A value as JSON, without a line around it.
  public static func json(_ v: OutputValue) -> String {
    var w = ByteWriter()
    JSONValue.write(v, into: &w)
    return w.string
  }

  public static func printf(_ formatted: String) -> String { stringLine("printf", formatted) }
  public static func time(_ s: String) -> String { stringLine("time", s) }
  public static func cat(_ s: String) -> String { stringLine("cat", s) }
  public static func join(_ s: String) -> String { stringLine("join", s) }
  public static func syscall(_ s: String) -> String { stringLine("syscall", s) }

  /// `{"type": "<type>", "data": "<escaped string>"}`.
  static func stringLine(_ type: StaticString, _ s: String) -> String {
    var w = ByteWriter(capacity: s.utf8.count + 40)
    w.append("{\"type\": \"")
    w.append(type)
    w.append("\", \"data\": ")
    JSONValue.writeString(s, into: &w)
    w.append("}\n")
    return w.string
  }

  /// `printf` into an existing buffer: the hot path for high-rate events.
  public static func appendPrintf(_ formatted: [UInt8], to out: inout [UInt8]) {
    ByteWriter.appending(to: &out) { w in
      w.append("{\"type\": \"printf\", \"data\": ")
      JSONValue.writeString(bytes: formatted, into: &w)
      w.append("}\n")
    }
  }

  public static func attachedProbes(_ n: UInt64) -> String {
    "{\"type\": \"attached_probes\", \"count\": \(n), \"data\": {\"probes\": \(n)}}\n"
  }

  public static func lostEvents(_ n: UInt64) -> String {
    "{\"type\": \"lost_events\", \"count\": \(n), \"data\": {\"events\": \(n)}}\n"
  }

  /// `errorf()` / `warnf()`: `{"type": "errorf", "msg": ..., "filename": ..., "line": N, "col": N}`.
  public static func errorf(_ msg: String, isError: Bool, filename: String, line: UInt64, column: UInt64) -> String {
    var w = ByteWriter()
    w.append(isError ? "{\"type\": \"errorf\"" : "{\"type\": \"warnf\"")
    w.append(", \"msg\": ")
    JSONValue.writeString(msg, into: &w)
    writeLocation(filename: filename, line: line, column: column, into: &w)
    return w.string
  }

  /// A failed BPF helper call: `{"type": "helper_error", "msg": "Bad address", "helper":
  /// "probe_read_user", "retcode": -14, "filename": "stdin", "line": 1, "col": 87}`.
  public static func helperError(
    message: String, helper: String, retcode: Int64,
    filename: String, line: UInt64, column: UInt64
  ) -> String {
    var w = ByteWriter()
    w.append("{\"type\": \"helper_error\", \"msg\": ")
    JSONValue.writeString(message, into: &w)
    w.append(", \"helper\": ")
    JSONValue.writeString(helper, into: &w)
    w.append(", \"retcode\": ")
    JSONValue.writeNumber(retcode, into: &w)
    writeLocation(filename: filename, line: line, column: column, into: &w)
    return w.string
  }

  /// Any other runtime error: `{"type": "runtime_error", "msg": ..., "filename": ..., ...}`.
  public static func runtimeError(message: String, filename: String, line: UInt64, column: UInt64) -> String {
    var w = ByteWriter()
    w.append("{\"type\": \"runtime_error\", \"msg\": ")
    JSONValue.writeString(message, into: &w)
    writeLocation(filename: filename, line: line, column: column, into: &w)
    return w.string
  }

  private static func writeLocation(filename: String, line: UInt64, column: UInt64, into w: inout ByteWriter) {
    w.append(", \"filename\": ")
    JSONValue.writeString(filename, into: &w)
    w.append(", \"line\": ")
    JSONValue.writeNumber(line, into: &w)
    w.append(", \"col\": ")
    JSONValue.writeNumber(column, into: &w)
    w.append("}\n")
  }
}
