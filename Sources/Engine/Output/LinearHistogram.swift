/// An `lhist(value, min, max, step)` map value: one counter per bucket index.
///
/// Bucket encoding (upstream codegen `createLinearFunction`; the BPF program must compute exactly
/// `bucketIndex(value:min:max:step:)`, comparisons signed, divisions unsigned):
///
///     index 0                          value < min
///     index 1 + (max - min) / step     value > max
///     index 1 + (value - min) / step   otherwise
///
/// When step divides (max - min), `max` itself lands in the "above max" bucket, printed `[max, ...)`.
public struct LinearHistogram: Hashable, Sendable {
  public var min: Int64
  public var max: Int64
  public var step: Int64
  /// `buckets[i]` is the count of bucket index i; may be shorter than `bucketCount`.
  public var buckets: [UInt64]

  public init(min: Int64, max: Int64, step: Int64, buckets: [UInt64]) {
    self.min = min
    self.max = max
    self.step = step
    self.buckets = buckets
  }

  public init(min: Int64, max: Int64, step: Int64, counts: [(index: Int, count: UInt64)]) {
    var b = [UInt64](repeating: 0, count: (counts.map(\.index).max() ?? -1) + 1)
    for (i, c) in counts { b[i] &+= c }
    self.init(min: min, max: max, step: step, buckets: b)
  }

  public static func bucketIndex(value: Int64, min: Int64, max: Int64, step: Int64) -> Int {
    if value < min { return 0 }
    let span = value > max ? UInt64(bitPattern: max &- min) : UInt64(bitPattern: value &- min)
    // Sema requires step > 0; never trap on a bad one.
    let divisor = step == 0 ? 1 : UInt64(bitPattern: step)
    return Int(truncatingIfNeeded: span / divisor &+ 1)
  }

  /// Number of distinct indices `bucketIndex` can return.
  public static func bucketCount(min: Int64, max: Int64, step: Int64) -> Int {
    bucketIndex(value: max, min: min, max: max, step: step) + 1
  }

  /// Label of the bucket boundary `number`: plain, or with K/M suffixes when step is a multiple of 1024.
  static func label(_ number: Int64, step: Int64) -> HistogramRows.Label {
    if step % 1024 != 0 { return .int(number) }
    var w = ByteWriter(capacity: 8)
    let mega: Int64 = 1024 * 1024
    if number == 0 {
      w.appendDecimal(number)
    } else if number % mega == 0 {
      w.appendDecimal(number / mega)
      w.append(UInt8(ascii: "M"))
    } else if number % 1024 == 0 {
      w.appendDecimal(number / 1024)
      w.append(UInt8(ascii: "K"))
    } else {
      w.appendDecimal(number)
    }
    return .symbolic(w.string, UInt64(bitPattern: number))
  }

  /// The rows upstream prints. `div` does not apply to linear histograms (upstream ignores it).
  func rows() -> HistogramRows {
    var rows = HistogramRows()
    guard let (first, last) = HistogramRows.nonEmptyRange(buckets) else { return rows }
    if first != 0 { rows.lowerBound = Self.label(min &+ Int64(first - 1) &* step, step: step) }
    for i in first...last {
      // The bucket above max has no upper label: it prints as `[x, ...)`.
      let upper = min &+ Int64(i) &* step
      if upper <= max { rows.labels.append(Self.label(upper, step: step)) }
      rows.counts.append(buckets[i])
    }
    return rows
  }
}
