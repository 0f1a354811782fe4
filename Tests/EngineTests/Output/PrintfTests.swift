import Testing

@testable import Engine

/// printf formatting. Upstream formats through a C++ iostream (FormatSpec::apply), not C's
/// printf; the expected strings below are what that produces (checked with g++/libstdc++), and
/// the quoted runtime tests are upstream's own EXPECT lines.
@Suite struct OutputPrintfTests {
  func f(_ fmt: String, _ args: OutputValue...) -> String { PrintfFormat(parsing: fmt).format(args) }

  @Test func parsing() {
    let p = PrintfFormat(parsing: "a %-08.3lx b %% c %5% %s%")
    #expect(p.conversions.count == 2)
    let c = p.conversions[0]
    #expect(c.leftAlign && c.leadingZeros && !c.showSign && !c.alternateForm)
    #expect(c.width == 8 && c.precision == 3 && c.lengthModifier == "l" && c.specifier == .x)
    #expect(p.conversions[1].specifier == .s)
    #expect(p.format([.unsigned(255), .string("z")]) == "a ff000000 b % c % z%")
    #expect(
      PrintfFormat(parsing: "%rh %rx %r %gr %g %hhd %*d %.*d").conversions.map(\.specifier) == [
        .rh, .rx, .r, .gr, .g, .d, .d, .d,
      ])
    #expect(PrintfFormat(parsing: "%*d").conversions[0].width == 0)
    // Not conversions: stay literal.
    #expect(PrintfFormat(parsing: "100% %y % +d %.d %0-5d end%").conversions.isEmpty)
    #expect(f("100%y % +d end%") == "100%y % +d end%")
    // "% %" is a conversion (space flag, then %): it prints a single %.
    #expect(f("100% %y") == "100%y")
    #expect(f("%rhello", .buffer([1])) == "01ello")
  }

  @Test func check() throws {
    let i = PrintfArgument(.integer, typeName: "int64")
    let s = PrintfArgument(.other, typeName: "string[6]")
    #expect(throws: PrintfError(message: "not enough arguments for format string (1 supplied, 2 expected)")) {
      try PrintfFormat(parsing: "%d %d").check([i])
    }
    #expect(throws: PrintfError(message: "too many arguments for format string (2 supplied, 1 expected)")) {
      try PrintfFormat(parsing: "%d").check([i, i])
    }
    #expect(throws: PrintfError(message: "unsupported format specifier: f")) {
      try PrintfFormat(parsing: "%f").check([i])
    }
    #expect(throws: PrintfError(message: "unsupported format specifier: g")) {
      try PrintfFormat(parsing: "%g").check([i])
    }
    #expect(throws: PrintfError(message: "unsupported format specifier for type 'string[6]': d")) {
      try PrintfFormat(parsing: "%d").check([s])
    }
    #expect(throws: PrintfError(message: "unsupported format specifier for type 'uint64': r")) {
      try PrintfFormat(parsing: "%r").check([PrintfArgument(.integer, typeName: "uint64")])
    }
    #expect(throws: PrintfError(message: "unable to print none type for specifier: s")) {
      try PrintfFormat(parsing: "%s").check([PrintfArgument(.none, typeName: "none")])
    }
    try PrintfFormat(parsing: "%s %d %x %c %p %r %gr %u").check([
      s, PrintfArgument(.boolean, typeName: "bool"), PrintfArgument(.pointer, typeName: "int8 *"), i, i,
      PrintfArgument(.buffer, typeName: "buffer[6]"), i, i,
    ])
    #expect(PrintfSpecifier.s.expectedArgument == .any)
    #expect(PrintfSpecifier.rx.expectedArgument == .buffer)
    #expect(PrintfSpecifier.p.expectedArgument == .integer)
  }

  @Test func upstreamRuntimeExpectations() {
    #expect(f("test %d", .signed(5)) == "test 5")
    #expect(f("%rx", .buffer(Array("Hello".utf8) + [0])) == "\\x48\\x65\\x6c\\x6c\\x6f\\x00")
    #expect(f("%rh", .buffer(Array("Hello".utf8) + [0])) == "48 65 6c 6c 6f 00")
    #expect(f("%r", .buffer(Array("Hello".utf8) + [0])) == "Hello\\x00")
    #expect(f("%llx", .signed(Int64(bitPattern: 0x8877_6655_4433_2211))) == "8877665544332211")
    #expect(f("%x", .signed(0x7856_3412)) == "78563412")
    #expect(f("0x%x -- 0x%x\n", .unsigned(0x5555_5555), .unsigned(0x3333_3333)) == "0x55555555 -- 0x33333333\n")
    #expect(
      f(
        "%d %s %d %s %d %s\n", .symbolic("ONE", 1), .symbolic("ONE", 1), .symbolic("TWO", 2), .symbolic("TWO", 2),
        .symbolic("OTHER", 99999), .symbolic("OTHER", 99999)) == "1 ONE 2 TWO 99999 OTHER\n")
    #expect(
      f("echo %d %d %d %d %d %d %d", .signed(1), .signed(2), .signed(3), .signed(4), .signed(5), .signed(6), .signed(7))
        == "echo 1 2 3 4 5 6 7")
  }

  @Test func signedConversions() {
    // No length modifier: a C int.
    #expect(f("%d", .signed(4_294_967_301)) == "5")
    #expect(f("%ld", .signed(4_294_967_301)) == "4294967301")
    #expect(f("%i", .unsigned(UInt64.max)) == "-1")
    #expect(f("%lld", .unsigned(UInt64.max)) == "-1")
    #expect(f("%hhd", .signed(200)) == "-56")
    #expect(f("%hd", .signed(40000)) == "-25536")
    #expect(f("%jd %zd %td", .signed(-1), .signed(1 << 40), .signed(-(1 << 40))) == "-1 1099511627776 -1099511627776")
    #expect(f("%d %d", .boolean(true), .boolean(false)) == "1 0")
    #expect(f("%d", .pointer(16)) == "16")
    // Width, fill and sign as iostream does them.
    #expect(f("[%5d]", .signed(42)) == "[   42]")
    #expect(f("[%-5d]", .signed(42)) == "[42   ]")
    #expect(f("[%05d]", .signed(-5)) == "[000-5]")
    #expect(f("[%-05d]", .signed(-5)) == "[-5000]")
    #expect(f("[%+d %+d %+d]", .signed(5), .signed(0), .signed(-5)) == "[+5 +0 -5]")
    #expect(f("[%+05d]", .signed(5)) == "[000+5]")
    #expect(f("[%-+5d]", .signed(3)) == "[+3   ]")
    #expect(f("[% d]", .signed(3)) == "[3]")
    #expect(f("[%5.2d]", .signed(3)) == "[    3]")
    #expect(f("[%*d]", .signed(3)) == "[3]")
    #expect(f("[%2d]", .signed(12345)) == "[12345]")
  }

  @Test func unsignedConversions() {
    #expect(f("%u", .signed(-1)) == "4294967295")
    #expect(f("%lu", .signed(-1)) == "18446744073709551615")
    #expect(f("%x", .signed(-1)) == "ffffffff")
    #expect(f("%lx", .signed(-1)) == "ffffffffffffffff")
    #expect(f("%tx", .signed(-1)) == "ffffffffffffffff")
    #expect(f("%hhu %hhx", .signed(300), .signed(300)) == "44 2c")
    #expect(f("%hu", .signed(-1)) == "65535")
    #expect(f("%X", .unsigned(255)) == "FF")
    #expect(f("%o", .unsigned(8)) == "10")
    #expect(f("%#x %#X %#o", .unsigned(31), .unsigned(31), .unsigned(8)) == "0x1f 0X1F 010")
    #expect(f("%#x %#o", .unsigned(0), .unsigned(0)) == "0 0")
    #expect(f("[%#08x]", .unsigned(31)) == "[00000x1f]")
    #expect(f("[%-#8x]", .unsigned(31)) == "[0x1f    ]")
    #expect(f("%+u %+x", .unsigned(5), .unsigned(5)) == "5 5")
    #expect(f("[%08x]", .unsigned(0xbeef)) == "[0000beef]")
  }

  @Test func charsAndPointers() {
    #expect(f("%c%c", .signed(65), .signed(0x142)) == "AB")
    #expect(f("[%3c]", .signed(65)) == "[  A]")
    #expect(f("[%-3c]", .signed(65)) == "[A  ]")
    #expect(f("[%+c]", .signed(65)) == "[A]")
    #expect(f("%p", .pointer(255)) == "0xff")
    #expect(f("%p", .unsigned(0)) == "0")
    #expect(f("%lp %hhp", .signed(-1), .unsigned(0x1234)) == "0xffffffffffffffff 0x1234")
    #expect(f("[%10p]", .pointer(255)) == "[      0xff]")
    #expect(f("[%010p]", .pointer(255)) == "[0000000xff]")
    #expect(f("[%-010p]", .pointer(255)) == "[0xff000000]")
  }

  @Test func strings() {
    #expect(f("%s", .string("hello")) == "hello")
    #expect(f("[%5s]", .string("ab")) == "[   ab]")
    #expect(f("[%-5s]", .string("ab")) == "[ab   ]")
    #expect(f("[%05s]", .string("ab")) == "[000ab]")
    #expect(f("[%.1s]", .string("abc")) == "[abc]")
    #expect(f("[%2s]", .string("abc")) == "[abc]")
    #expect(f("%s %s %s", .signed(-5), .unsigned(7), .boolean(true)) == "-5 7 true")
    #expect(f("%s", .pointer(0x10)) == "0x10")
    #expect(f("%s", .symbolic("CUSTOM_ENUM", 3)) == "CUSTOM_ENUM")
    #expect(f("%s", .buffer([0x41, 0x0a])) == "A\\x0a")
    // Only the first piece of a compound value is padded; %+ marks every signed number inside.
    #expect(f("[%8s]", .tuple([.signed(1), .signed(2)])) == "[       (1, 2)]")
    #expect(f("[%-8s]", .tuple([.signed(1), .signed(2)])) == "[(       1, 2)]")
    #expect(f("[%6s]", .record([RecordField("a", .signed(1))])) == "[    { .a = 1 }]")
    #expect(f("%+s", .tuple([.signed(1), .signed(-2), .unsigned(3)])) == "(+1, -2, 3)")
    #expect(f("%s|", .stack(StackTrace(symbols: ["f+1"]))) == "\n        f+1\n|")
    #expect(f("%r", .string("text")) == "text")
  }

  @Test func gfpFlags() {
    #expect(f("%gr", .unsigned(0)) == "0")
    #expect(f("%gr", .unsigned(0xcc0)) == "GFP_KERNEL")
    #expect(f("%gr", .unsigned(0x822)) == "GFP_ATOMIC|__GFP_HIGHMEM")
    #expect(f("%gr", .unsigned(0x4c0)) == "__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM")
    #expect(f("%gr", .unsigned(0xcc0 | 0x40_0000)) == "GFP_KERNEL_ACCOUNT")
    #expect(f("%gr", .unsigned(0xec0)) == "GFP_KERNEL|0x200")
    #expect(f("%gr", .signed(Int64.min)) == "0x8000000000000000")
    #expect(f("[%12gr]", .unsigned(0xcc0)) == "[  GFP_KERNEL]")
    #expect(f("%gr", .boolean(true)) == "!{invalid GFP flags conversion: true}")
  }

  @Test func invalidValuesAreEmbedded() {
    #expect(f("a %d b", .string("abc")) == "a !{invalid integer conversion: abc} b")
    #expect(f("%x", .tuple([.signed(1)])) == "!{invalid integer conversion: (1)}")
  }

  @Test func argumentCountMismatchAtRunTime() {
    // Upstream writes fragments only up to the last argument, then the final fragment.
    #expect(f("a%db%dc", .signed(1)) == "a1c")
    #expect(f("plain", .signed(1)) == "plain")
  }

  @Test func appendingToBuffer() {
    var out: [UInt8] = Array("> ".utf8)
    PrintfFormat(parsing: "%s=%d\n").format([.string("pid"), .signed(42)], appendingTo: &out)
    #expect(String(decoding: out, as: UTF8.self) == "> pid=42\n")
  }
}
