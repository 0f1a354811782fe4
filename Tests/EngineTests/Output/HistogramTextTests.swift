import Testing

@testable import Engine

/// Histogram maps as text. Expected rows come from upstream's tests/runtime/outputs (hist.txt,
/// hist_2_values.txt, lhist.txt) or were worked out by hand from upstream's rules.
@Suite struct OutputHistogramTextTests {
  func log2(_ values: [Int64], bits: Int = 0) -> Log2Histogram {
    var b = [UInt64](repeating: 0, count: Log2Histogram.bucketCount(bits: bits))
    for v in values { b[Log2Histogram.bucketIndex(of: v, bits: bits)] += 1 }
    return Log2Histogram(bits: bits, buckets: b)
  }

  func linear(_ values: [Int64], _ min: Int64, _ max: Int64, _ step: Int64) -> LinearHistogram {
    var b = [UInt64](repeating: 0, count: LinearHistogram.bucketCount(min: min, max: max, step: step))
    for v in values { b[LinearHistogram.bucketIndex(value: v, min: min, max: max, step: step)] += 1 }
    return LinearHistogram(min: min, max: max, step: step, buckets: b)
  }

  @Test func upstreamHistTxt() {
    // begin { @=hist(-1); @=hist(2); @=hist(3); @=hist(7); @=hist(20); }
    let m = MapSnapshot.scalar("@", .hist(log2([-1, 2, 3, 7, 20])))
    #expect(
      TextFormatter.map(m) == """
        @:
        (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [0]                    0 |                                                    |
        [1]                    0 |                                                    |
        [2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [8, 16)                0 |                                                    |
        [16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |


        """)
  }

  @Test func upstreamHist2Values() {
    let m = MapSnapshot.scalar("@", .hist(log2([3, 20])))
    #expect(
      TextFormatter.map(m) == """
        @:
        [2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [4, 8)                 0 |                                                    |
        [8, 16)                0 |                                                    |
        [16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func zeroToThousand() {
    // Also what Debian's bpftrace 0.17 prints for these rows (its header line differs: "@: ").
    let m = MapSnapshot.scalar("@", .hist(log2([0, 1, 2, 3, 4, 1000])))
    #expect(
      TextFormatter.map(m) == """
        @:
        [0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [8, 16)                0 |                                                    |
        [16, 32)               0 |                                                    |
        [32, 64)               0 |                                                    |
        [64, 128)              0 |                                                    |
        [128, 256)             0 |                                                    |
        [256, 512)             0 |                                                    |
        [512, 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |


        """)
  }

  @Test func largeLabelsAndBarRounding() {
    // 10G lands in [8G, 16G); 3 of 7 -> 52 * 3/7 = 22.28 -> 22 characters.
    var h = log2([10 << 30, 1 << 20, 1 << 20, 1 << 20])
    for _ in 0..<6 { h.buckets[Log2Histogram.bucketIndex(of: 10 << 30, bits: 0)] += 1 }
    let text = TextFormatter.map(.scalar("@big", .hist(h)))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "@big:")
    #expect(lines[1] == "[1M, 2M)               3 |@@@@@@@@@@@@@@@@@@@@@@                              |")
    #expect(lines[2] == "[2M, 4M)               0 |                                                    |")
    #expect(lines[11] == "[1G, 2G)               0 |                                                    |")
    #expect(lines[14] == "[8G, 16G)              7 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|")
    #expect(lines.count == 17)  // header, 14 rows, blank line, final empty piece
  }

  @Test func negativeOnlyAndMaximum() {
    #expect(
      TextFormatter.map(.scalar("@n", .hist(log2([-5, -7])))) == """
        @n:
        (..., 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
    #expect(
      TextFormatter.map(.scalar("@m", .hist(log2([Int64.max])))) == """
        @m:
        [4E, 8E)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func subBuckets() {
    // hist(n, 2): values 0..7 each have a bucket, then 8..9, 10..11, ... 16..19.
    let m = MapSnapshot.scalar("@", .hist(log2([5, 7, 8, 9, 11, 17], bits: 2)))
    #expect(
      TextFormatter.map(m) == """
        @:
        [5]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [6]                    0 |                                                    |
        [7]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [8, 10)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [10, 12)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [12, 14)               0 |                                                    |
        [14, 16)               0 |                                                    |
        [16, 20)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |


        """)
  }

  @Test func firstScaledLowerBound() {
    // The first printed bucket's lower bound past 2 << bits is a scaled label.
    let m = MapSnapshot.scalar("@", .hist(log2([3000])))
    #expect(
      TextFormatter.map(m) == """
        @:
        [2K, 4K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func divAndZeroedHistogram() {
    let h = log2([2, 2, 2, 5])
    #expect(
      TextFormatter.map(.scalar("@", .hist(h)), div: 2) == """
        @:
        [2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [4, 8)                 0 |                                                    |


        """)
    // zero(@h): the keys are still there, every bucket is 0: header and blank line only.
    let zeroed = Log2Histogram(bits: 0, buckets: [0, 0, 0, 0])
    #expect(TextFormatter.map(.scalar("@hist", .hist(zeroed))) == "@hist:\n\n")
  }

  @Test func upstreamLhistTxt() {
    // begin { @=lhist(2,0,10,2); @=lhist(3,0,10,2); @=lhist(7,0,10,2); @=lhist(-1,0,10,2); @=lhist(11,0,10,2); }
    let m = MapSnapshot.scalar("@", .lhist(linear([2, 3, 7, -1, 11], 0, 10, 2)))
    #expect(
      TextFormatter.map(m) == """
        @:
        (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [0, 2)                 0 |                                                    |
        [2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [4, 6)                 0 |                                                    |
        [6, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [8, 10)                0 |                                                    |
        [10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |


        """)
  }

  @Test func lhistStepOneAndKilo() {
    // Upstream prints single-integer buckets as [n] (0.17 printed [5, 6)); div is ignored.
    let one = MapSnapshot.scalar("@l", .lhist(linear([5, 5, 7], 0, 10, 1)))
    #expect(
      TextFormatter.map(one, div: 100) == """
        @l:
        [5]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [6]                    0 |                                                    |
        [7]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |


        """)
    // Steps that are multiples of 1024 get K/M labels (as in 0.17).
    let kilo = MapSnapshot.scalar("@k", .lhist(linear([3000, 20000], 0, 10240, 1024)))
    #expect(
      TextFormatter.map(kilo) == """
        @k:
        [2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [3K, 4K)               0 |                                                    |
        [4K, 5K)               0 |                                                    |
        [5K, 6K)               0 |                                                    |
        [6K, 7K)               0 |                                                    |
        [7K, 8K)               0 |                                                    |
        [8K, 9K)               0 |                                                    |
        [9K, 10K)              0 |                                                    |
        [10K, ...)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
    let mega = MapSnapshot.scalar("@m", .lhist(linear([1 << 20, 5 << 20], 0, 4 << 20, 1 << 20)))
    #expect(
      TextFormatter.map(mega) == """
        @m:
        [1M, 2M)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
        [2M, 3M)               0 |                                                    |
        [3M, 4M)               0 |                                                    |
        [4M, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func lhistOverflowOnly() {
    let m = MapSnapshot.scalar("@", .lhist(linear([500], 0, 100, 10)))
    #expect(
      TextFormatter.map(m) == """
        @:
        [100, ...)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func keyedHistogramsSortByTotalCount() {
    // Each keyed histogram is followed by a blank line; smallest total first.
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .string("curl"), value: .hist(log2([-1, 0, 511, 1024, 1025]))),
        MapEntry(key: .string("bpftrace"), value: .hist(log2([2]))),
      ])
    #expect(
      TextFormatter.map(m) == """
        @[bpftrace]:
        [2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

        @[curl]:
        (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [1]                    0 |                                                    |
        [2, 4)                 0 |                                                    |
        [4, 8)                 0 |                                                    |
        [8, 16)                0 |                                                    |
        [16, 32)               0 |                                                    |
        [32, 64)               0 |                                                    |
        [64, 128)              0 |                                                    |
        [128, 256)             0 |                                                    |
        [256, 512)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
        [512, 1K)              0 |                                                    |
        [1K, 2K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func histTopKeepsLargest() {
    // print(@, 2) of @[1] = hist(10); @[2] = hist(20); @[3] = hist(30): keys 2 and 3.
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .signed(1), value: .hist(log2([10])), rawKey: [1, 0, 0, 0, 0, 0, 0, 0]),
        MapEntry(key: .signed(2), value: .hist(log2([20])), rawKey: [2, 0, 0, 0, 0, 0, 0, 0]),
        MapEntry(key: .signed(3), value: .hist(log2([30])), rawKey: [3, 0, 0, 0, 0, 0, 0, 0]),
      ])
    #expect(
      TextFormatter.map(m, top: 2) == """
        @[2]:
        [16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

        @[3]:
        [16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
  }

  @Test func histTiesFollowRawKeyOrder() {
    // Equal totals: upstream starts from raw key bytes (little-endian), so 256 comes before 1.
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .signed(1), value: .hist(log2([1])), rawKey: [1, 0, 0, 0, 0, 0, 0, 0]),
        MapEntry(key: .signed(256), value: .hist(log2([1])), rawKey: [0, 1, 0, 0, 0, 0, 0, 0]),
      ])
    let text = TextFormatter.map(m)
    #expect(text.hasPrefix("@[256]:\n"))
    #expect(text.contains("\n\n@[1]:\n"))
  }
}
