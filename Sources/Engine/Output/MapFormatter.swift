/// Prints maps exactly as bpftrace does: `@name[key]: value` lines sorted by value, histograms as
/// bucket rows with a 52-wide bar, stats as `count N, average A, total T`.
public struct MapFormatter: Sendable {
  /// One entry, values already merged across CPUs.
  public struct Entry: Sendable {
    public var key: OutputValue?
    public var value: MergedValue
    public init(key: OutputValue?, value: MergedValue) {
      self.key = key
      self.value = value
    }
  }

  public enum MergedValue: Sendable {
    case plain(OutputValue)
    case stats(count: Int64, total: Int64, showAll: Bool)
    /// bucket index -> count
    case histogram([Int: UInt64], Aggregation)
  }

  public init() {}

  public func format(name: String, entries: [Entry], top: Int = 0, div: Int = 0) -> String {
    var sorted = entries.sorted { a, b in
      let (x, y) = (sortKey(a.value), sortKey(b.value))
      if x != y { return x < y }
      return (a.key?.text ?? "") < (b.key?.text ?? "")
    }
    if top > 0, sorted.count > top { sorted = Array(sorted.suffix(top)) }
    var out = ""
    for e in sorted {
      let keyText = e.key.map { k -> String in
        if case .tuple(let items) = k { return "[" + items.map(\.text).joined(separator: ", ") + "]" }
        return "[\(k.text)]"
      } ?? ""
      switch e.value {
      case .plain(let v):
        var text = v.text
        if div > 0, let i = v.integer { text = String(i / Int64(div)) }
        out += "\(name)\(keyText): \(text)\n"
      case .stats(let count, let total, let showAll):
        let avg = count == 0 ? 0 : total / count
        out += showAll ? "\(name)\(keyText): count \(count), average \(avg), total \(total)\n" : "\(name)\(keyText): \(avg)\n"
      case .histogram(let buckets, let agg):
        out += "\(name)\(keyText):\n" + histogram(buckets, agg) + "\n"
      }
    }
    return out
  }

  private func sortKey(_ v: MergedValue) -> Int64 {
    switch v {
    case .plain(let p): return p.integer ?? 0
    case .stats(let c, let t, let all): return all ? t : (c == 0 ? 0 : t / c)
    case .histogram(let b, _): return Int64(truncatingIfNeeded: b.values.reduce(0, +))
    }
  }

  /// Lower bound of a log2 bucket (index per `Log2Histogram`), and whether it is a single value.
  static func log2Bound(_ index: Int, bits: Int) -> Int64 {
    if index <= 0 { return Int64.min }
    let n = index - 1
    if n < (1 << bits) { return Int64(n) }
    let l = (n >> bits) - 1
    let x = n & ((1 << bits) - 1)
    return Int64((UInt64(1) << UInt64(l + bits)) + UInt64(x) << UInt64(l))
  }

  static func sizeLabel(_ v: Int64) -> String {
    let suffixes = ["", "K", "M", "G", "T", "P", "E"]
    var value = v
    var i = 0
    while value != 0, value % 1024 == 0, i < suffixes.count - 1 {
      value /= 1024
      i += 1
    }
    return "\(value)\(suffixes[i])"
  }

  func histogram(_ buckets: [Int: UInt64], _ agg: Aggregation) -> String {
    guard let lo = buckets.filter({ $0.value > 0 }).keys.min(), let hi = buckets.filter({ $0.value > 0 }).keys.max() else {
      return ""
    }
    let maxCount = buckets.values.max() ?? 1
    var out = ""
    for i in lo...hi {
      let count = buckets[i] ?? 0
      let label: String
      switch agg {
      case .hist(let bits):
        if i == 0 {
          label = "(..., 0)"
        } else {
          let a = MapFormatter.log2Bound(i, bits: bits)
          let b = MapFormatter.log2Bound(i + 1, bits: bits)
          label = b == a + 1 ? "[\(MapFormatter.sizeLabel(a))]" : "[\(MapFormatter.sizeLabel(a)), \(MapFormatter.sizeLabel(b)))"
        }
      case .lhist(let min, let max, let step):
        let buckets = (max - min) / step
        if i == 0 {
          label = "(..., \(min))"
        } else if i > Int(buckets) {
          label = "[\(min + Int64(i - 1) * step), ...)"
        } else {
          let a = min + Int64(i - 1) * step
          label = "[\(a), \(a + step))"
        }
      default:
        label = "\(i)"
      }
      let bar = maxCount == 0 ? 0 : Int(Float(count) / Float(maxCount) * 52)
      out += label.padding(16) + String(count).leftPadding(8) + " |" + String(repeating: "@", count: bar).padding(52) + "|\n"
    }
    return out
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
  func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
