/// Turns bpftrace source into tokens on demand. The parser can move `offset` to re-lex from any
/// byte: attach points are scanned as raw text, not tokens, so it skips over them that way.
/// Errors come back as `.invalid` tokens (never a crash); every call advances at least one byte.
public struct Lexer {
  public let file: SourceFile
  let bytes: [UInt8]
  /// The next byte to look at.
  public var offset: Int
  /// Where the last real token ended; an end-of-input token is placed there so errors about a
  /// missing `}` point at the end of the code rather than at trailing blank lines.
  private var lastTokenEnd = 0
  /// A `.` just before a number means tuple indexing (`$t.0.1`), not a decimal fraction.
  private var previousWasDot = false

  public init(_ file: SourceFile, offset: Int = 0) {
    self.file = file
    self.bytes = file.bytes
    self.offset = offset
    self.lastTokenEnd = offset
  }

  /// All tokens of a file up to and including the end-of-input token.
  public static func tokenize(_ file: SourceFile) -> [Token] {
    var lexer = Lexer(file)
    var tokens: [Token] = []
    while true {
      let t = lexer.next()
      tokens.append(t)
      if t.kind == .endOfInput { return tokens }
    }
  }

  public mutating func next() -> Token {
    let newline: Bool
    switch skipTrivia() {
    case .ok(let sawNewline): newline = sawNewline
    case .unterminatedComment(let start):
      return finish(.invalid("unterminated comment", atEnd: true), SourceRange(start, start + 2), newline: false)
    }
    let start = offset
    guard offset < bytes.count else {
      previousWasDot = false
      return Token(.endOfInput, SourceRange(lastTokenEnd, lastTokenEnd), newlineBefore: newline)
    }
    let c = bytes[offset]
    let kind: TokenKind
    if Lexer.isIdentifierStart(c) {
      offset = scanIdentifier(from: offset)
      kind = .identifier(String(decoding: bytes[start..<offset], as: UTF8.self))
    } else if Lexer.isDigit(c) {
      kind = lexNumber()
    } else {
      switch c {
      case UInt8(ascii: "$"): kind = lexDollar()
      case UInt8(ascii: "@"):
        offset = scanIdentifier(from: offset + 1)
        kind = .map(String(decoding: bytes[start..<offset], as: UTF8.self))
      case UInt8(ascii: "\""): kind = lexString()
      case UInt8(ascii: "'"): kind = lexCharacter()
      case UInt8(ascii: "#"):
        offset += 1
        kind = .hash
      default:
        if let p = lexPunctuation() {
          kind = .punctuation(p)
        } else {
          offset += Lexer.scalarLength(at: offset, in: bytes)
          // Control characters are shown escaped so the message stays printable.
          let text =
            c < 0x20 || c == 0x7F
            ? "\\x" + String(c, radix: 16).leftPadded(to: 2)
            : String(decoding: bytes[start..<offset], as: UTF8.self)
          kind = .invalid("unexpected character '\(text)'", atEnd: false)
        }
      }
    }
    // A literal may report an error about just part of itself (one bad escape).
    let range = pendingErrorRange ?? SourceRange(start, offset)
    pendingErrorRange = nil
    return finish(kind, range, newline: newline)
  }

  /// Set by literal scanners when an error concerns a sub-range of the literal.
  var pendingErrorRange: SourceRange?

  private mutating func finish(_ kind: TokenKind, _ range: SourceRange, newline: Bool) -> Token {
    lastTokenEnd = offset
    previousWasDot = kind == .punctuation(.dot)
    return Token(kind, range, newlineBefore: newline)
  }

  // MARK: trivia

  private enum Trivia {
    case ok(sawNewline: Bool)
    case unterminatedComment(start: Int)
  }

  private mutating func skipTrivia() -> Trivia {
    var newline = false
    while offset < bytes.count {
      let c = bytes[offset]
      if c == UInt8(ascii: "\n") {
        newline = true
        offset += 1
      } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == 0x0B
        || c == 0x0C
      {
        offset += 1
      } else if c == UInt8(ascii: "/"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "/") {
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
      } else if c == UInt8(ascii: "/"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "*") {
        let start = offset
        offset += 2
        var closed = false
        while offset < bytes.count {
          if bytes[offset] == UInt8(ascii: "\n") { newline = true }
          if bytes[offset] == UInt8(ascii: "*"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "/") {
            offset += 2
            closed = true
            break
          }
          offset += 1
        }
        if !closed { return .unterminatedComment(start: start) }
      } else {
        break
      }
    }
    return .ok(sawNewline: newline)
  }

  // MARK: words and sigils

  private func scanIdentifier(from start: Int) -> Int {
    var i = start
    if i < bytes.count, Lexer.isIdentifierStart(bytes[i]) {
      i += 1
      while i < bytes.count, Lexer.isIdentifierBody(bytes[i]) { i += 1 }
    }
    return i
  }

  private mutating func lexDollar() -> TokenKind {
    let start = offset
    let next = offset + 1 < bytes.count ? bytes[offset + 1] : 0
    if next == UInt8(ascii: "#") {
      offset += 2
      return .positionalCount
    }
    if Lexer.isDigit(next) {
      offset += 1
      while offset < bytes.count, Lexer.isDigit(bytes[offset]) { offset += 1 }
      let digits = String(decoding: bytes[(start + 1)..<offset], as: UTF8.self)
      if let n = Int(digits), n >= 1 { return .positional(n) }
      return .invalid("param $\(digits) is out of integer range [1, \(Int.max)]", atEnd: false)
    }
    if Lexer.isIdentifierStart(next) {
      offset = scanIdentifier(from: offset + 1)
      return .variable(String(decoding: bytes[start..<offset], as: UTF8.self))
    }
    offset += 1
    return .invalid("expected identifier after '$'", atEnd: false)
  }

  // MARK: punctuation

  private static let punctuationBySpelling: [[UInt8]: Punctuation] = {
    var table: [[UInt8]: Punctuation] = [:]
    for p in Punctuation.allCases { table[Array(p.rawValue.utf8)] = p }
    return table
  }()

  /// Longest match first (`<<=` before `<<` before `<`).
  private mutating func lexPunctuation() -> Punctuation? {
    for length in stride(from: 3, through: 1, by: -1) where offset + length <= bytes.count {
      if let p = Lexer.punctuationBySpelling[Array(bytes[offset..<(offset + length)])] {
        offset += length
        return p
      }
    }
    return nil
  }

  // MARK: character classes

  static func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || c == UInt8(ascii: "_")
  }
  static func isIdentifierBody(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
  static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
  static func isSpace(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
      || c == 0x0B || c == 0x0C
  }

  /// Length of the UTF-8 sequence starting at `i` (1 for ASCII and for malformed bytes).
  static func scalarLength(at i: Int, in bytes: [UInt8]) -> Int {
    let c = bytes[i]
    let n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
    var len = 1
    while len < n, i + len < bytes.count, bytes[i + len] & 0xC0 == 0x80 { len += 1 }
    return len
  }

  /// True when nothing but whitespace follows `i`: an error there could be fixed by typing more.
  func onlySpaceAfter(_ i: Int) -> Bool {
    var j = i
    while j < bytes.count {
      if !Lexer.isSpace(bytes[j]) { return false }
      j += 1
    }
    return true
  }

  var isAfterDot: Bool { previousWasDot }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
