import Testing

@testable import Engine

/// Non-histogram maps as text. Expected lines follow upstream's tests/runtime (call, map,
/// tuples, record, other, signed_ints, json-output) and the ordering rules of upstream's format().
@Suite struct OutputMapTextTests {
  func counts(_ name: String, _ pairs: [(String, UInt64)]) -> MapSnapshot {
    MapSnapshot(
      name: name, entries: pairs.map { MapEntry(key: .string(ByteString($0.0)), value: .integer(.unsigned($0.1))) })
  }

  @Test func scalars() {
    #expect(TextFormatter.map(.scalar("@sum", .integer(.signed(6)))) == "@sum: 6\n")
    #expect(TextFormatter.map(.scalar("@", .integer(.signed(-11)))) == "@: -11\n")
    #expect(TextFormatter.map(.scalar("@avg", .average(.signed(total: 6, count: 3)))) == "@avg: 2\n")
    #expect(TextFormatter.map(.scalar("@", .average(.signed(total: -40, count: 2)))) == "@: -20\n")
    #expect(TextFormatter.map(.scalar("@min", .minMax(.signed(1)))) == "@min: 1\n")
    #expect(
      TextFormatter.map(.scalar("@stats", .stats(.signed(total: 6, count: 3))))
        == "@stats: { .count = 3, .average = 2, .total = 6 }\n")
    // stats(-10), stats(-5), stats(5): average truncates toward zero.
    #expect(
      TextFormatter.map(.scalar("@", .stats(.signed(total: -10, count: 3))))
        == "@: { .count = 3, .average = -3, .total = -10 }\n")
    // print() of an empty stats map: the runtime passes the zero value.
    #expect(
      TextFormatter.map(.scalar("@", .stats(.signed(total: 0, count: 0))))
        == "@: { .count = 0, .average = 0, .total = 0 }\n")
    #expect(TextFormatter.map(.scalar("@", .value(.string("ok_value")))) == "@: ok_value\n")
    #expect(
      TextFormatter.map(.scalar("@", .value(.tuple([.signed(1), .tuple([.signed(-20), .signed(30)])]))))
        == "@: (1, (-20, 30))\n")
    #expect(
      TextFormatter.map(.scalar("@a", .value(.array([.boolean(true), .boolean(false)])))) == "@a: [true,false]\n")
    #expect(TextFormatter.map(.scalar("@", .integer(.symbolic("ONE", 1)))) == "@: ONE\n")
  }

  @Test func keysAndTupleKeys() {
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@a",
          entries: [
            MapEntry(key: .unsigned(18_446_744_073_709_551_615), value: .integer(.signed(0)))
          ])) == "@a[18446744073709551615]: 0\n")
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@",
          entries: [
            MapEntry(
              key: .tuple([.signed(1), .signed(5), .signed(1), .signed(10), .signed(7)]), value: .integer(.signed(1)))
          ])) == "@[1, 5, 1, 10, 7]: 1\n")
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@",
          entries: [
            MapEntry(
              key: .tuple([.symbolic("ONE", 1), .symbolic("TWO", 2), .symbolic("ONE", 1)]), value: .integer(.signed(-1))
            )
          ])) == "@[ONE, TWO, ONE]: -1\n")
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@a",
          entries: [
            MapEntry(key: .boolean(true), value: .value(.boolean(false)))
          ])) == "@a[true]: false\n")
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@x",
          entries: [
            MapEntry(
              key: .tuple([.array([.signed(1), .signed(2), .signed(3), .signed(4)]), .signed(42)]),
              value: .integer(.signed(0)))
          ])) == "@x[[1,2,3,4], 42]: 0\n")
    // Upstream strips parentheses from the key's text, whatever made them.
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@",
          entries: [
            MapEntry(key: .string("(x)"), value: .integer(.unsigned(1)))
          ])) == "@[x]: 1\n")
    #expect(
      TextFormatter.map(
        MapSnapshot(
          name: "@",
          entries: [
            MapEntry(key: .pointer(0x1), value: .integer(.unsigned(1)))
          ])) == "@[0x1]: 1\n")
  }

  @Test func recordKeyAndValue() {
    let key = OutputValue.record([
      RecordField("a", .signed(1)), RecordField("b", .string("hello")),
      RecordField(
        "c",
        .tuple([
          .record([RecordField("n", .pointer(0xdead)), RecordField("c", .signed(120))]),
          .record([RecordField("x", .signed(100)), RecordField("y", .signed(120))]),
        ])),
    ])
    let value = OutputValue.tuple([
      .string("bye"), .record([RecordField("m", .record([])), RecordField("n", .signed(10))]),
    ])
    #expect(
      TextFormatter.map(MapSnapshot(name: "@", entries: [MapEntry(key: key, value: .value(value))]))
        == "@[{ .a = 1, .b = hello, .c = ({ .n = 0xdead, .c = 120 }, { .x = 100, .y = 120 }) }]: (bye, { .m = {}, .n = 10 })\n"
    )
  }

  @Test func countMapsSortAscendingByValue() {
    let m = counts("@a", [("x", 2), ("y", 1), ("z", 10)])
    #expect(TextFormatter.map(m) == "@a[y]: 1\n@a[x]: 2\n@a[z]: 10\n")
  }

  @Test func signedSumsSortSigned() {
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .signed(1), value: .integer(.signed(5))),
        MapEntry(key: .signed(2), value: .integer(.signed(-7))),
        MapEntry(key: .signed(3), value: .integer(.signed(0))),
      ])
    #expect(TextFormatter.map(m) == "@[2]: -7\n@[3]: 0\n@[1]: 5\n")
  }

  @Test func minMaxSortUnsigned() {
    // Upstream compares min/max values as unsigned: -7 sorts after 5.
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .signed(2), value: .minMax(.signed(-7))),
        MapEntry(key: .signed(1), value: .minMax(.signed(5))),
      ])
    #expect(TextFormatter.map(m) == "@[1]: 5\n@[2]: -7\n")
  }

  @Test func averagesSortByAverage() {
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .string("d"), value: .average(.signed(total: 40, count: 1))),
        MapEntry(key: .string("a"), value: .average(.signed(total: 10, count: 1))),
        MapEntry(key: .string("c"), value: .average(.signed(total: 30, count: 1))),
        MapEntry(key: .string("b"), value: .average(.signed(total: 20, count: 1))),
      ])
    // Upstream print_avg_map_args / print_avg_map_with_large_top.
    #expect(TextFormatter.map(m, top: 2, div: 10) == "@[c]: 3\n@[d]: 4\n")
    #expect(TextFormatter.map(m, top: 10, div: 10) == "@[a]: 1\n@[b]: 2\n@[c]: 3\n@[d]: 4\n")
  }

  @Test func statsMapDivOnlyDividesAverage() {
    let m = MapSnapshot(
      name: "@s",
      entries: [
        MapEntry(key: .string("zsh"), value: .stats(.unsigned(total: 10, count: 1))),
        MapEntry(key: .string("curl"), value: .stats(.unsigned(total: 2, count: 1))),
      ])
    #expect(
      TextFormatter.map(m, div: 2) == """
        @s[curl]: { .count = 1, .average = 1, .total = 2 }
        @s[zsh]: { .count = 1, .average = 5, .total = 10 }

        """)
  }

  @Test func topAndDiv() {
    // docs/stdlib.md: @[$elem] = $elem-1 for 1..11; print(@, 2) -> the two largest.
    let m = MapSnapshot(
      name: "@", entries: (1...10).map { MapEntry(key: .signed($0), value: .integer(.signed($0 - 1))) })
    #expect(TextFormatter.map(m, top: 2) == "@[9]: 8\n@[10]: 9\n")
    // div is integer division, also inside tuple values.
    #expect(TextFormatter.map(.scalar("@", .integer(.unsigned(721))), div: 10) == "@: 72\n")
    #expect(
      TextFormatter.map(.scalar("@", .value(.tuple([.signed(7), .string("s"), .symbolic("E", 9)]))), div: 2)
        == "@: (3, s, E)\n")
    #expect(TextFormatter.map(.scalar("@", .integer(.signed(-7))), div: 2) == "@: -3\n")
  }

  @Test func otherMapsSortByKey() {
    // String values: sorted by key. Integer keys signed, strings bytewise.
    let ints = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .signed(10), value: .value(.string("ten"))),
        MapEntry(key: .signed(-1), value: .value(.string("minus"))),
        MapEntry(key: .unsigned(UInt64.max), value: .value(.string("max"))),  // -1 as int64: ties with -1, stays after it
        MapEntry(key: .signed(2), value: .value(.string("two"))),
      ])
    #expect(TextFormatter.map(ints) == "@[-1]: minus\n@[18446744073709551615]: max\n@[2]: two\n@[10]: ten\n")
    let strs = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .string("b"), value: .value(.string("1"))),
        MapEntry(key: .string("B"), value: .value(.string("2"))),
        MapEntry(key: .string("ab"), value: .value(.string("3"))),
        MapEntry(key: .string("a"), value: .value(.string("4"))),
      ])
    #expect(TextFormatter.map(strs) == "@[B]: 2\n@[a]: 4\n@[ab]: 3\n@[b]: 1\n")
    // Tuples: field by field, skipping fields that are neither integers nor strings.
    let tuples = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .tuple([.string("b"), .boolean(false), .signed(1)]), value: .value(.boolean(true))),
        MapEntry(key: .tuple([.string("a"), .boolean(true), .signed(2)]), value: .value(.boolean(true))),
        MapEntry(key: .tuple([.string("a"), .boolean(false), .signed(1)]), value: .value(.boolean(false))),
      ])
    #expect(TextFormatter.map(tuples) == "@[a, false, 1]: false\n@[a, true, 2]: true\n@[b, false, 1]: true\n")
    // Booleans and pointers are not sorted: kernel order stays.
    let ptrs = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .pointer(0x20), value: .value(.string("x"))),
        MapEntry(key: .pointer(0x10), value: .value(.string("y"))),
      ])
    #expect(TextFormatter.map(ptrs) == "@[0x20]: x\n@[0x10]: y\n")
  }

  @Test func narrowKeysCompareAtTheirWidth() {
    // A uint32 key 0xffffffff is -1 to upstream's int32 comparison.
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .unsigned(5), value: .value(.string("five"))),
        MapEntry(key: .unsigned(0xffff_ffff), value: .value(.string("big"))),
      ], keyOrder: .integer(bytes: 4))
    #expect(TextFormatter.map(m) == "@[4294967295]: big\n@[5]: five\n")
  }

  @Test func tiesFollowLibstdcxxSort() {
    // 17 keys with counts (i * 7) % 4, in this kernel order; g++'s std::ranges::sort gives this order.
    let m = MapSnapshot(
      name: "@",
      entries: (0..<17).map {
        MapEntry(key: .string(ByteString("k\($0)")), value: .integer(.unsigned(UInt64(($0 * 7) % 4))))
      })
    let expected = [8, 16, 12, 0, 4, 7, 3, 11, 15, 6, 10, 2, 14, 5, 9, 13, 1]
      .map { "@[k\($0)]: \(($0 * 7) % 4)\n" }.joined()
    #expect(TextFormatter.map(m) == expected)
  }

  @Test func emptyMapsPrintNothing() {
    #expect(TextFormatter.map(MapSnapshot(name: "@", entries: [])) == "")
    #expect(TextFormatter.map(MapSnapshot(name: "@", entries: [], isAverageOrStats: true)) == "")
  }

  @Test func stackKeys() {
    let stack = StackTrace(symbols: ["ip_output+1", "tcp_transmit_skb+1308"])
    let m = MapSnapshot(name: "@", entries: [MapEntry(key: .stack(stack), value: .integer(.unsigned(1708)))])
    #expect(TextFormatter.map(m) == "@[\n        ip_output+1\n        tcp_transmit_skb+1308\n]: 1708\n")
    let withComm = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .tuple([.stack(stack), .string("curl")]), value: .integer(.unsigned(3)))
      ])
    #expect(TextFormatter.map(withComm) == "@[\n        ip_output+1\n        tcp_transmit_skb+1308\n, curl]: 3\n")
  }

  @Test func exitMapsSortByNameAfterTwoNewlines() {
    let maps = [
      MapSnapshot.scalar("@b", .integer(.signed(1))),
      counts("@a", [("x", 2), ("y", 1)]),
      MapSnapshot.scalar("@h", .hist(Log2Histogram(bits: 0, buckets: [0, 0, 0, 0, 1]))),
      MapSnapshot.scalar("@", .integer(.unsigned(3))),
      MapSnapshot(name: "@empty", entries: []),
      MapSnapshot.scalar("@B", .average(.unsigned(total: 7, count: 1))),
    ]
    #expect(
      TextFormatter.exitMaps(maps) == """


        @: 3
        @B: 7
        @a[y]: 1
        @a[x]: 2
        @b: 1
        @h:
        [4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|


        """)
    #expect(TextFormatter.exitMaps([]) == "\n\n")
  }
}
