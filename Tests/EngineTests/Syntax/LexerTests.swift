import Testing

@testable import Engine

extension SyntaxTests {
  @Suite struct LexerTests {
    /// Token kinds of `text`, without the end-of-input token.
    func kinds(_ text: String) -> [TokenKind] {
      Lexer.tokenize(SourceFile(name: "stdin", text: text)).dropLast().map(\.kind)
    }

    func only(_ text: String) -> TokenKind {
      let k = kinds(text)
      return k.count == 1 ? k[0] : .invalid("\(k.count) tokens: \(k)", atEnd: false)
    }

    /// The first lexical error: message and the source text it covers.
    func lexError(_ text: String) -> (String, String)? {
      let file = SourceFile(name: "stdin", text: text)
      for t in Lexer.tokenize(file) {
        if case .invalid(let message, _) = t.kind { return (message, file.text(of: t.range)) }
      }
      return nil
    }

    @Test func wordsAndSigils() {
      #expect(
        kinds("pid $x $1 $42 $# @m @ @_a1 if sizeof") == [
          .identifier("pid"), .variable("$x"), .positional(1), .positional(42), .positionalCount, .map("@m"),
          .map("@"), .map("@_a1"), .identifier("if"), .identifier("sizeof"),
        ])
      #expect(
        kinds("@[1]") == [.map("@"), .punctuation(.leftBracket), .integer(1, suffix: ""), .punctuation(.rightBracket)])
    }

    @Test func everyPunctuationLexesAlone() {
      for p in Punctuation.allCases {
        #expect(only(p.rawValue) == .punctuation(p), "\(p.rawValue)")
      }
    }

    @Test func longestOperatorWins() {
      #expect(
        kinds("a<<=b>>=c<<d<=e->f..g++--h!=i&&j||k") == [
          .identifier("a"), .punctuation(.shiftLeftAssign), .identifier("b"), .punctuation(.shiftRightAssign),
          .identifier("c"), .punctuation(.shiftLeft), .identifier("d"), .punctuation(.lessEqual),
          .identifier("e"), .punctuation(.arrow), .identifier("f"), .punctuation(.dotDot), .identifier("g"),
          .punctuation(.plusPlus), .punctuation(.minusMinus), .identifier("h"), .punctuation(.bangEqual),
          .identifier("i"), .punctuation(.ampersandAmpersand), .identifier("j"), .punctuation(.pipePipe),
          .identifier("k"),
        ])
    }

    @Test(
      arguments: [
        ("0", 0, ""), ("42", 42, ""), ("1_000_000", 1_000_000, ""), ("0x1f", 31, ""), ("0XFF", 255, ""),
        ("0x_ff_ff", 65535, ""), ("010", 8, ""), ("0777", 511, ""), ("0b101", 5, ""), ("0B1_0", 2, ""),
        ("1e6", 1_000_000, ""), ("2e3", 2000, ""), ("1e1_0", 10_000_000_000, ""), ("7u", 7, "u"), ("7U", 7, "u"),
        ("7ul", 7, "ul"), ("7UL", 7, "ul"), ("7ull", 7, "ull"), ("7l", 7, "l"), ("7LL", 7, "ll"),
        ("0x10ULL", 16, "ull"), ("5ns", 5, ""), ("5us", 5000, ""), ("5ms", 5_000_000, ""), ("1s", 1_000_000_000, ""),
        ("1m", 60_000_000_000, ""), ("1h", 3_600_000_000_000, ""), ("1d", 86_400_000_000_000, ""),
        ("1e3ms", 1_000_000_000, ""), ("18446744073709551615", UInt64.max, ""),
        ("0xffffffffffffffff", UInt64.max, ""), ("4294967295u", 4_294_967_295, "u"),
        ("'a'", 97, ""), ("'\\n'", 10, ""), ("'\\x41'", 65, ""), ("'\\0'", 0, ""), ("'\\''", 39, ""),
      ] as [(String, UInt64, String)])
    func integers(text: String, value: UInt64, suffix: String) {
      #expect(only(text) == .integer(value, suffix: suffix))
    }

    @Test(arguments: [
      (
        "18446744073709551616", "overflow error, maximum value is 18446744073709551615: 18446744073709551616",
        "18446744073709551616"
      ),
      ("4294967296u", "overflow error, maximum value is 4294967295: 4294967296u", "4294967296u"),
      (
        "9223372036854775808l", "overflow error, maximum value is 9223372036854775807: 9223372036854775808l",
        "9223372036854775808l"
      ),
      ("1e20", "overflow error, maximum value is 18446744073709551615: 1e20", "1e20"),
      (
        "100000000000000d", "overflow error, maximum value is 18446744073709551615: 100000000000000d",
        "100000000000000d"
      ),
      ("12e4", "coefficient part of scientific literal must be 1-9: 12e4", "12e4"),
      ("0e4", "coefficient part of scientific literal must be 1-9: 0e4", "0e4"),
      ("5e", "invalid integer suffix 'e'", "e"),
      ("10abc", "invalid integer suffix 'abc'", "abc"),
      ("0x10ms", "invalid integer suffix 'ms'", "ms"),
      ("1_", "trailing underscore in integer literal", "_"),
      ("1_000_", "trailing underscore in integer literal", "_"),
      ("0x", "expected hexadecimal digits after '0x'", "0x"),
      ("0b", "expected binary digits after '0b'", "0b"),
      ("0b102", "invalid digit '2' in binary literal", "2"),
      ("0_78", "invalid digit '8' in octal literal", "8"),
      ("1.5", "floating-point literals are not supported", "1.5"),
      ("''", "empty character literal", "''"),
      ("'ab'", "character literal must hold exactly one byte", "'ab'"),
      ("'é'", "character literal must hold exactly one byte", "'é'"),
      ("'a", "unterminated character literal", "'a"),
    ])
    func integerErrors(text: String, message: String, covered: String) {
      let e = lexError(text)
      #expect(e?.0 == message)
      #expect(e?.1 == covered)
    }

    @Test func tupleIndexesAndRangesAreNotFractions() {
      #expect(
        kinds("$t.0.1") == [
          .variable("$t"), .punctuation(.dot), .integer(0, suffix: ""), .punctuation(.dot), .integer(1, suffix: ""),
        ])
      #expect(kinds("0..10") == [.integer(0, suffix: ""), .punctuation(.dotDot), .integer(10, suffix: "")])
    }

    @Test func stringEscapes() {
      #expect(only(#""a\nb\tc\rd\"e\\f""#) == .string("a\nb\tc\rd\"e\\f"))
      #expect(only(#""\x41\x4a\X7e""#) == .string("AJ~"))
      #expect(only(#""\101\0\1009""#) == .string("A\0@9"))
      #expect(only(#""é ✓""#) == .string("é ✓"))
      #expect(only(#""""#) == .string(""))
    }

    @Test(arguments: [
      (#""\q""#, "invalid escape character '\\q'", "\\q"),
      (#""ok\é""#, "invalid escape character '\\é'", "\\é"),
      (#""\777""#, "octal escape sequence out of range '\\777'", "\\777"),
      (#""\xg""#, "invalid hex escape sequence '\\x'", "\\x"),
      ("\"abc\ndef\"", "unterminated string", "\"abc"),
      ("\"abc", "unterminated string", "\"abc"),
      ("x /* never closed", "unterminated comment", "/*"),
      ("`", "unexpected character '`'", "`"),
      ("é", "unexpected character 'é'", "é"),
      ("\u{1}", "unexpected character '\\x01'", "\u{1}"),
      ("$", "expected identifier after '$'", "$"),
      ("$0", "param $0 is out of integer range [1, 9223372036854775807]", "$0"),
      (
        "$99999999999999999999", "param $99999999999999999999 is out of integer range [1, 9223372036854775807]",
        "$99999999999999999999"
      ),
    ])
    func lexicalErrors(text: String, message: String, covered: String) {
      let e = lexError(text)
      #expect(e?.0 == message)
      #expect(e?.1 == covered)
    }

    @Test func unterminatedAtTheEndCanStillBeCompleted() {
      let tokens = { (text: String) in Lexer.tokenize(SourceFile(name: "t", text: text)) }
      #expect(tokens("\"abc")[0].kind == .invalid("unterminated string", atEnd: true))
      #expect(tokens("\"abc\n  ")[0].kind == .invalid("unterminated string", atEnd: true))
      #expect(tokens("\"abc\n}")[0].kind == .invalid("unterminated string", atEnd: false))
      #expect(tokens("/* x")[0].kind == .invalid("unterminated comment", atEnd: true))
      #expect(tokens("'x")[0].kind == .invalid("unterminated character literal", atEnd: true))
    }

    @Test func commentsAreSkippedAndLineBreaksNoted() {
      let tokens = Lexer.tokenize(SourceFile(name: "t", text: "a // one\nb /* two\n */ c /**/ d\n\ne"))
      #expect(
        tokens.map(\.kind) == [
          .identifier("a"), .identifier("b"), .identifier("c"), .identifier("d"),
          .identifier("e"), .endOfInput,
        ])
      #expect(tokens.map(\.newlineBefore) == [false, true, true, false, true, false])
    }

    @Test func rangesAreByteOffsets() {
      let tokens = Lexer.tokenize(SourceFile(name: "t", text: "é @x += \"ü\" 0x10\n"))
      #expect(
        tokens.map(\.range) == [
          SourceRange(0, 2), SourceRange(3, 5), SourceRange(6, 8), SourceRange(9, 13), SourceRange(14, 18),
          // End of input sits right after the last token, not after the trailing newline.
          SourceRange(18, 18),
        ])
    }

    @Test func preprocessorHashIsAToken() {
      #expect(kinds("#include") == [.hash, .identifier("include")])
    }

    @Test func lexerAlwaysAdvancesOnGarbage() {
      let file = SourceFile(name: "t", text: "\u{1}\u{7f}\\`é\u{0}")
      let tokens = Lexer.tokenize(file)
      #expect(tokens.count == 7)
      #expect(tokens.last?.kind == .endOfInput)
    }
  }
}
