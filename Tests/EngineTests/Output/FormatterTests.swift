import Testing

@testable import Engine

@Suite struct FormatterTests {
  @Test func printfConversions() {
    let f = PrintfFormatter("%8d us, ret: %d %s|%-5s|%05d %x %%\n")
    #expect(f.format([.unsigned(42), .signed(-3), .string("ab"), .string("cd"), .signed(-7), .unsigned(255)]) == "      42 us, ret: -3 ab|cd   |-0007 ff %\n")
  }

  @Test func mapsSortByValueWithTupleKeysUnparenthesized() {
    let entries: [MapFormatter.Entry] = [
      .init(key: .tuple([.symbol("tracepoint:syscalls:sys_exit_openat"), .signed(2)]), value: .plain(.unsigned(12))),
      .init(key: .tuple([.symbol("tracepoint:syscalls:sys_exit_read"), .signed(0)]), value: .plain(.unsigned(3))),
    ]
    #expect(
      MapFormatter().format(name: "@", entries: entries) == """
        @[tracepoint:syscalls:sys_exit_read, 0]: 3
        @[tracepoint:syscalls:sys_exit_openat, 2]: 12

        """)
  }

  @Test func log2HistogramRows() {
    // Values 0, 1, 2, 3, 4, 1024 -> buckets (index = log2 bucket of bits 0).
    let buckets: [Int: UInt64] = [1: 1, 2: 1, 3: 2, 4: 1, 12: 1]
    let text = MapFormatter().format(name: "@h", entries: [.init(key: nil, value: .histogram(buckets, .hist(bits: 0)))])
    let bar52 = String(repeating: "@", count: 52)
    let bar26 = String(repeating: "@", count: 26)
    func row(_ label: String, _ count: Int, _ bar: String) -> String {
      label.padding(16) + String(count).leftPadding(8) + " |" + bar.padding(52) + "|"
    }
    let expected = [
      "@h:", row("[0]", 1, bar26), row("[1]", 1, bar26), row("[2, 4)", 2, bar52), row("[4, 8)", 1, bar26),
      row("[8, 16)", 0, ""), row("[16, 32)", 0, ""), row("[32, 64)", 0, ""), row("[64, 128)", 0, ""),
      row("[128, 256)", 0, ""), row("[256, 512)", 0, ""), row("[512, 1K)", 0, ""), row("[1K, 2K)", 1, bar26),
    ].joined(separator: "\n") + "\n\n"
    #expect(text == expected)
  }

  @Test func statsAndAvg() {
    #expect(MapFormatter().format(name: "@s", entries: [.init(key: nil, value: .stats(count: 3, total: 6, showAll: true))]) == "@s: count 3, average 2, total 6\n")
    #expect(MapFormatter().format(name: "@a", entries: [.init(key: .signed(1), value: .stats(count: 4, total: 10, showAll: false))]) == "@a[1]: 2\n")
  }
}
