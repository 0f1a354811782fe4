/// bpftrace's default text output (upstream `TextOutput`). Every function returns exactly the
/// bytes bpftrace writes; `attachedProbes` and `lostEvents` go to stderr, the rest to stdout.
public enum TextFormatter {
  /// `print(@m)`, `print(@m, top)`, `print(@m, top, div)` and the maps printed at exit.
  ///
  /// Keyed maps print one `@m[key]: value` line per entry; tuple keys lose their outer
  /// parentheses (`@m[1, abc]: 5`). Histograms print `@m:` or `@m[key]:` then their rows and a
  /// blank line. A map with no entries prints nothing. (For `print()` of a scalar map with no
  /// value, upstream prints the type's zero value: pass an entry decoded from zeroed bytes.)
  public static func map(_ m: MapSnapshot, top: Int = 0, div: UInt64 = 0) -> String {
    String(decoding: mapBytes(m, top: top, div: div), as: UTF8.self)
  }

  /// `map` as bytes: string keys and values that are not UTF-8 stay as they were read.
  public static func mapBytes(_ m: MapSnapshot, top: Int = 0, div: UInt64 = 0) -> [UInt8] {
    var w = ByteWriter(capacity: 256)
    writeMap(m, top: top, div: div, into: &w)
    return w.bytes
  }

  static func writeMap(_ m: MapSnapshot, top: Int, div: UInt64, into w: inout ByteWriter) {
    let entries = MapOrdering.ordered(m, top: top)
    for e in entries {
      w.append(m.name)
      if let key = e.key {
        w.append(UInt8(ascii: "["))
        writeKey(key, into: &w)
        w.append(UInt8(ascii: "]"))
      }
      switch MapOrdering.printed(e.value, div: div) {
      case .primitive(let v):
        w.append(": ")
        TextValue.write(v, into: &w)
        w.append(UInt8(ascii: "\n"))
      case .histogram(let rows):
        w.append(":\n")
        rows.writeText(into: &w)
        w.append(UInt8(ascii: "\n"))
      case .timeSeries(let rows):
        w.append(":\n")
        rows.writeText(into: &w)
        w.append(UInt8(ascii: "\n"))
      }
    }
  }

  /// A key as printed between `[` and `]`: its text with one pair of enclosing parentheses
  /// removed (upstream strips them from the text, so a string key `(x)` prints as `x` too).
  static func writeKey(_ key: OutputValue, into w: inout ByteWriter) {
    var t = ByteWriter()
    TextValue.write(key, into: &t)
    let b = t.bytes
    if b.count >= 2 && b.first == UInt8(ascii: "(") && b.last == UInt8(ascii: ")") {
      w.append(contentsOf: Array(b[1..<(b.count - 1)]))
    } else {
      w.append(contentsOf: b)
    }
  }

  /// Everything bpftrace prints on stdout after its main loop ends: two newlines (upstream
  /// `TextOutput::end`), then every map, ordered by name (bytewise), each as `map(_:)` prints it.
  public static func exitMaps(_ maps: [MapSnapshot]) -> String {
    String(decoding: exitMapsBytes(maps), as: UTF8.self)
  }

  public static func exitMapsBytes(_ maps: [MapSnapshot]) -> [UInt8] {
    var w = ByteWriter(capacity: 256)
    w.append(end)
    for m in maps.sorted(by: { MapOrdering.lexicographicLess(Array($0.name.utf8), Array($1.name.utf8)) }) {
      writeMap(m, top: 0, div: 0, into: &w)
    }
    return w.bytes
  }

  /// What ends the main loop: `"\n\n"`.
  public static let end = "\n\n"

  /// `print(value)` for a non-map value: its text and a newline (`(1, 2, abc)`, `true`, ...).
  public static func value(_ v: OutputValue) -> String { String(decoding: valueBytes(v), as: UTF8.self) }

  public static func valueBytes(_ v: OutputValue) -> [UInt8] {
    var w = ByteWriter()
    TextValue.write(v, into: &w)
    w.append(UInt8(ascii: "\n"))
    return w.bytes
  }

  /// A value's text without a newline, as used inside keys, tuples and `%s`.
  public static func text(_ v: OutputValue) -> String { TextValue.string(v) }

  /// `printf` output is the formatted string itself, with no newline added.
  public static func printf(_ formatted: String) -> String { formatted }
  /// `time()` and `cat()` print their text as is.
  public static func time(_ s: String) -> String { s }
  public static func cat(_ s: String) -> String { s }
  /// `join()` and `system()` print their text and a newline.
  public static func join(_ s: String) -> String { s + "\n" }
  public static func syscall(_ s: String) -> String { s + "\n" }

  /// stderr: `Attached 1 probe` / `Attached N probes`.
  public static func attachedProbes(_ n: UInt64) -> String {
    n == 1 ? "Attached 1 probe\n" : "Attached \(n) probes\n"
  }

  /// stderr: `Lost N events`.
  public static func lostEvents(_ n: UInt64) -> String { "Lost \(n) events\n" }
}
