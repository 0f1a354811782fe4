/// A histogram reduced to what gets printed (upstream `Value::Histogram`): the non-empty span of
/// buckets, each with its upper-bound label, plus the lower bound of the first printed bucket.
/// `labels` may be one shorter than `counts`: the last bucket is then open-ended (`[x, ...)`).
struct HistogramRows: Equatable {
  enum Label: Equatable {
    case int(Int64)
    /// A scaled label like `1K`; the number is what JSON prints.
    case symbolic(String, UInt64)
  }

  var lowerBound: Label?
  var labels: [Label] = []
  var counts: [UInt64] = []

  /// First and last bucket with a non-zero count. Upstream reads each count through an `int`,
  /// so a count that is 0 or negative in its low 32 bits is treated as empty.
  static func nonEmptyRange(_ buckets: [UInt64]) -> (Int, Int)? {
    var first = -1
    var last = -1
    for (i, c) in buckets.enumerated() where Int32(truncatingIfNeeded: c) > 0 {
      if first == -1 { first = i }
      last = i
    }
    return first == -1 ? nil : (first, last)
  }

  static let barWidth = 52

  /// The label of each row as text prints it (`[4, 8)`, `(..., 0)`, `[1K, ...)`).
  var rowLabels: [String] {
    counts.indices.map { i in
      var w = ByteWriter(capacity: 24)
      writeHeader(i, into: &w)
      return w.string
    }
  }

  /// Rows of `[lo, hi)  count |@@@@   |`, one per bucket, each ending in a newline.
  func writeText(into w: inout ByteWriter) {
    let maxCount = counts.max() ?? 0
    for i in counts.indices {
      var header = ByteWriter(capacity: 24)
      writeHeader(i, into: &header)
      // setw(16) left for the header, setw(8) right for the count.
      w.append(contentsOf: header.bytes)
      w.append(repeating: UInt8(ascii: " "), count: 16 - header.bytes.count)
      var num = ByteWriter(capacity: 20)
      num.appendDecimal(counts[i])
      w.append(repeating: UInt8(ascii: " "), count: 8 - num.bytes.count)
      w.append(contentsOf: num.bytes)
      w.append(" |")
      let bar = Self.barLength(counts[i], max: maxCount)
      w.append(repeating: UInt8(ascii: "@"), count: bar)
      w.append(repeating: UInt8(ascii: " "), count: Self.barWidth - bar)
      w.append("|\n")
    }
  }

  private func writeHeader(_ i: Int, into header: inout ByteWriter) {
    if i == 0 {
      if let lower = lowerBound {
        if labels.isEmpty {
          header.append(UInt8(ascii: "["))
          Self.write(lower, into: &header)
          header.append(", ...)")
        } else {
          Self.writeRange(lower, labels[0], into: &header)
        }
      } else {
        header.append("(..., ")
        Self.write(labels[0], into: &header)
        header.append(UInt8(ascii: ")"))
      }
    } else if i >= labels.count {
      header.append(UInt8(ascii: "["))
      Self.write(labels[i - 1], into: &header)
      header.append(", ...)")
    } else {
      Self.writeRange(labels[i - 1], labels[i], into: &header)
    }
  }

  /// Upstream computes the bar in single-precision float and truncates. When `div` zeroes every
  /// count upstream divides 0 by 0 (undefined); no bar is printed here.
  static func barLength(_ count: UInt64, max: UInt64) -> Int {
    guard max > 0 else { return 0 }
    let f = Float(count) / Float(max) * Float(barWidth)
    return Int(f)
  }

  /// `[a]` when the bucket holds the single integer a (plain labels a and a+1), else `[a, b)`.
  private static func writeRange(_ lo: Label, _ hi: Label, into w: inout ByteWriter) {
    w.append(UInt8(ascii: "["))
    write(lo, into: &w)
    if case .int(let a) = lo, case .int(let b) = hi, a != .max, a + 1 == b {
      w.append(UInt8(ascii: "]"))
      return
    }
    w.append(", ")
    write(hi, into: &w)
    w.append(UInt8(ascii: ")"))
  }

  private static func write(_ l: Label, into w: inout ByteWriter) {
    switch l {
    case .int(let n): w.appendDecimal(n)
    case .symbolic(let s, _): w.append(s)
    }
  }

  /// `[{"min": 0, "max": 0, "count": 3},...]`: closed intervals, so max is the label minus one.
  func writeJSON(into w: inout ByteWriter) {
    w.append(UInt8(ascii: "["))
    for i in counts.indices {
      if i > 0 { w.append(UInt8(ascii: ",")) }
      w.append(UInt8(ascii: "{"))
      if i == 0, let lower = lowerBound {
        w.append("\"min\": ")
        Self.writeJSON(lower, into: &w)
        w.append(", ")
      } else if i > 0 {
        w.append("\"min\": ")
        Self.writeJSON(labels[i - 1], into: &w)
        w.append(", ")
      }
      if i < labels.count {
        w.append("\"max\": ")
        let oneLess: Int64
        switch labels[i] {
        case .int(let n): oneLess = n &- 1
        case .symbolic(_, let n): oneLess = n == 0 ? -1 : Int64(bitPattern: n &- 1)
        }
        JSONValue.writeNumber(oneLess, into: &w)
        w.append(", ")
      }
      w.append("\"count\": ")
      w.appendDecimal(counts[i])
      w.append(UInt8(ascii: "}"))
    }
    w.append(UInt8(ascii: "]"))
  }

  private static func writeJSON(_ l: Label, into w: inout ByteWriter) {
    switch l {
    case .int(let n): JSONValue.writeNumber(n, into: &w)
    case .symbolic(_, let n): JSONValue.writeNumber(n, into: &w)
    }
  }
}
