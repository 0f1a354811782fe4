/// A JSON value. The kernel builds and reads message dictionaries with it; a
/// dedicated type (rather than `[String: Any]`) keeps bools and numbers apart
/// and lets messages cross threads as `Sendable` values.
public enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSON])
  case object([String: JSON])

  public subscript(key: String) -> JSON? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Integers; also doubles with an integral value (some clients send `3.0`).
  public var intValue: Int? {
    switch self {
    case .int(let i): return Int(exactly: i)
    case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
    default: return nil
    }
  }

  public var objectValue: [String: JSON]? {
    if case .object(let o) = self { return o }
    return nil
  }

  public var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .int(Int64(value)) }
  public init(arrayLiteral elements: JSON...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSON)...) {
    var o: [String: JSON] = [:]
    for (k, v) in elements { o[k] = v }
    self = .object(o)
  }
  public init(nilLiteral: ()) { self = .null }
}

// MARK: - Serialization

extension JSON {
  /// Compact UTF-8 JSON. Object keys are sorted so output is deterministic
  /// (tests compare bytes, and signatures cover exactly these bytes).
  public func serialized() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    write(into: &out)
    return out
  }

  public func serializedString() -> String { String(decoding: serialized(), as: UTF8.self) }

  func write(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: Array("null".utf8))
    case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
    case .int(let i): out.append(contentsOf: Array(String(i).utf8))
    case .double(let d):
      if d.isFinite {
        if d.rounded() == d && abs(d) < 1e15 {
          out.append(contentsOf: Array(String(Int64(d)).utf8))
        } else {
          out.append(contentsOf: Array(String(d).utf8))
        }
      } else {
        out.append(contentsOf: Array("null".utf8))  // JSON has no inf/nan
      }
    case .string(let s): JSON.writeString(s, into: &out)
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (i, v) in a.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        v.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      out.append(UInt8(ascii: "{"))
      for (i, k) in o.keys.sorted().enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(k, into: &out)
        out.append(UInt8(ascii: ":"))
        o[k]!.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static func writeString(_ s: String, into out: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0x00..<0x20, 0x7F:
        out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
      default: out.append(b)  // UTF-8 passes through unchanged
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}

// MARK: - Parsing

public struct JSONParseError: Error, CustomStringConvertible {
  public let offset: Int
  public let reason: String
  public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSON {
  public static func parse(_ bytes: [UInt8]) throws -> JSON {
    var p = JSONParser(bytes: bytes)
    p.skipSpace()
    let v = try p.value(depth: 0)
    p.skipSpace()
    if p.pos != bytes.count { throw p.fail("trailing characters") }
    return v
  }

  public static func parse(_ text: String) throws -> JSON { try parse(Array(text.utf8)) }
}

private struct JSONParser {
  let bytes: [UInt8]
  var pos = 0
  /// Deep nesting is a cheap way to exhaust the stack; real messages are shallow.
  static let maxDepth = 512

  init(bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: pos, reason: reason) }

  mutating func skipSpace() {
    while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
  }

  mutating func expect(_ word: String) throws {
    let w = Array(word.utf8)
    guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else {
      throw fail("expected \(word)")
    }
    pos += w.count
  }

  mutating func value(depth: Int) throws -> JSON {
    guard depth < JSONParser.maxDepth else { throw fail("nesting too deep") }
    guard pos < bytes.count else { throw fail("unexpected end") }
    switch bytes[pos] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw fail("unexpected character")
    }
  }

  mutating func object(depth: Int) throws -> JSON {
    pos += 1
    var o: [String: JSON] = [:]
    skipSpace()
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
      pos += 1
      return .object(o)
    }
    while true {
      skipSpace()
      guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected key") }
      let k = try string()
      skipSpace()
      guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
      pos += 1
      skipSpace()
      o[k] = try value(depth: depth + 1)
      skipSpace()
      guard pos < bytes.count else { throw fail("unterminated object") }
      if bytes[pos] == UInt8(ascii: ",") {
        pos += 1
        continue
      }
      if bytes[pos] == UInt8(ascii: "}") {
        pos += 1
        return .object(o)
      }
      throw fail("expected ',' or '}'")
    }
  }

  mutating func array(depth: Int) throws -> JSON {
    pos += 1
    var a: [JSON] = []
    skipSpace()
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
      pos += 1
      return .array(a)
    }
    while true {
      skipSpace()
      a.append(try value(depth: depth + 1))
      skipSpace()
      guard pos < bytes.count else { throw fail("unterminated array") }
      if bytes[pos] == UInt8(ascii: ",") {
        pos += 1
        continue
      }
      if bytes[pos] == UInt8(ascii: "]") {
        pos += 1
        return .array(a)
      }
      throw fail("expected ',' or ']'")
    }
  }

  mutating func hex4() throws -> UInt32 {
    guard pos + 4 <= bytes.count else { throw fail("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[pos]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("bad hex digit")
      }
      v = v << 4 | d
      pos += 1
    }
    return v
  }

  mutating func string() throws -> String {
    pos += 1
    var buf: [UInt8] = []
    while true {
      guard pos < bytes.count else { throw fail("unterminated string") }
      let c = bytes[pos]
      if c == UInt8(ascii: "\"") {
        pos += 1
        break
      }
      if c < 0x20 { throw fail("control character in string") }
      if c != UInt8(ascii: "\\") {
        buf.append(c)
        pos += 1
        continue
      }
      pos += 1
      guard pos < bytes.count else { throw fail("unterminated escape") }
      let e = bytes[pos]
      pos += 1
      switch e {
      case UInt8(ascii: "\""): buf.append(0x22)
      case UInt8(ascii: "\\"): buf.append(0x5C)
      case UInt8(ascii: "/"): buf.append(0x2F)
      case UInt8(ascii: "b"): buf.append(0x08)
      case UInt8(ascii: "f"): buf.append(0x0C)
      case UInt8(ascii: "n"): buf.append(0x0A)
      case UInt8(ascii: "r"): buf.append(0x0D)
      case UInt8(ascii: "t"): buf.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), pos + 6 <= bytes.count, bytes[pos] == 0x5C,
          bytes[pos + 1] == UInt8(ascii: "u")
        {
          let save = pos
          pos += 2
          let low = try hex4()
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else {
            pos = save
          }
        }
        // Lone surrogates become U+FFFD rather than failing the whole message.
        let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        buf.append(contentsOf: Array(String(Character(u)).utf8))
      default: throw fail("bad escape")
      }
    }
    return String(decoding: buf, as: UTF8.self)
  }

  mutating func number() throws -> JSON {
    let start = pos
    var isInt = true
    if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
    func digits(_ p: inout JSONParser) -> Int {
      let s = p.pos
      while p.pos < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.pos]) { p.pos += 1 }
      return p.pos - s
    }
    guard digits(&self) > 0 else { throw fail("bad number") }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
      pos += 1
      isInt = false
      guard digits(&self) > 0 else { throw fail("bad fraction") }
    }
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
      pos += 1
      isInt = false
      if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
      guard digits(&self) > 0 else { throw fail("bad exponent") }
    }
    let text = String(decoding: bytes[start..<pos], as: UTF8.self)
    if isInt, let i = Int64(text) { return .int(i) }
    guard let d = Double(text) else { throw fail("bad number") }
    return .double(d)
  }
}
