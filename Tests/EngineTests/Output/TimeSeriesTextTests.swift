import Glibc
import Testing

@testable import Engine

/// tseries maps as text and JSON. Expected graphs are upstream's tests/runtime/outputs
/// (tseries*.txt, tseries*.json) with `%H` the local hour, or worked out from upstream's rules.
@Suite struct OutputTimeSeriesTextTests {
  static let ms100: UInt64 = 100_000_000

  func series(
    _ points: [(UInt64, Int64)], interval: UInt64 = ms100, intervals: Int,
    _ reduction: TimeSeriesShape.Reduction = .last,
    signed: Bool = false
  ) -> TimeSeries {
    TimeSeries(
      shape: TimeSeriesShape(intervalNanoseconds: interval, intervals: intervals, reduction: reduction, signed: signed),
      points: points.map { TimeSeriesPoint(epoch: $0.0, bits: UInt64(bitPattern: $0.1)) })
  }

  /// Rows as text with UTC times (the formatter prints local time; these tests must not depend on TZ).
  func utcText(_ t: TimeSeries) -> String {
    var w = ByteWriter()
    t.rows().writeText(into: &w, utc: true)
    return w.string
  }

  /// The local hour at 1970-01-01 00:00 UTC, which is what TextFormatter prints for these series.
  var localHour: String {
    var zero = time_t(0)
    var t = tm()
    localtime_r(&zero, &t)
    return t.tm_hour < 10 ? "0\(t.tm_hour)" : "\(t.tm_hour)"
  }

  @Test func upstreamTseriesTxt() {
    // Ten values a 100ms interval, the last one 9, over epochs 0..9; 5 intervals keep epochs 5..9.
    let m = MapSnapshot.scalar("@a", .tseries(series((5...9).map { ($0, 9) }, intervals: 5)))
    let h = localHour
    #expect(
      TextFormatter.map(m) == """
        @a:
                     8                                                  10
        hh:mm:ss.ms  |___________________________________________________|
        \(h):00:00.500 |                         *                         | 9
        \(h):00:00.600 |                         *                         | 9
        \(h):00:00.700 |                         *                         | 9
        \(h):00:00.800 |                         *                         | 9
        \(h):00:00.900 |                         *                         | 9
                     v___________________________________________________v
                     8                                                  10


        """)
  }

  @Test func minimumAtZeroStaysAtTheLeftEdge() {
    let t = series((5...9).map { ($0, 0) }, intervals: 5, .min)
    #expect(
      utcText(t) == """
                     0                                                   1
        hh:mm:ss.ms  |___________________________________________________|
        00:00:00.500 *                                                   | 0
        00:00:00.600 *                                                   | 0
        00:00:00.700 *                                                   | 0
        00:00:00.800 *                                                   | 0
        00:00:00.900 *                                                   | 0
                     v___________________________________________________v
                     0                                                   1

        """)
  }

  @Test func multipleKeysShareTheMapsWindow() {
    // "one" was written at epochs 0..4 (epoch 0 counts as never written: value 0), "two" at 5..9;
    // 10 intervals end at the map's latest epoch, 9, so "one" shows 5..9 as missing.
    let one = series([(0, 0), (1, 5), (2, 5), (3, 5), (4, 5)], intervals: 10)
    let two = series((5...9).map { ($0, 4) }, intervals: 10)
    let m = MapSnapshot(
      name: "@a",
      entries: [
        MapEntry(key: .string("two"), value: .tseries(two), rawKey: Array("two".utf8)),
        MapEntry(key: .string("one"), value: .tseries(one), rawKey: Array("one".utf8)),
      ])
    let h = localHour
    #expect(
      TextFormatter.map(m) == """
        @a[one]:
                     0                                                   5
        hh:mm:ss.ms  |___________________________________________________|
        \(h):00:00.000 *                                                   | 0
        \(h):00:00.100 |                                                   * 5
        \(h):00:00.200 |                                                   * 5
        \(h):00:00.300 |                                                   * 5
        \(h):00:00.400 |                                                   * 5
        \(h):00:00.500 |                                                   | -
        \(h):00:00.600 |                                                   | -
        \(h):00:00.700 |                                                   | -
        \(h):00:00.800 |                                                   | -
        \(h):00:00.900 |                                                   | -
                     v___________________________________________________v
                     0                                                   5

        @a[two]:
                     3                                                   5
        hh:mm:ss.ms  |___________________________________________________|
        \(h):00:00.500 |                         *                         | 4
        \(h):00:00.600 |                         *                         | 4
        \(h):00:00.700 |                         *                         | 4
        \(h):00:00.800 |                         *                         | 4
        \(h):00:00.900 |                         *                         | 4
                     v___________________________________________________v
                     3                                                   5


        """)
    #expect(
      JSONFormatter.map(m)
        == "{\"type\": \"tseries\", \"data\": {\"@a\": {\"one\": ["
        + "{\"interval_start\":\"1970-01-01 00:00:00.000000000\",\"value\":0},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.100000000\",\"value\":5},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.200000000\",\"value\":5},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.300000000\",\"value\":5},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.400000000\",\"value\":5}], \"two\": ["
        + "{\"interval_start\":\"1970-01-01 00:00:00.500000000\",\"value\":4},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.600000000\",\"value\":4},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.700000000\",\"value\":4},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.800000000\",\"value\":4},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.900000000\",\"value\":4}]}}}\n")
  }

  @Test func signedValuesAcrossZeroDrawTheZeroLine() {
    let values: [Int64] = [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4]
    let t = series(values.enumerated().map { (UInt64($0.offset + 1), $0.element) }, intervals: 20, signed: true)
    #expect(
      utcText(t) == """
                     -5                                                  5
        hh:mm:ss.ms  |___________________________________________________|
        00:00:00.100 *                         .                         | -5
        00:00:00.200 |    *                    .                         | -4
        00:00:00.300 |         *               .                         | -3
        00:00:00.400 |              *          .                         | -2
        00:00:00.500 |                   *     .                         | -1
        00:00:00.600 |                         *                         | 0
        00:00:00.700 |                         .    *                    | 1
        00:00:00.800 |                         .         *               | 2
        00:00:00.900 |                         .              *          | 3
        00:00:01.000 |                         .                   *     | 4
        00:00:01.100 |                         .                         * 5
        00:00:01.200 |                         .                   *     | 4
        00:00:01.300 |                         .              *          | 3
        00:00:01.400 |                         .         *               | 2
        00:00:01.500 |                         .    *                    | 1
        00:00:01.600 |                         *                         | 0
        00:00:01.700 |                   *     .                         | -1
        00:00:01.800 |              *          .                         | -2
        00:00:01.900 |         *               .                         | -3
        00:00:02.000 |    *                    .                         | -4
                     v___________________________________________________v
                     -5                                                  5

        """)
  }

  @Test func theIntervalDecidesTheTimeColumn() {
    // 1s intervals: whole seconds.
    let seconds = series([(10, 1), (11, 3)], interval: 1_000_000_000, intervals: 2)
    #expect(
      utcText(seconds) == """
                 1                                                   3
        hh:mm:ss |___________________________________________________|
        00:00:10 *                                                   | 1
        00:00:11 |                                                   * 3
                 v___________________________________________________v
                 1                                                   3

        """)
    // 1us intervals: microseconds; the header pads by bytes ("μs" is two), as upstream's setw.
    let micro = series([(1, 7), (2, 7)], interval: 1000, intervals: 2)
    #expect(
      utcText(micro) == """
                        6                                                   8
        hh:mm:ss.μs    |___________________________________________________|
        00:00:00.000001 |                         *                         | 7
        00:00:00.000002 |                         *                         | 7
                        v___________________________________________________v
                        6                                                   8

        """)
    // One interval: no spacing to measure, so nanoseconds.
    let single = series([(3, 2)], interval: 1_000_000_000, intervals: 1)
    #expect(
      utcText(single) == """
                           1                                                   3
        hh:mm:ss.ns        |___________________________________________________|
        00:00:03.000000000 |                         *                         | 2
                           v___________________________________________________v
                           1                                                   3

        """)
  }

  @Test func keyWithNoDataInTheWindowShowsItsLastIntervalMissing() {
    // The map's latest epoch is 10, so 3 intervals cover 8...10; "old" only has epoch 1.
    let old = series([(1, 4)], interval: 1_000_000_000, intervals: 3)
    #expect(
      utcText(TimeSeries(shape: old.shape, points: old.points, windowEnd: 10)) == """
                           null                                             null
        hh:mm:ss.ns        |___________________________________________________|
        00:00:10.000000000 |                                                   | -
                           v___________________________________________________v
                           null                                             null

        """)
  }

  @Test func zeroedSeriesHasNoData() {
    // zero() leaves every bucket at epoch 0: one point (0, 0) and an empty window.
    let m = MapSnapshot.scalar("@a", .tseries(series([(0, 0), (0, 0)], intervals: 5, .avg)))
    #expect(TextFormatter.map(m) == "@a:\n<no data>\n")
    #expect(JSONFormatter.map(m) == "{\"type\": \"tseries\", \"data\": {\"@a\": []}}\n")
    // clear() leaves no entries: nothing prints.
    #expect(TextFormatter.map(MapSnapshot(name: "@a", entries: [])) == "")
  }

  @Test func scalarJSON() {
    let m = MapSnapshot.scalar("@a", .tseries(series([(5, 9), (6, 9)], intervals: 5)))
    #expect(
      JSONFormatter.map(m)
        == "{\"type\": \"tseries\", \"data\": {\"@a\": ["
        + "{\"interval_start\":\"1970-01-01 00:00:00.500000000\",\"value\":9},"
        + "{\"interval_start\":\"1970-01-01 00:00:00.600000000\",\"value\":9}]}}\n")
  }

  @Test func topDoesNotApply() {
    let m = MapSnapshot(
      name: "@a",
      entries: [
        MapEntry(key: .signed(1), value: .tseries(series([(1, 1)], intervals: 1)), rawKey: [1]),
        MapEntry(key: .signed(2), value: .tseries(series([(1, 2)], intervals: 1)), rawKey: [2]),
      ])
    #expect(TextFormatter.map(m, top: 1).components(separatedBy: "@a[").count == 3)
  }
}

/// Merging one bucket's per-CPU (value, meta, epoch) slots, as upstream's reduce_tseries_value.
@Suite struct OutputTimeSeriesReduceTests {
  func shape(_ r: TimeSeriesShape.Reduction, signed: Bool = false) -> TimeSeriesShape {
    TimeSeriesShape(intervalNanoseconds: 1000, intervals: 4, reduction: r, signed: signed)
  }

  @Test func lastValueIsTheNewestWrite() {
    let p = TimeSeries.reduce([(7, 200, 3), (8, 100, 3), (0, 0, 0)], shape: shape(.last))
    #expect(p == TimeSeriesPoint(epoch: 3, bits: 7))
  }

  @Test func onlyTheLatestEpochCounts() {
    // A CPU whose slot still holds an older epoch of this bucket is left out.
    let p = TimeSeries.reduce([(5, 1, 2), (9, 1, 6), (1, 1, 6)], shape: shape(.sum))
    #expect(p == TimeSeriesPoint(epoch: 6, bits: 10))
  }

  @Test func averageSumsThenDivides() {
    let p = TimeSeries.reduce([(10, 2, 4), (20, 3, 4)], shape: shape(.avg))
    #expect(p == TimeSeriesPoint(epoch: 4, bits: 6))
    let negative = TimeSeries.reduce(
      [(UInt64(bitPattern: -7), 2, 4)], shape: shape(.avg, signed: true))
    #expect(negative == TimeSeriesPoint(epoch: 4, bits: UInt64(bitPattern: -3)))
  }

  @Test func minAndMaxCompareBySignedness() {
    let slots: [(value: UInt64, meta: UInt64, epoch: UInt64)] = [(UInt64(bitPattern: -1), 1, 2), (3, 1, 2)]
    #expect(TimeSeries.reduce(slots, shape: shape(.min, signed: true)).bits == UInt64(bitPattern: -1))
    #expect(TimeSeries.reduce(slots, shape: shape(.min, signed: false)).bits == 3)
    #expect(TimeSeries.reduce(slots, shape: shape(.max, signed: true)).bits == 3)
  }

  @Test func neverWrittenBucketIsEpochZeroValueZero() {
    #expect(TimeSeries.reduce([(5, 1, 0), (0, 0, 0)], shape: shape(.last)) == TimeSeriesPoint(epoch: 0, bits: 0))
  }
}
