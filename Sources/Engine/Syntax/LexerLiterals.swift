/// Integer, string and character literals.
extension Lexer {
  private static let durationScale: [String: UInt64] = [
    "ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
    "h": 3_600_000_000_000, "d": 86_400_000_000_000,
  ]
  /// C suffixes and the largest value each allows (upstream bounds `u` by `unsigned int`).
  private static let cSuffixMaximum: [String: UInt64] = [
    "": .max, "u": UInt64(UInt32.max), "ul": .max, "ull": .max, "l": UInt64(Int64.max), "ll": UInt64(Int64.max),
  ]

  private func isHexDigit(_ c: UInt8) -> Bool {
    Lexer.isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
      || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
  }

  private func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

  /// Decimal, octal (`0` prefix), hex (`0x`), binary (`0b`), `_` separators, `<d>e<n>` scientific
  /// form, C suffixes and duration suffixes (`ns us ms s m h d`, scaled to nanoseconds).
  mutating func lexNumber() -> TokenKind {
    let start = offset
    var radix: UInt64 = 10
    if bytes[start] == UInt8(ascii: "0"), start + 1 < bytes.count {
      switch bytes[start + 1] {
      case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16
      case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2
      default: break
      }
    }
    if radix != 10 { offset += 2 }
    let digitsStart = offset
    while offset < bytes.count,
      bytes[offset] == UInt8(ascii: "_") || (radix == 16 ? isHexDigit(bytes[offset]) : Lexer.isDigit(bytes[offset]))
    {
      offset += 1
    }
    let digitsEnd = offset

    // `<digit>e<digits>`: only decimal, and only when a digit follows the `e`.
    var exponentRange: Range<Int>? = nil
    if radix == 10, offset + 1 < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e"),
      Lexer.isDigit(bytes[offset + 1])
    {
      offset += 1
      let e = offset
      while offset < bytes.count, Lexer.isDigit(bytes[offset]) || bytes[offset] == UInt8(ascii: "_") { offset += 1 }
      exponentRange = e..<offset
    }

    // `1.5` can only be a mistake (no floating point in BPF); `$t.0.1` is tuple indexing.
    if radix == 10, exponentRange == nil, !isAfterDot, offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "."),
      Lexer.isDigit(bytes[offset + 1])
    {
      offset += 1
      while offset < bytes.count, Lexer.isIdentifierBody(bytes[offset]) { offset += 1 }
      return .invalid("floating-point literals are not supported", atEnd: false)
    }

    let suffixStart = offset
    while offset < bytes.count, Lexer.isIdentifierBody(bytes[offset]) { offset += 1 }
    let suffix = text(suffixStart, offset)
    let literal = text(start, offset)

    func fail(_ message: String, _ a: Int, _ b: Int) -> TokenKind {
      pendingErrorRange = SourceRange(a, b)
      return .invalid(message, atEnd: false)
    }

    // Separators may not end a digit run.
    for run in [digitsStart..<digitsEnd, exponentRange ?? 0..<0] where !run.isEmpty {
      if bytes[run.upperBound - 1] == UInt8(ascii: "_") {
        return fail("trailing underscore in integer literal", run.upperBound - 1, run.upperBound)
      }
    }
    let digits = bytes[digitsStart..<digitsEnd].filter { $0 != UInt8(ascii: "_") }
    if digits.isEmpty {
      return fail(
        radix == 16 ? "expected hexadecimal digits after '0x'" : "expected binary digits after '0b'", start, offset)
    }
    if radix == 10, digits.count > 1, digits[0] == UInt8(ascii: "0"), exponentRange == nil { radix = 8 }

    var value: UInt64 = 0
    for at in digitsStart..<digitsEnd where bytes[at] != UInt8(ascii: "_") {
      let d = bytes[at]
      let v = UInt64(Lexer.isDigit(d) ? d - UInt8(ascii: "0") : (d | 0x20) - UInt8(ascii: "a") + 10)
      if v >= radix {
        let kind = radix == 8 ? "octal" : "binary"
        return fail("invalid digit '\(Character(Unicode.Scalar(d)))' in \(kind) literal", at, at + 1)
      }
      let (m, o1) = value.multipliedReportingOverflow(by: radix)
      let (s, o2) = m.addingReportingOverflow(v)
      if o1 || o2 { return fail("overflow error, maximum value is \(UInt64.max): \(literal)", start, offset) }
      value = s
    }

    if let exponentRange {
      if digits.count != 1 || digits[0] == UInt8(ascii: "0") {
        return fail("coefficient part of scientific literal must be 1-9: \(literal)", start, offset)
      }
      // Capped: any exponent past 19 overflows within a few steps anyway.
      var exponent = 0
      for d in bytes[exponentRange] where d != UInt8(ascii: "_") { exponent = min(exponent * 10 + Int(d - 48), 100) }
      for _ in 0..<exponent {
        let (m, o) = value.multipliedReportingOverflow(by: 10)
        if o { return fail("overflow error, maximum value is \(UInt64.max): \(literal)", start, offset) }
        value = m
      }
    }

    if let scale = Lexer.durationScale[suffix], radix == 10 || radix == 8 {
      let (scaled, o) = value.multipliedReportingOverflow(by: scale)
      if o { return fail("overflow error, maximum value is \(UInt64.max): \(literal)", start, offset) }
      return .integer(scaled, suffix: "")
    }
    let cSuffix = suffix.lowercased()
    guard let maximum = Lexer.cSuffixMaximum[cSuffix] else {
      return fail("invalid integer suffix '\(suffix)'", suffixStart, offset)
    }
    if value > maximum { return fail("overflow error, maximum value is \(maximum): \(literal)", start, offset) }
    return .integer(value, suffix: cSuffix)
  }

  // MARK: strings and characters

  private enum Escape {
    case byte(UInt8)
    case error(String, SourceRange)
    case incomplete
  }

  /// Decodes the escape whose backslash is at `offset` and moves past it.
  private mutating func lexEscape() -> Escape {
    let start = offset
    offset += 1
    guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") else { return .incomplete }
    let c = bytes[offset]
    switch c {
    case UInt8(ascii: "n"):
      offset += 1
      return .byte(0x0A)
    case UInt8(ascii: "t"):
      offset += 1
      return .byte(0x09)
    case UInt8(ascii: "r"):
      offset += 1
      return .byte(0x0D)
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"):
      offset += 1
      return .byte(c)
    case UInt8(ascii: "0")...UInt8(ascii: "7"):
      var value = 0
      var count = 0
      while count < 3, offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "7") {
        value = value * 8 + Int(bytes[offset] - UInt8(ascii: "0"))
        offset += 1
        count += 1
      }
      if value > 255 {
        return .error("octal escape sequence out of range '\(text(start, offset))'", SourceRange(start, offset))
      }
      return .byte(UInt8(value))
    case UInt8(ascii: "x"), UInt8(ascii: "X"):
      offset += 1
      var value = 0
      var count = 0
      while count < 2, offset < bytes.count, isHexDigit(bytes[offset]) {
        let d = bytes[offset]
        value = value * 16 + Int(Lexer.isDigit(d) ? d - UInt8(ascii: "0") : (d | 0x20) - UInt8(ascii: "a") + 10)
        offset += 1
        count += 1
      }
      if count == 0 {
        return .error("invalid hex escape sequence '\(text(start, offset))'", SourceRange(start, offset))
      }
      return .byte(UInt8(value))
    default:
      offset += Lexer.scalarLength(at: offset, in: bytes)
      return .error("invalid escape character '\(text(start, offset))'", SourceRange(start, offset))
    }
  }

  /// Scans a quoted literal body up to `quote`, which must close on the same line.
  /// Returns the decoded bytes, or an error with its range.
  private mutating func lexQuoted(_ quote: UInt8, what: String) -> (bytes: [UInt8], error: (String, SourceRange, Bool)?)
  {
    let start = offset
    offset += 1
    var out: [UInt8] = []
    var firstError: (String, SourceRange, Bool)? = nil
    while true {
      guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") else {
        let error = firstError ?? ("unterminated \(what)", SourceRange(start, offset), onlySpaceAfter(offset))
        return (out, error)
      }
      let c = bytes[offset]
      if c == quote {
        offset += 1
        return (out, firstError)
      }
      if c == UInt8(ascii: "\\") {
        switch lexEscape() {
        case .byte(let b): out.append(b)
        case .error(let message, let range): if firstError == nil { firstError = (message, range, false) }
        case .incomplete: continue
        }
        continue
      }
      out.append(c)
      offset += 1
    }
  }

  mutating func lexString() -> TokenKind {
    let (content, error) = lexQuoted(UInt8(ascii: "\""), what: "string")
    if let (message, range, atEnd) = error {
      pendingErrorRange = range
      return .invalid(message, atEnd: atEnd)
    }
    return .string(ByteString(bytes: content))
  }

  /// `'a'`, `'\n'`, `'\x41'`: an integer holding the byte (an extension; upstream has none).
  mutating func lexCharacter() -> TokenKind {
    let start = offset
    let (content, error) = lexQuoted(UInt8(ascii: "'"), what: "character literal")
    if let (message, range, atEnd) = error {
      pendingErrorRange = range
      return .invalid(message, atEnd: atEnd)
    }
    guard content.count == 1 else {
      pendingErrorRange = SourceRange(start, offset)
      return .invalid(
        content.isEmpty ? "empty character literal" : "character literal must hold exactly one byte", atEnd: false)
    }
    return .integer(UInt64(content[0]), suffix: "")
  }
}
