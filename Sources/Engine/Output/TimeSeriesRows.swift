import Glibc

/// A time series as it prints (upstream `Value::TimeSeries`): one row per interval, its start
/// as nanoseconds since 1970 and its value, nil where the interval has no data.
struct TimeSeriesRows: Equatable {
  var signed: Bool
  var timestamps: [UInt64] = []
  var values: [UInt64?] = []

  mutating func append(timestamp: UInt64, bits: UInt64?) {
    timestamps.append(timestamp)
    values.append(bits)
  }

  static let graphWidth = 53
  /// Width of the left-aligned minimum above and below the graph.
  static let padding = 21

  private func output(_ bits: UInt64) -> OutputValue {
    signed ? .signed(Int64(bitPattern: bits)) : .unsigned(bits)
  }

  private func less(_ a: UInt64, _ b: UInt64) -> Bool {
    signed ? Int64(bitPattern: a) < Int64(bitPattern: b) : a < b
  }

  /// `a - b` as upstream's `distance` computes it.
  private static func distance(_ a: UInt64, _ b: UInt64) -> Int64 { Int64(bitPattern: a &- b) }

  /// Position on the graph: the integer part of a float computation, as upstream's casts do.
  private static func offset(_ scale: Int, _ numerator: Int64, _ denominator: Int64) -> Int {
    let x = Float(scale) * Float(numerator) / Float(denominator)
    guard x.isFinite else { return 0 }
    return Int(max(-1e9, min(1e9, x)))
  }

  /// The graph (upstream text output): the value range over a `|___|` axis, one row per
  /// interval with its local time, a `*` at the value's place and the value (`-` when missing),
  /// the zero line dotted when the range spans it, and the range again under a `v___v` axis.
  /// "<no data>" (no newline) for an empty series. `utc` only serves tests.
  func writeText(into w: inout ByteWriter, utc: Bool = false) {
    let width = Self.graphWidth
    guard let firstValue = values.first else {
      w.append("<no data>")
      return
    }
    // The window starts at the key's first epoch with data, so only a key with no data inside
    // the window starts with a missing row (its only row): upstream then prints the range as null.
    let hasRange = firstValue != nil
    var lo = firstValue ?? 0
    var hi = lo
    for case let v? in values {
      if less(v, lo) { lo = v }
      if less(hi, v) { hi = v }
    }
    if lo == hi && hasRange {
      // Leave room on both sides of a flat series, unless at the type's bounds.
      if signed {
        if Int64(bitPattern: lo) > Int64.min { lo &-= 1 }
        if Int64(bitPattern: hi) < Int64.max { hi &+= 1 }
      } else {
        if lo > 0 { lo -= 1 }
        if hi < UInt64.max { hi += 1 }
      }
    }
    let interval = timestamps.count > 1 ? (timestamps.last! &- timestamps.first!) / UInt64(timestamps.count - 1) : 0
    let unit = TimeUnit(interval)
    var timeFormat = "hh:mm:ss"
    var timeSize = timeFormat.utf8.count
    if unit != .s {
      timeFormat += "." + unit.name
      timeSize += 1 + unit.digits
    }

    func writeRange() {
      var minText = ByteWriter()
      var maxText = ByteWriter()
      if hasRange {
        TextValue.write(output(lo), into: &minText)
        TextValue.write(output(hi), into: &maxText)
      } else {
        minText.append("null")
        maxText.append("null")
      }
      w.append(contentsOf: minText.bytes)
      w.append(repeating: UInt8(ascii: " "), count: Self.padding - minText.bytes.count)
      w.append(repeating: UInt8(ascii: " "), count: (width - Self.padding) - maxText.bytes.count)
      w.append(contentsOf: maxText.bytes)
      w.append(UInt8(ascii: "\n"))
    }

    w.append(repeating: UInt8(ascii: " "), count: timeSize + 1)
    writeRange()
    // setw(time_size + 1) counts bytes: "μs" is two.
    w.append(timeFormat)
    w.append(repeating: UInt8(ascii: " "), count: timeSize + 1 - timeFormat.utf8.count)
    w.append(UInt8(ascii: "|"))
    w.append(repeating: UInt8(ascii: "_"), count: width - 2)
    w.append("|\n")

    var zeroOffset = 0
    if hasRange && Self.distance(lo, 0) < 0 && Self.distance(0, hi) < 0 {
      zeroOffset = Self.offset(width, Self.distance(lo, 0), Self.distance(lo, hi))
    }
    for (timestamp, value) in zip(timestamps, values) {
      var line = [UInt8](repeating: UInt8(ascii: " "), count: width)
      writeTime(timestamp, unit: unit, utc: utc, into: &w)
      w.append(UInt8(ascii: " "))
      line[0] = UInt8(ascii: "|")
      line[width - 1] = UInt8(ascii: "|")
      if zeroOffset > 0 && zeroOffset < width { line[zeroOffset] = UInt8(ascii: ".") }
      if let v = value {
        var point = width / 2
        if lo != hi { point = Self.offset(width - 1, Self.distance(lo, v), Self.distance(lo, hi)) }
        line[max(0, min(width - 1, point))] = UInt8(ascii: "*")
        w.append(contentsOf: line)
        w.append(UInt8(ascii: " "))
        TextValue.write(output(v), into: &w)
      } else {
        w.append(contentsOf: line)
        w.append(" -")
      }
      w.append(UInt8(ascii: "\n"))
    }
    w.append(repeating: UInt8(ascii: " "), count: timeSize + 1)
    w.append(UInt8(ascii: "v"))
    w.append(repeating: UInt8(ascii: "_"), count: width - 2)
    w.append("v\n")
    w.append(repeating: UInt8(ascii: " "), count: timeSize + 1)
    writeRange()
  }

  /// `[{"interval_start":"1970-01-01 00:00:00.500000000","value":9},...]`: UTC, missing
  /// intervals left out.
  func writeJSON(into w: inout ByteWriter) {
    w.append(UInt8(ascii: "["))
    var first = true
    for (timestamp, value) in zip(timestamps, values) {
      guard let v = value else { continue }
      if !first { w.append(UInt8(ascii: ",")) }
      first = false
      w.append("{\"interval_start\":\"")
      let t = Self.brokenDown(timestamp, utc: true)
      w.append(
        Self.padded(Int(t.tm_year) + 1900, 4) + "-" + Self.padded(Int(t.tm_mon) + 1, 2) + "-"
          + Self.padded(Int(t.tm_mday), 2)
          + " " + Self.clock(t) + "." + Self.padded(Int(timestamp % 1_000_000_000), 9))
      w.append("\",\"value\":")
      JSONValue.write(output(v), into: &w)
      w.append(UInt8(ascii: "}"))
    }
    w.append(UInt8(ascii: "]"))
  }

  /// `%H:%M:%S` in local time, then the fraction the interval calls for.
  private func writeTime(_ timestamp: UInt64, unit: TimeUnit, utc: Bool, into w: inout ByteWriter) {
    let ns = Int(timestamp % 1_000_000_000)
    var s = Self.clock(Self.brokenDown(timestamp, utc: utc))
    switch unit {
    case .ns: s += "." + Self.padded(ns, 9)
    case .us: s += "." + Self.padded(ns / 1000, 6)
    case .ms: s += "." + Self.padded(ns / 1_000_000, 3)
    case .s: break
    }
    w.append(s)
  }

  private static func brokenDown(_ timestamp: UInt64, utc: Bool) -> tm {
    var seconds = time_t(truncatingIfNeeded: timestamp / 1_000_000_000)
    var t = tm()
    if utc { gmtime_r(&seconds, &t) } else { localtime_r(&seconds, &t) }
    return t
  }

  private static func clock(_ t: tm) -> String {
    padded(Int(t.tm_hour), 2) + ":" + padded(Int(t.tm_min), 2) + ":" + padded(Int(t.tm_sec), 2)
  }

  private static func padded(_ n: Int, _ digits: Int) -> String {
    let s = String(n)
    return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
  }
}

/// Upstream `duration_str`: the largest unit not above the interval, and its fraction digits.
enum TimeUnit {
  case s, ms, us, ns

  init(_ nanoseconds: UInt64) {
    if nanoseconds >= 1_000_000_000 {
      self = .s
    } else if nanoseconds >= 1_000_000 {
      self = .ms
    } else if nanoseconds >= 1000 {
      self = .us
    } else {
      self = .ns
    }
  }

  var name: String {
    switch self {
    case .s: "s"
    case .ms: "ms"
    case .us: "μs"
    case .ns: "ns"
    }
  }

  var digits: Int {
    switch self {
    case .s: 0
    case .ms: 3
    case .us: 6
    case .ns: 9
    }
  }
}
