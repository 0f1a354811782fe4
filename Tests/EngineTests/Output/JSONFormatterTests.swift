import Testing

@testable import Engine

/// `-f json` lines. Expected strings are upstream's tests/runtime/json-output expectations
/// (the EXPECT lines verbatim; for EXPECT_JSON files, the same object on one line with upstream's
/// spacing: `", "` between object members, `","` between array elements).
@Suite struct OutputJSONFormatterTests {
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

  @Test func scalarsAndKeyedMaps() {
    #expect(
      JSONFormatter.map(.scalar("@scalar", .integer(.signed(5)))) == "{\"type\": \"map\", \"data\": {\"@scalar\": 5}}\n"
    )
    #expect(
      JSONFormatter.map(.scalar("@scalar_str", .value(.string("a b \n d e"))))
        == "{\"type\": \"map\", \"data\": {\"@scalar_str\": \"a b \\n d e\"}}\n")
    #expect(
      JSONFormatter.map(
        MapSnapshot(
          name: "@complex",
          entries: [
            MapEntry(key: .tuple([.string("bpftrace"), .signed(2)]), value: .integer(.signed(5)))
          ])) == "{\"type\": \"map\", \"data\": {\"@complex\": {\"bpftrace,2\": 5}}}\n")
    #expect(
      JSONFormatter.map(
        MapSnapshot(
          name: "@map",
          entries: [
            MapEntry(key: .string("key2"), value: .integer(.signed(3))),
            MapEntry(key: .string("key1"), value: .integer(.signed(2))),
          ])) == "{\"type\": \"map\", \"data\": {\"@map\": {\"key1\": 2, \"key2\": 3}}}\n")
    // Keys lose every space, values keep theirs.
    #expect(
      JSONFormatter.map(
        MapSnapshot(
          name: "@",
          entries: [
            MapEntry(key: .string("a b"), value: .value(.string("c d")))
          ])) == "{\"type\": \"map\", \"data\": {\"@\": {\"ab\": \"c d\"}}}\n")
  }

  @Test func tuplesRecordsAndPointers() {
    #expect(
      JSONFormatter.map(
        .scalar("@", .value(.tuple([.signed(1), .signed(2), .string("string"), .tuple([.signed(4), .signed(5)])]))))
        == "{\"type\": \"map\", \"data\": {\"@\": [1,2,\"string\",[4,5]]}}\n")
    #expect(
      JSONFormatter.map(
        .scalar(
          "@", .value(.tuple([.signed(0), .record([RecordField("m", .signed(2)), RecordField("n", .signed(3))])]))))
        == "{\"type\": \"map\", \"data\": {\"@\": [0,{\"m\": 2, \"n\": 3}]}}\n")
    #expect(
      JSONFormatter.map(.scalar("@", .value(.tuple([.signed(1), .signed(2), .string("string with \"quotes\"")]))))
        == "{\"type\": \"map\", \"data\": {\"@\": [1,2,\"string with \\\"quotes\\\"\"]}}\n")
    let v = OutputValue.record([
      RecordField("x", .signed(1)), RecordField("y", .signed(2)),
    ])
    #expect(
      JSONFormatter.map(
        .scalar(
          "@a",
          .value(
            .record([
              RecordField("a", .signed(0)), RecordField("b", .signed(1)), RecordField("c", .string("str")),
              RecordField("d", .tuple([.signed(5), .signed(6)])), RecordField("e", v),
            ]))))
        == "{\"type\": \"map\", \"data\": {\"@a\": {\"a\": 0, \"b\": 1, \"c\": \"str\", \"d\": [5,6], \"e\": {\"x\": 1, \"y\": 2}}}}\n"
    )
    // print_hex_values: a pointer is its number.
    #expect(JSONFormatter.map(.scalar("@", .value(.pointer(0x32)))) == "{\"type\": \"map\", \"data\": {\"@\": 50}}\n")
  }

  @Test func values() {
    #expect(JSONFormatter.value(.signed(5)) == "{\"type\": \"value\", \"data\": 5}\n")
    #expect(JSONFormatter.value(.string("bpftrace")) == "{\"type\": \"value\", \"data\": \"bpftrace\"}\n")
    #expect(
      JSONFormatter.value(.tuple([.signed(1), .signed(2), .string("string")]))
        == "{\"type\": \"value\", \"data\": [1,2,\"string\"]}\n")
    #expect(
      JSONFormatter.value(
        .record([
          RecordField("y", .record([RecordField("m", .array([.signed(2)]))])),
          RecordField("a", .record([RecordField("n", .signed(3))])),
        ]))
        == "{\"type\": \"value\", \"data\": {\"y\": {\"m\": [2]}, \"a\": {\"n\": 3}}}\n")
    #expect(JSONFormatter.value(.symbolic("FOO", 333)) == "{\"type\": \"value\", \"data\": 333}\n")
    #expect(
      JSONFormatter.value(
        .record([
          RecordField("m", .signed(2)),
          RecordField("n", .record([RecordField("i", .signed(5)), RecordField("f", .none)])),
        ]))
        == "{\"type\": \"value\", \"data\": {\"m\": 2, \"n\": {\"i\": 5, \"f\": null}}}\n")
    #expect(
      JSONFormatter.value(.tuple([.boolean(true), .boolean(false)]))
        == "{\"type\": \"value\", \"data\": [true,false]}\n")
    #expect(
      JSONFormatter.value(.string("Argument list too long"))
        == "{\"type\": \"value\", \"data\": \"Argument list too long\"}\n")
  }

  @Test func numbersBeyondDoublePrecisionAreStrings() {
    #expect(JSONFormatter.json(.unsigned(UInt64.max)) == "\"18446744073709551615\"")
    #expect(JSONFormatter.json(.unsigned(1 << 63)) == "9223372036854775808")
    #expect(JSONFormatter.json(.signed(Int64.max)) == "\"9223372036854775807\"")
    #expect(JSONFormatter.json(.signed(Int64.min)) == "-9223372036854775808")
    #expect(JSONFormatter.json(.signed((1 << 53) + 1)) == "\"9007199254740993\"")
    #expect(JSONFormatter.json(.signed(1 << 53)) == "9007199254740992")
  }

  @Test func stringsBuffersAndStacks() {
    #expect(JSONFormatter.json(.string("\u{1}\t\r\\")) == "\"\\u0001\\t\\r\\\\\"")
    // Upstream escapes bytes >= 0x80 through a signed char: "é" (c3 a9).
    #expect(JSONFormatter.json(.string("é")) == "\"\\uffffffc3\\uffffffa9\"")
    #expect(JSONFormatter.json(.buffer([104, 105, 0, 0xff])) == "[104,105,0,-1]")
    #expect(JSONFormatter.json(.stack(StackTrace(symbols: ["f+1", "g+2"]))) == "\"\\n        f+1\\n        g+2\\n\"")
  }

  @Test func histograms() {
    #expect(
      JSONFormatter.map(.scalar("@hist", .hist(log2([2, 1025])))) == "{\"type\": \"hist\", \"data\": {\"@hist\": ["
        + "{\"min\": 2, \"max\": 3, \"count\": 1},{\"min\": 4, \"max\": 7, \"count\": 0},{\"min\": 8, \"max\": 15, \"count\": 0},"
        + "{\"min\": 16, \"max\": 31, \"count\": 0},{\"min\": 32, \"max\": 63, \"count\": 0},{\"min\": 64, \"max\": 127, \"count\": 0},"
        + "{\"min\": 128, \"max\": 255, \"count\": 0},{\"min\": 256, \"max\": 511, \"count\": 0},"
        + "{\"min\": 512, \"max\": 1023, \"count\": 0},{\"min\": 1024, \"max\": 2047, \"count\": 1}]}}\n")
    // hist_zero.json
    #expect(
      JSONFormatter.map(.scalar("@hist", .hist(Log2Histogram(bits: 0, buckets: [0, 0, 0, 0]))))
        == "{\"type\": \"hist\", \"data\": {\"@hist\": []}}\n")
    // hist_10g.json
    #expect(
      JSONFormatter.map(.scalar("@", .hist(log2([10 * 1024 * 1024 * 1024]))))
        == "{\"type\": \"hist\", \"data\": {\"@\": [{\"min\": 8589934592, \"max\": 17179869183, \"count\": 1}]}}\n")
    // hist_multiple.json: a bucket for negatives has no min.
    let multi = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .string("curl"), value: .hist(log2([-1, 0, 511, 1024, 1025]))),
        MapEntry(key: .string("bpftrace"), value: .hist(log2([2]))),
      ])
    #expect(
      JSONFormatter.map(multi)
        == "{\"type\": \"hist\", \"data\": {\"@\": {\"bpftrace\": [{\"min\": 2, \"max\": 3, \"count\": 1}], \"curl\": ["
        + "{\"max\": -1, \"count\": 1},{\"min\": 0, \"max\": 0, \"count\": 1},{\"min\": 1, \"max\": 1, \"count\": 0},"
        + "{\"min\": 2, \"max\": 3, \"count\": 0},{\"min\": 4, \"max\": 7, \"count\": 0},{\"min\": 8, \"max\": 15, \"count\": 0},"
        + "{\"min\": 16, \"max\": 31, \"count\": 0},{\"min\": 32, \"max\": 63, \"count\": 0},{\"min\": 64, \"max\": 127, \"count\": 0},"
        + "{\"min\": 128, \"max\": 255, \"count\": 0},{\"min\": 256, \"max\": 511, \"count\": 1},{\"min\": 512, \"max\": 1023, \"count\": 0},"
        + "{\"min\": 1024, \"max\": 2047, \"count\": 2}]}}}\n")
    // print_hist_with_top_arg (verbatim EXPECT line).
    let keyed = MapSnapshot(
      name: "@",
      entries: [1, 2, 3].map {
        MapEntry(key: .signed($0), value: .hist(log2([$0 * 10])), rawKey: [UInt8($0), 0, 0, 0, 0, 0, 0, 0])
      })
    #expect(
      JSONFormatter.map(keyed, top: 2)
        == "{\"type\": \"hist\", \"data\": {\"@\": {\"2\": [{\"min\": 16, \"max\": 31, \"count\": 1}], \"3\": [{\"min\": 16, \"max\": 31, \"count\": 1}]}}}\n"
    )
    #expect(
      JSONFormatter.map(keyed, top: 10)
        == "{\"type\": \"hist\", \"data\": {\"@\": {\"1\": [{\"min\": 8, \"max\": 15, \"count\": 1}], \"2\": [{\"min\": 16, \"max\": 31, \"count\": 1}], \"3\": [{\"min\": 16, \"max\": 31, \"count\": 1}]}}}\n"
    )
  }

  @Test func finegrainHistogramMatchesUpstreamFile() {
    // histogram-finegrain: hist($i, 3) for $i in 0..<1024, expected in outputs/hist_2args.json.
    let h = log2((0..<1024).map { Int64($0) }, bits: 3)
    var rows: [String] = (0..<16).map { "{\"min\": \($0), \"max\": \($0), \"count\": 1}" }
    var start = 16
    for power in 4..<10 {
      let size = 1 << (power - 3)
      for _ in 0..<8 {
        rows.append("{\"min\": \(start), \"max\": \(start + size - 1), \"count\": \(size)}")
        start += size
      }
    }
    #expect(rows.count == 64)
    #expect(rows[16] == "{\"min\": 16, \"max\": 17, \"count\": 2}")
    #expect(rows[63] == "{\"min\": 960, \"max\": 1023, \"count\": 64}")
    #expect(
      JSONFormatter.map(.scalar("@", .hist(h))) == "{\"type\": \"hist\", \"data\": {\"@\": ["
        + rows.joined(separator: ",") + "]}}\n")
  }

  @Test func linearHistograms() {
    // lhist.json
    let h = linear([2, 50, 1000], 0, 100, 10)
    var rows = (0..<10).map {
      "{\"min\": \($0 * 10), \"max\": \($0 * 10 + 9), \"count\": \($0 == 0 || $0 == 5 ? 1 : 0)}"
    }
    rows.append("{\"min\": 100, \"count\": 1}")
    #expect(
      JSONFormatter.map(.scalar("@h", .lhist(h))) == "{\"type\": \"hist\", \"data\": {\"@h\": ["
        + rows.joined(separator: ",") + "]}}\n")
    // lhist_zero.json
    #expect(
      JSONFormatter.map(.scalar("@h", .lhist(LinearHistogram(min: 0, max: 100, step: 10, buckets: [0, 0]))))
        == "{\"type\": \"hist\", \"data\": {\"@h\": []}}\n")
    // K labels are numbers in JSON.
    let k = linear([3000], 0, 10240, 1024)
    #expect(
      JSONFormatter.map(.scalar("@k", .lhist(k)))
        == "{\"type\": \"hist\", \"data\": {\"@k\": [{\"min\": 2048, \"max\": 3071, \"count\": 1}]}}\n")
  }

  @Test func stats() {
    #expect(
      JSONFormatter.map(.scalar("@stats", .stats(.unsigned(total: 12, count: 2))))
        == "{\"type\": \"stats\", \"data\": {\"@stats\": {\"count\": 2, \"average\": 6, \"total\": 12}}}\n")
    #expect(
      JSONFormatter.map(
        MapSnapshot(
          name: "@stats",
          entries: [
            MapEntry(key: .string("zsh"), value: .stats(.unsigned(total: 10, count: 1))),
            MapEntry(key: .string("curl"), value: .stats(.unsigned(total: 2, count: 1))),
          ]))
        == "{\"type\": \"stats\", \"data\": {\"@stats\": {\"curl\": {\"count\": 1, \"average\": 2, \"total\": 2}, \"zsh\": {\"count\": 1, \"average\": 10, \"total\": 10}}}}\n"
    )
    let avgs = MapSnapshot(
      name: "@",
      entries: ["a", "b", "c", "d"].enumerated().map {
        MapEntry(key: .string($0.element), value: .average(.signed(total: Int64($0.offset + 1) * 10, count: 1)))
      })
    #expect(
      JSONFormatter.map(avgs, top: 2, div: 10) == "{\"type\": \"stats\", \"data\": {\"@\": {\"c\": 3, \"d\": 4}}}\n")
    #expect(
      JSONFormatter.map(avgs, top: 10, div: 10)
        == "{\"type\": \"stats\", \"data\": {\"@\": {\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}}}\n")
    #expect(
      JSONFormatter.map(.scalar("@a", .average(.unsigned(total: 9, count: 2))))
        == "{\"type\": \"stats\", \"data\": {\"@a\": 4}}\n")
  }

  @Test func emptyMaps() {
    #expect(JSONFormatter.map(MapSnapshot(name: "@", entries: [])) == "")
    #expect(
      JSONFormatter.map(MapSnapshot(name: "@s", entries: [], isAverageOrStats: true))
        == "{\"type\": \"stats\", \"data\": {\"@s\": {}}}\n")
  }

  @Test func eventLines() {
    #expect(JSONFormatter.printf("test 5") == "{\"type\": \"printf\", \"data\": \"test 5\"}\n")
    #expect(
      JSONFormatter.printf("test \r \n \t \\ \" bar")
        == "{\"type\": \"printf\", \"data\": \"test \\r \\n \\t \\\\ \\\" bar\"}\n")
    #expect(
      JSONFormatter.printf("1 ONE 2 TWO 99999 OTHER\n")
        == "{\"type\": \"printf\", \"data\": \"1 ONE 2 TWO 99999 OTHER\\n\"}\n")
    var out: [UInt8] = Array("x".utf8)
    JSONFormatter.appendPrintf(Array("a\"b".utf8), to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "x{\"type\": \"printf\", \"data\": \"a\\\"b\"}\n")
    #expect(JSONFormatter.syscall("a b c\n") == "{\"type\": \"syscall\", \"data\": \"a b c\\n\"}\n")
    #expect(JSONFormatter.join("/bin/echo,'A'") == "{\"type\": \"join\", \"data\": \"/bin/echo,'A'\"}\n")
    #expect(JSONFormatter.time("10:11:12\n") == "{\"type\": \"time\", \"data\": \"10:11:12\\n\"}\n")
    #expect(JSONFormatter.cat("1.5 2.5\n") == "{\"type\": \"cat\", \"data\": \"1.5 2.5\\n\"}\n")
    #expect(
      JSONFormatter.attachedProbes(1) == "{\"type\": \"attached_probes\", \"count\": 1, \"data\": {\"probes\": 1}}\n")
    #expect(JSONFormatter.lostEvents(7) == "{\"type\": \"lost_events\", \"count\": 7, \"data\": {\"events\": 7}}\n")
    #expect(
      JSONFormatter.helperError(
        message: "Bad address", helper: "probe_read_user", retcode: -14, filename: "stdin", line: 1, column: 87)
        == "{\"type\": \"helper_error\", \"msg\": \"Bad address\", \"helper\": \"probe_read_user\", \"retcode\": -14, \"filename\": \"stdin\", \"line\": 1, \"col\": 87}\n"
    )
    #expect(
      JSONFormatter.errorf("bad", isError: true, filename: "stdin", line: 2, column: 3)
        == "{\"type\": \"errorf\", \"msg\": \"bad\", \"filename\": \"stdin\", \"line\": 2, \"col\": 3}\n")
    #expect(
      JSONFormatter.runtimeError(message: "oops", filename: "a.bt", line: 4, column: 5)
        == "{\"type\": \"runtime_error\", \"msg\": \"oops\", \"filename\": \"a.bt\", \"line\": 4, \"col\": 5}\n")
  }

  @Test func multipleMapsAtExit() {
    // multiple_maps.ndjson, one line per map, by name.
    let maps = [
      MapSnapshot(name: "@map2", entries: [MapEntry(key: .string("key2"), value: .integer(.signed(3)))]),
      MapSnapshot(name: "@map1", entries: [MapEntry(key: .string("key1"), value: .integer(.signed(2)))]),
    ]
    #expect(
      JSONFormatter.exitMaps(maps)
        == "{\"type\": \"map\", \"data\": {\"@map1\": {\"key1\": 2}}}\n{\"type\": \"map\", \"data\": {\"@map2\": {\"key2\": 3}}}\n"
    )
  }
}
