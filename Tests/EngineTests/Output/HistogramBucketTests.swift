import Testing

@testable import Engine

/// Bucket indices the BPF code must produce, checked at the boundaries by hand.
@Suite struct OutputHistogramBucketTests {
  @Test(
    arguments: [
      // (value, bits, index)
      (Int64.min, 0, 0), (-1, 0, 0), (0, 0, 1), (1, 0, 2), (2, 0, 3), (3, 0, 3), (4, 0, 4), (7, 0, 4),
      (8, 0, 5), (1023, 0, 11), (1024, 0, 12), (Int64.max, 0, 64),
      (-1, 1, 0), (0, 1, 1), (1, 1, 2), (2, 1, 3), (3, 1, 4), (4, 1, 5), (5, 1, 5), (6, 1, 6), (7, 1, 6),
      (8, 1, 7), (Int64.max, 1, 126),
      (-5, 2, 0), (0, 2, 1), (3, 2, 4), (4, 2, 5), (7, 2, 8), (8, 2, 9), (9, 2, 9), (10, 2, 10), (15, 2, 12),
      (16, 2, 13), (225, 2, 28), (Int64.max, 2, 248),
      (0, 3, 1), (7, 3, 8), (8, 3, 9), (15, 3, 16), (16, 3, 17), (17, 3, 17), (18, 3, 18), (Int64.max, 3, 488),
      (0, 4, 1), (15, 4, 16), (16, 4, 17), (31, 4, 32), (32, 4, 33), (Int64.max, 4, 960),
      (-1, 5, 0), (0, 5, 1), (31, 5, 32), (32, 5, 33), (63, 5, 64), (64, 5, 65), (65, 5, 65), (66, 5, 66),
      (Int64.max, 5, 1888),
    ] as [(Int64, Int, Int)])
  func log2Index(value: Int64, bits: Int, index: Int) {
    #expect(Log2Histogram.bucketIndex(of: value, bits: bits) == index)
  }

  @Test func log2BucketCount() {
    #expect(Log2Histogram.bucketCount(bits: 0) == 65)
    #expect(Log2Histogram.bucketCount(bits: 5) == 1889)
    // Upstream reads 65 * 32 buckets per key: every index fits.
    #expect(Log2Histogram.bucketCount(bits: 5) <= 65 * 32)
  }

  @Test func log2Bounds() {
    // bits 0: [0], [1], [2, 4), [4, 8)
    #expect(Log2Histogram.lowerBound(ofBucket: 0, bits: 0) == nil)
    #expect(Log2Histogram.lowerBound(ofBucket: 1, bits: 0) == 0)
    #expect(Log2Histogram.upperBound(ofBucket: 1, bits: 0) == 1)
    #expect(Log2Histogram.lowerBound(ofBucket: 3, bits: 0) == 2)
    #expect(Log2Histogram.upperBound(ofBucket: 3, bits: 0) == 4)
    #expect(Log2Histogram.upperBound(ofBucket: 64, bits: 0) == 1 << 63)
    // Upstream's comment: bits 2, index 27 starts at 224; 225 falls in index 28 = [224, 256).
    #expect(Log2Histogram.upperBound(ofBucket: 27, bits: 2) == 224)
    #expect(Log2Histogram.lowerBound(ofBucket: 28, bits: 2) == 224)
    #expect(Log2Histogram.upperBound(ofBucket: 28, bits: 2) == 256)
    #expect(Log2Histogram.upperBound(ofBucket: 1888, bits: 5) == 1 << 63)
    // Every value lies inside the bounds of its own bucket.
    for bits in 0...5 {
      for v: Int64 in [0, 1, 2, 3, 5, 100, 1000, 4097, 1 << 40, Int64.max] {
        let i = Log2Histogram.bucketIndex(of: v, bits: bits)
        #expect(Log2Histogram.lowerBound(ofBucket: i, bits: bits)! <= UInt64(v))
        #expect(
          UInt64(v) < Log2Histogram.upperBound(ofBucket: i, bits: bits)
            || i == Log2Histogram.bucketCount(bits: bits) - 1)
      }
    }
  }

  @Test func scaledLabels() {
    #expect(Log2Histogram.scaledLabel(ofBucket: 11, bits: 0) == "1K")
    #expect(Log2Histogram.scaledLabel(ofBucket: 34, bits: 0) == "8G")
    #expect(Log2Histogram.scaledLabel(ofBucket: 64, bits: 0) == "8E")
    #expect(Log2Histogram.scaledLabel(ofBucket: 1887, bits: 5) == "8064P")
    #expect(Log2Histogram.scaledLabel(ofBucket: 1888, bits: 5) == "8192P")
    #expect(Log2Histogram.scaledLabel(ofBucket: 9, bits: 2) == "10")
  }

  @Test(
    arguments: [
      // (value, min, max, step, index)
      (-1, 0, 100, 10, 0), (0, 0, 100, 10, 1), (9, 0, 100, 10, 1), (10, 0, 100, 10, 2), (99, 0, 100, 10, 10),
      (100, 0, 100, 10, 11), (101, 0, 100, 10, 11), (1000, 0, 100, 10, 11), (Int64.max, 0, 100, 10, 11),
      (Int64.min, 0, 100, 10, 0),
      (94, 0, 95, 10, 10), (95, 0, 95, 10, 10), (200, 0, 95, 10, 10),
      (-11, -10, 10, 5, 0), (-10, -10, 10, 5, 1), (-6, -10, 10, 5, 1), (-5, -10, 10, 5, 2), (10, -10, 10, 5, 5),
      (11, -10, 10, 5, 5),
    ] as [(Int64, Int64, Int64, Int64, Int)])
  func linearIndex(value: Int64, min: Int64, max: Int64, step: Int64, index: Int) {
    #expect(LinearHistogram.bucketIndex(value: value, min: min, max: max, step: step) == index)
  }

  @Test func linearBucketCount() {
    #expect(LinearHistogram.bucketCount(min: 0, max: 100, step: 10) == 12)
    #expect(LinearHistogram.bucketCount(min: 0, max: 95, step: 10) == 11)
  }

  @Test func sparseCountsBuildDenseBuckets() {
    let h = Log2Histogram(bits: 0, counts: [(index: 3, count: 2), (index: 1, count: 1)])
    #expect(h.buckets == [0, 1, 0, 2])
  }
}
