/// Splits program text into tokens. Errors (unterminated strings and comments, stray characters)
/// are diagnostics with the exact range.
public struct Lexer {
  let file: SourceFile
  var pos = 0
  /// Input ends here (used to parse a predicate between its slashes).
  var limit: Int
  var bytes: [UInt8] { file.bytes }

  public init(_ file: SourceFile) {
    self.file = file
    self.limit = file.bytes.count
  }

  /// The next token, skipping whitespace and comments.
  public mutating func nextToken() throws -> Token {
    let space = try skipTrivia()
    return try next(space)
  }

  static let punctuation: [String] = [
    "<<=", ">>=", "...", "->", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "==", "!=", "<=", ">=",
    "&&", "||", "<<", ">>", "..", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "<", ">", "=", "(", ")", "{", "}",
    "[", "]", ",", ";", ":", ".", "?", "#",
  ].sorted { $0.count > $1.count }

  public mutating func tokenize() throws -> [Token] {
    var tokens: [Token] = []
    while true {
      let space = try skipTrivia()
      let t = try next(space)
      tokens.append(t)
      if t.kind == .end { return tokens }
    }
  }

  private func peek(_ k: Int = 0) -> UInt8 { pos + k < limit ? bytes[pos + k] : 0 }

  private mutating func skipTrivia() throws -> Bool {
    let start = pos
    while pos < limit {
      let c = bytes[pos]
      if c == 32 || c == 9 || c == 10 || c == 13 {
        pos += 1
      } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
        while pos < limit, bytes[pos] != 10 { pos += 1 }
      } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
        let open = pos
        pos += 2
        while pos < limit, !(bytes[pos] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) { pos += 1 }
        guard pos < limit else { throw Diagnostic.error("unterminated comment", at: SourceRange(open, open + 2)) }
        pos += 2
      } else {
        break
      }
    }
    return pos > start
  }

  static func isIdentStart(_ c: UInt8) -> Bool {
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == UInt8(ascii: "_")
  }
  static func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 48 && c <= 57) }

  private mutating func next(_ space: Bool) throws -> Token {
    let start = pos
    func tok(_ k: TokenKind) -> Token { Token(kind: k, range: SourceRange(start, pos), spaceBefore: space) }
    guard pos < limit else { return tok(.end) }
    let c = bytes[pos]
    if Lexer.isIdentStart(c) {
      while pos < limit, Lexer.isIdent(bytes[pos]) { pos += 1 }
      return tok(.identifier(String(decoding: bytes[start..<pos], as: UTF8.self)))
    }
    if c >= 48 && c <= 57 { return try number(start, space) }
    if c == UInt8(ascii: "\"") { return try string(start, space) }
    if c == UInt8(ascii: "'") { return try character(start, space) }
    if c == UInt8(ascii: "$") {
      pos += 1
      if peek() == UInt8(ascii: "#") {
        pos += 1
      } else {
        while pos < limit, Lexer.isIdent(bytes[pos]) { pos += 1 }
      }
      guard pos > start + 1 else { throw Diagnostic.error("invalid variable name", at: SourceRange(start, pos)) }
      return tok(.variable(String(decoding: bytes[start..<pos], as: UTF8.self)))
    }
    if c == UInt8(ascii: "@") {
      pos += 1
      while pos < limit, Lexer.isIdent(bytes[pos]) { pos += 1 }
      return tok(.map(String(decoding: bytes[start..<pos], as: UTF8.self)))
    }
    for p in Lexer.punctuation where matches(p) {
      pos += p.utf8.count
      return tok(.punct(p))
    }
    pos += 1
    throw Diagnostic.error("invalid character '\(String(decoding: [c], as: UTF8.self))'", at: SourceRange(start, pos))
  }

  private func matches(_ p: String) -> Bool {
    var i = 0
    for b in p.utf8 {
      if peek(i) != b { return false }
      i += 1
    }
    return true
  }

  private mutating func number(_ start: Int, _ space: Bool) throws -> Token {
    var radix: UInt64 = 10
    if peek() == UInt8(ascii: "0"), peek(1) | 0x20 == UInt8(ascii: "x") {
      radix = 16
      pos += 2
    } else if peek() == UInt8(ascii: "0"), peek(1) | 0x20 == UInt8(ascii: "b") {
      radix = 2
      pos += 2
    } else if peek() == UInt8(ascii: "0"), peek(1) >= 48, peek(1) <= 57 {
      radix = 8
      pos += 1
    }
    var value: UInt64 = 0
    var overflow = false
    var digits = 0
    while pos < limit {
      let c = bytes[pos]
      var d: UInt64
      if c >= 48 && c <= 57 {
        d = UInt64(c - 48)
      } else if radix == 16, (c | 0x20) >= 97, (c | 0x20) <= 102 {
        d = UInt64((c | 0x20) - 87)
      } else if c == UInt8(ascii: "_") {
        pos += 1
        continue
      } else {
        break
      }
      guard d < radix else { throw Diagnostic.error("invalid digit in integer literal", at: SourceRange(pos, pos + 1)) }
      let (m, o1) = value.multipliedReportingOverflow(by: radix)
      let (a, o2) = m.addingReportingOverflow(d)
      overflow = overflow || o1 || o2
      value = a
      digits += 1
      pos += 1
    }
    if digits == 0, radix != 8 { throw Diagnostic.error("invalid integer literal", at: SourceRange(start, pos)) }
    // Scientific shorthand (1e6) as bpftrace allows for integers.
    if radix == 10, peek() | 0x20 == UInt8(ascii: "e"), peek(1) >= 48, peek(1) <= 57 {
      pos += 1
      var exp = 0
      while pos < limit, bytes[pos] >= 48, bytes[pos] <= 57 {
        exp = exp * 10 + Int(bytes[pos] - 48)
        pos += 1
      }
      for _ in 0..<exp {
        let (m, o) = value.multipliedReportingOverflow(by: 10)
        overflow = overflow || o
        value = m
      }
    }
    let suffixStart = pos
    while pos < limit, Lexer.isIdent(bytes[pos]) { pos += 1 }
    let suffix = String(decoding: bytes[suffixStart..<pos], as: UTF8.self).lowercased()
    let known = ["", "u", "l", "ul", "lu", "ll", "ull", "llu", "ns", "us", "ms", "s", "m", "h", "d"]
    guard known.contains(suffix) else {
      throw Diagnostic.error("invalid integer suffix '\(suffix)'", at: SourceRange(suffixStart, pos))
    }
    if overflow { throw Diagnostic.error("integer literal is too large", at: SourceRange(start, pos)) }
    let scale: UInt64 =
      switch suffix {
      case "us": 1_000
      case "ms": 1_000_000
      case "s": 1_000_000_000
      case "m": 60_000_000_000
      case "h": 3_600_000_000_000
      case "d": 86_400_000_000_000
      default: 1
      }
    return Token(kind: .integer(value &* scale, suffix: scale == 1 ? suffix.replacingAll("l", with: "") : ""), range: SourceRange(start, pos), spaceBefore: space)
  }

  private mutating func escape(_ start: Int) throws -> UInt8 {
    pos += 1
    let c = peek()
    pos += 1
    switch c {
    case UInt8(ascii: "n"): return 10
    case UInt8(ascii: "t"): return 9
    case UInt8(ascii: "r"): return 13
    case UInt8(ascii: "\\"): return 92
    case UInt8(ascii: "\""): return 34
    case UInt8(ascii: "'"): return 39
    case UInt8(ascii: "a"): return 7
    case UInt8(ascii: "b"): return 8
    case UInt8(ascii: "f"): return 12
    case UInt8(ascii: "v"): return 11
    case UInt8(ascii: "e"): return 27
    case UInt8(ascii: "x"):
      var v = 0
      var n = 0
      while n < 2, let d = hexDigit(peek()) {
        v = v * 16 + d
        pos += 1
        n += 1
      }
      guard n > 0 else { throw Diagnostic.error("invalid escape sequence", at: SourceRange(pos - 2, pos)) }
      return UInt8(v)
    case 48...55:
      var v = Int(c - 48)
      var n = 1
      while n < 3, peek() >= 48, peek() <= 55 {
        v = v * 8 + Int(peek() - 48)
        pos += 1
        n += 1
      }
      guard v < 256 else { throw Diagnostic.error("octal escape sequence out of range", at: SourceRange(start, pos)) }
      return UInt8(v)
    default:
      throw Diagnostic.error("invalid escape character '\\\(String(decoding: [c], as: UTF8.self))'", at: SourceRange(pos - 2, pos))
    }
  }

  private func hexDigit(_ c: UInt8) -> Int? {
    if c >= 48 && c <= 57 { return Int(c - 48) }
    if (c | 0x20) >= 97 && (c | 0x20) <= 102 { return Int((c | 0x20) - 87) }
    return nil
  }

  private mutating func string(_ start: Int, _ space: Bool) throws -> Token {
    pos += 1
    var out: [UInt8] = []
    while true {
      guard pos < limit, bytes[pos] != 10 else {
        throw Diagnostic.error("unterminated string", at: SourceRange(start, pos))
      }
      let c = bytes[pos]
      if c == UInt8(ascii: "\"") {
        pos += 1
        break
      }
      if c == UInt8(ascii: "\\") { out.append(try escape(start)) } else {
        out.append(c)
        pos += 1
      }
    }
    return Token(kind: .string(String(decoding: out, as: UTF8.self)), range: SourceRange(start, pos), spaceBefore: space)
  }

  private mutating func character(_ start: Int, _ space: Bool) throws -> Token {
    pos += 1
    let value: UInt8
    if peek() == UInt8(ascii: "\\") { value = try escape(start) } else {
      value = peek()
      pos += 1
    }
    guard peek() == UInt8(ascii: "'") else {
      throw Diagnostic.error("unterminated character literal", at: SourceRange(start, pos))
    }
    pos += 1
    return Token(kind: .integer(UInt64(value), suffix: ""), range: SourceRange(start, pos), spaceBefore: space)
  }
}
