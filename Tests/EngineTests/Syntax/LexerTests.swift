import Testing

@testable import Engine

@Suite struct LexerTests {
  func kinds(_ text: String) throws -> [TokenKind] {
    var lexer = Lexer(SourceFile(name: "stdin", text: text))
    return try lexer.tokenize().map(\.kind)
  }

  @Test func integersInEveryBaseWithSeparatorsAndSuffixes() throws {
    #expect(
      try kinds("42 0x1F 017 1_000_000 10u 5ll 'a' 1e3") == [
        .integer(42, suffix: ""), .integer(31, suffix: ""), .integer(15, suffix: ""), .integer(1_000_000, suffix: ""),
        .integer(10, suffix: "u"), .integer(5, suffix: ""), .integer(97, suffix: ""), .integer(1000, suffix: ""), .end,
      ])
  }

  @Test func stringsWithEscapes() throws {
    #expect(try kinds(#""a\tb\n\x41\101\"""#) == [.string("a\tb\nAA\""), .end])
  }

  @Test func variablesMapsAndOperators() throws {
    #expect(
      try kinds("$x $1 $# @ @m <<= -> ++ ..") == [
        .variable("$x"), .variable("$1"), .variable("$#"), .map("@"), .map("@m"), .punct("<<="), .punct("->"),
        .punct("++"), .punct(".."), .end,
      ])
  }

  @Test func commentsAreSkipped() throws {
    #expect(try kinds("a // line\n /* block */ b") == [.identifier("a"), .identifier("b"), .end])
  }

  @Test func unterminatedStringIsADiagnosticAtItsStart() {
    #expect(throws: Diagnostic.error("unterminated string", at: SourceRange(4, 8))) { try kinds("x = \"abc") }
  }

  @Test func strayCharacterIsADiagnostic() {
    #expect(throws: Diagnostic.error("invalid character '`'", at: SourceRange(2, 3))) { try kinds("a `") }
  }
}
