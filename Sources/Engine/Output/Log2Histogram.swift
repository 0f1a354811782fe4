/// A `hist(value[, bits])` map value: one counter per bucket index.
///
/// Bucket encoding (upstream codegen `createLog2Function`; the BPF program must compute exactly
/// `bucketIndex(of:bits:)` on the value sign- or zero-extended to 64 bits):
///
///     index 0                       value < 0
///     index v + 1                   0 <= v < 2^bits          (one value per bucket)
///     index ((l - bits + 1) << bits) + x + 1                  v >= 2^bits
///         where l = position of v's highest set bit (0-based)
///               x = the `bits` bits just below that highest bit: (v >> (l - bits)) & (2^bits - 1)
///
/// So each power of two [2^l, 2^(l+1)) with l >= bits is split into 2^bits equal sub-buckets.
/// With bits = 0: 0 -> 1, 1 -> 2, 2..3 -> 3, 4..7 -> 4, ..., Int64.max -> 64.
public struct Log2Histogram: Hashable, Sendable {
  /// Sub-bucket bits, 0...5 (upstream's optional second argument of `hist`, default 0).
  public var bits: Int
  /// `buckets[i]` is the count of bucket index i; may be shorter than `bucketCount(bits:)`.
  public var buckets: [UInt64]

  public init(bits: Int = 0, buckets: [UInt64]) {
    self.bits = bits
    self.buckets = buckets
  }

  /// Builds the dense bucket array from sparse (index, count) pairs, as read from the kernel map.
  public init(bits: Int = 0, counts: [(index: Int, count: UInt64)]) {
    var b = [UInt64](repeating: 0, count: (counts.map(\.index).max() ?? -1) + 1)
    for (i, c) in counts { b[i] &+= c }
    self.init(bits: bits, buckets: b)
  }

  public static let maxBits = 5

  /// One past the largest index `bucketIndex` can return for these bits.
  public static func bucketCount(bits: Int) -> Int { bucketIndex(of: .max, bits: bits) + 1 }

  public static func bucketIndex(of value: Int64, bits: Int) -> Int {
    if value < 0 { return 0 }
    let mask = (Int64(1) << bits) - 1
    if value <= mask { return Int(value) + 1 }
    let highest = 63 - value.leadingZeroBitCount
    let shift = highest - bits
    let x = Int((value >> shift) & mask)
    return ((shift + 1) << bits) + x + 1
  }

  /// Smallest value in bucket `index` (nil for bucket 0, which holds all negative values).
  public static func lowerBound(ofBucket index: Int, bits: Int) -> UInt64? {
    index == 0 ? nil : (index == 1 ? 0 : upperBound(ofBucket: index - 1, bits: bits))
  }

  /// One past the largest value in bucket `index`: what upstream prints as the bucket's label.
  public static func upperBound(ofBucket index: Int, bits: Int) -> UInt64 {
    if index <= 2 << bits { return UInt64(index) }
    let n = 1 << bits
    let power = (index >> bits) - 1
    let interval = index & (n - 1)
    return (UInt64(1) << UInt64(power)) &* UInt64(n + interval)
  }

  /// Label text for an index above 2 << bits: the number scaled by the largest power of 1024
  /// that fits, with its suffix (`1K`, `8M`, `8192P`, ...).
  static func scaledLabel(ofBucket index: Int, bits: Int) -> String {
    let n = 1 << bits
    var power = (index >> bits) - 1
    let interval = index & (n - 1)
    let decade = power / 10
    power -= 10 * decade
    var w = ByteWriter(capacity: 8)
    w.appendDecimal((UInt64(1) << UInt64(power)) &* UInt64(n + interval))
    let suffixes: [UInt8] = [0, 75, 77, 71, 84, 80, 69]  // "", K, M, G, T, P, E
    if decade > 0 && decade < suffixes.count { w.append(suffixes[decade]) }
    return w.string
  }

  /// The rows upstream prints: from the first to the last non-empty bucket, counts divided by `div`.
  func rows(div: UInt64) -> HistogramRows {
    var rows = HistogramRows()
    guard let (first, last) = HistogramRows.nonEmptyRange(buckets) else { return rows }
    func label(_ i: Int) -> HistogramRows.Label {
      i <= 2 << bits
        ? .int(Int64(i))
        : .symbolic(
          Log2Histogram.scaledLabel(ofBucket: i, bits: bits),
          Log2Histogram.upperBound(ofBucket: i, bits: bits))
    }
    if first != 0 { rows.lowerBound = label(first - 1) }
    for i in first...last {
      rows.labels.append(i == 0 ? .int(0) : label(i))
      rows.counts.append(buckets[i] / div)
    }
    return rows
  }
}
