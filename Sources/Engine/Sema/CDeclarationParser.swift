/// Reads the C definitions written at the top of a program (`struct`/`union`/`enum` bodies and
/// `#define NAME value` lines) into a `ProgramTypeLibrary`: our own small C declaration parser,
/// enough for the data structures people trace (nested and anonymous records, arrays, pointers,
/// function pointers, bitfields, `packed`/`aligned` attributes, enum constants). Errors point
/// into the program's source.
struct CDeclarationParser {
  private struct Token {
    enum Kind: Equatable {
      case word(String)
      case number(Int64)
      case punct(String)
      case end
    }
    var kind: Kind
    var range: SourceRange
  }

  private var tokens: [Token] = []
  private var index = 0
  private let library: ProgramTypeLibrary

  /// `text` is the definition as written; `base` is where it starts in the program's source.
  init(_ text: String, base: Int, library: ProgramTypeLibrary) throws(Diagnostic) {
    self.library = library
    tokens = try Self.tokenize(Array(text.utf8), base: base)
  }

  /// `#define NAME text` (object-like macros; function-like ones are left alone, as upstream does).
  static func defineMacro(_ line: String, library: ProgramTypeLibrary) {
    var rest = Substring(line.drop(while: { $0 == "#" || $0 == " " || $0 == "\t" }))
    guard rest.hasPrefix("define") else { return }
    rest = rest.dropFirst("define".count).drop(while: { $0 == " " || $0 == "\t" })
    let name = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" })
    guard !name.isEmpty else { return }
    let after = rest.dropFirst(name.count)
    if after.first == "(" { return }
    let value = String(after).replacingAll("\\\n", with: " ").trimmed
    if !value.isEmpty { library.defineMacro(String(name), value) }
  }

  mutating func parseDefinitions() throws(Diagnostic) {
    while current.kind != .end {
      if accept(";") { continue }
      _ = try parseSpecifier()
      // Declarators after a top-level definition (`struct s {...} x;`) declare nothing here.
      while current.kind != .end, !accept(";") { advance() }
    }
    library.completePointers()
  }

  // MARK: specifiers

  /// The type part of a declaration: `struct X`, `struct X { ... }`, `enum ...`, `unsigned long`,
  /// a known typedef; qualifiers and attributes around it are read past.
  private mutating func parseSpecifier() throws(Diagnostic) -> CType {
    var words: [String] = []
    var start: SourceRange? = nil
    var result: CType? = nil
    while case .word(let w) = current.kind {
      if Self.qualifiers.contains(w) {
        advance()
        continue
      }
      if w == "__attribute__" {
        _ = try parseAttributes()
        continue
      }
      if result != nil || (!words.isEmpty && !Self.baseWords.contains(w)) { break }
      if w == "struct" || w == "union" {
        result = try parseRecordSpecifier()
      } else if w == "enum" {
        result = try parseEnumSpecifier()
      } else if Self.baseWords.contains(w) {
        if start == nil { start = current.range }
        words.append(w)
        advance()
      } else {
        guard let t = CType.named([w]) ?? library.recordType(w) else {
          throw error("unknown type name '\(w)'", current.range)
        }
        advance()
        result = t
      }
    }
    if let result { return result }
    guard !words.isEmpty else { throw error("expected a type", current.range) }
    guard let t = CType.named(words) else {
      throw error("invalid type '\(words.joined(separator: " "))'", start ?? current.range)
    }
    return t
  }

  private mutating func parseRecordSpecifier() throws(Diagnostic) -> CType {
    let keywordRange = current.range
    let isUnion = current.kind == .word("union")
    advance()
    var packed = false
    var alignment = 1
    func note(_ a: (packed: Bool, aligned: Int?)) {
      packed = packed || a.packed
      alignment = max(alignment, a.aligned ?? 1)
    }
    while current.kind == .word("__attribute__") { note(try parseAttributes()) }
    var tag: String? = nil
    if case .word(let w) = current.kind, !Self.reserved.contains(w) {
      tag = w
      advance()
    }
    let keyword = isUnion ? "union " : "struct "
    guard accept("{") else {
      guard let tag else { throw error("expected a \(keyword)name or '{'", current.range) }
      // A reference: complete now or later (pointers may name records not yet complete).
      if let t = library.recordType(keyword + tag) { return t }
      return .record(name: keyword + tag, size: 0, align: 1)
    }
    var members: [(name: String, type: CType, bits: Int?, align: Int?, range: SourceRange)] = []
    while !accept("}") {
      if current.kind == .end { throw error("expected '}' to end the \(keyword)body", keywordRange) }
      if accept(";") { continue }
      let memberStart = current.range
      let base = try parseSpecifier()
      if accept(";") || current.kind == .punct("}") {
        // `struct { ... };` inside a record: an anonymous member whose fields read as the outer's.
        if case .record(let name, _, _) = base, name.contains("(anon#") {
          members.append((name: "", type: base, bits: nil, align: nil, range: memberStart))
        }
        continue
      }
      while true {
        let (name, type, range) = try parseDeclarator(base)
        var bits: Int? = nil
        if accept(":") {
          let widthRange = current.range
          let width = try parseConstant()
          guard case .integer = type, width >= 0, width <= Int64(type.size * 8) else {
            throw error("invalid bitfield width \(width) for '\(name)'", widthRange)
          }
          bits = Int(width)
        }
        var memberAlign: Int? = nil
        while current.kind == .word("__attribute__") { memberAlign = try parseAttributes().aligned ?? memberAlign }
        members.append((name: name, type: type, bits: bits, align: memberAlign, range: range))
        if accept(",") { continue }
        // The last member may lack its ';' (as clang accepts, with a warning).
        if current.kind == .punct("}") { break }
        try expect(";")
        break
      }
    }
    while current.kind == .word("__attribute__") { note(try parseAttributes()) }
    // Laid out once the attributes after the body (`packed`) are known.
    var builder = CRecordBuilder(isUnion: isUnion, packed: packed)
    for m in members {
      if m.bits == nil, case .record(let n, 0, _) = m.type, library.record(named: n) == nil {
        throw error("field '\(m.name)' has incomplete type '\(n)'", m.range)
      }
      builder.add(name: m.name, type: m.type, bitWidth: m.bits, memberAlignment: m.align)
    }
    let (size, align) = builder.finish(minimumAlignment: alignment)
    let name = tag.map { keyword + $0 } ?? library.anonymousName(isUnion: isUnion)
    library.define(RecordLayout(name: name, size: size, fields: builder.fields), alignment: align)
    return .record(name: name, size: size, align: align)
  }

  private mutating func parseEnumSpecifier() throws(Diagnostic) -> CType {
    advance()
    while current.kind == .word("__attribute__") { _ = try parseAttributes() }
    var tag: String? = nil
    if case .word(let w) = current.kind, !Self.reserved.contains(w) {
      tag = w
      advance()
    }
    var underlying: CType? = nil
    if accept(":") { underlying = try parseSpecifier() }
    guard accept("{") else { return underlying ?? .integer(size: 4, signed: false, isChar: false) }
    let enumName = tag.map { "enum " + $0 } ?? library.anonymousEnumName()
    library.defineEnum(enumName)
    var next: Int64 = 0
    var values: [Int64] = []
    while !accept("}") {
      guard case .word(let name) = current.kind else { throw error("expected an enumerator name", current.range) }
      advance()
      if accept("=") { next = try parseConstant() }
      library.defineEnumerator(name, next, of: enumName)
      values.append(next)
      next &+= 1
      if !accept(",") {
        try expect("}")
        break
      }
    }
    if let underlying { return underlying }
    // As gcc: unsigned int unless a value is negative; 8 bytes when int can't hold the values.
    let negative = values.contains { $0 < 0 }
    let wide = values.contains { negative ? ($0 < Int32.min || $0 > Int32.max) : $0 > UInt32.max }
    return .integer(size: wide ? 8 : 4, signed: negative, isChar: false)
  }

  /// `__attribute__((packed, aligned(8)))`: what matters for layout.
  private mutating func parseAttributes() throws(Diagnostic) -> (packed: Bool, aligned: Int?) {
    advance()
    try expect("(")
    try expect("(")
    var packed = false
    var aligned: Int? = nil
    var depth = 2
    while depth > 0 {
      switch current.kind {
      case .end: throw error("expected ')' to end the attribute", current.range)
      case .punct("("): depth += 1
      case .punct(")"): depth -= 1
      case .word("packed"), .word("__packed__"): packed = true
      case .word("aligned"), .word("__aligned__"):
        if peek(1).kind == .punct("("), case .number(let n) = peek(2).kind {
          aligned = Int(n)
        } else {
          aligned = 16  // `aligned` alone: the largest alignment of the target
        }
      default: break
      }
      advance()
    }
    return (packed, aligned)
  }

  // MARK: declarators

  /// `*name`, `name[4][2]`, `(*fn)(int, char *)`: the member's name and full type.
  private mutating func parseDeclarator(_ base: CType) throws(Diagnostic) -> (String, CType, SourceRange) {
    // `unsigned : 0;`: an unnamed bitfield, padding only.
    if current.kind == .punct(":") { return ("", base, current.range) }
    var type = base
    while accept("*") {
      type = .pointer(type)
      while case .word(let w) = current.kind, Self.qualifiers.contains(w) { advance() }
    }
    if accept("(") {
      // A function pointer (or pointer to array): `(*name)` followed by a parameter list or `[N]`.
      var depth = 0
      while accept("*") { depth += 1 }
      guard case .word(let name) = current.kind else { throw error("expected a member name", current.range) }
      let range = current.range
      advance()
      try expect(")")
      if current.kind == .punct("(") {
        try skipBalanced()
        return (name, depth > 0 ? .pointer(.function) : .function, range)
      }
      var inner = try parseArraySuffix(type)
      for _ in 0..<depth { inner = .pointer(inner) }
      return (name, inner, range)
    }
    guard case .word(let name) = current.kind, !Self.reserved.contains(name) else {
      throw error("expected a member name", current.range)
    }
    let range = current.range
    advance()
    return (name, try parseArraySuffix(type), range)
  }

  /// `[2][3]` after a name: an array of 2 arrays of 3 (dimensions apply right to left).
  private mutating func parseArraySuffix(_ element: CType) throws(Diagnostic) -> CType {
    var counts: [Int] = []
    while accept("[") {
      if accept("]") {
        counts.append(0)  // a flexible array member
        continue
      }
      let range = current.range
      let n = try parseConstant()
      guard n >= 0, n <= Int64(Int32.max) else { throw error("invalid array size \(n)", range) }
      counts.append(Int(n))
      try expect("]")
    }
    var t = element
    for n in counts.reversed() { t = .array(t, count: n) }
    return t
  }

  private mutating func skipBalanced() throws(Diagnostic) {
    let start = current.range
    var depth = 0
    repeat {
      if current.kind == .end { throw error("expected ')'", start) }
      if current.kind == .punct("(") { depth += 1 }
      if current.kind == .punct(")") { depth -= 1 }
      advance()
    } while depth > 0
  }

  // MARK: constant expressions (array sizes, bitfield widths, enum values)

  private mutating func parseConstant() throws(Diagnostic) -> Int64 { try parseBinary(0) }

  private static let precedence: [String: Int] = [
    "|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
  ]

  private mutating func parseBinary(_ minimum: Int) throws(Diagnostic) -> Int64 {
    var lhs = try parseUnary()
    while case .punct(let op) = current.kind, let p = Self.precedence[op], p > minimum {
      let opRange = current.range
      advance()
      let rhs = try parseBinary(p)
      switch op {
      case "|": lhs |= rhs
      case "^": lhs ^= rhs
      case "&": lhs &= rhs
      case "<<": lhs = rhs >= 0 && rhs < 64 ? lhs << rhs : 0
      case ">>": lhs = rhs >= 0 && rhs < 64 ? lhs >> rhs : 0
      case "+": lhs &+= rhs
      case "-": lhs &-= rhs
      case "*": lhs &*= rhs
      default:
        guard rhs != 0 else { throw error("division by zero", opRange) }
        lhs = op == "/" ? lhs / rhs : lhs % rhs
      }
    }
    return lhs
  }

  private mutating func parseUnary() throws(Diagnostic) -> Int64 {
    let t = current
    switch t.kind {
    case .number(let n):
      advance()
      return n
    case .punct("-"):
      advance()
      return 0 &- (try parseUnary())
    case .punct("+"):
      advance()
      return try parseUnary()
    case .punct("~"):
      advance()
      return ~(try parseUnary())
    case .punct("("):
      advance()
      let v = try parseConstant()
      try expect(")")
      return v
    case .word(let w):
      advance()
      if let v = library.enumerator(w) { return v }
      if let text = library.macro(w), let v = Self.integerLiteral(text) { return v }
      throw error("'\(w)' is not a constant", t.range)
    default:
      throw error("expected a constant", t.range)
    }
  }

  // MARK: tokens

  private var current: Token { tokens[index] }
  private func peek(_ k: Int) -> Token { tokens[min(index + k, tokens.count - 1)] }
  private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

  private mutating func accept(_ p: String) -> Bool {
    guard current.kind == .punct(p) else { return false }
    advance()
    return true
  }

  private mutating func expect(_ p: String) throws(Diagnostic) {
    guard accept(p) else { throw error("expected '\(p)'", current.range) }
  }

  private func error(_ message: String, _ range: SourceRange) -> Diagnostic {
    .error(message, at: range)
  }

  private static let qualifiers: Set<String> = [
    "const", "volatile", "restrict", "__restrict", "__restrict__", "static", "extern", "register", "__extension__",
    "__user", "__kernel", "__iomem", "__rcu", "__percpu", "__force",
  ]
  private static let baseWords: Set<String> = [
    "void", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "_Bool", "bool",
  ]
  private static let reserved: Set<String> = qualifiers.union(baseWords).union(["struct", "union", "enum"])

  /// Decimal, hex or octal, with u/l suffixes.
  static func integerLiteral(_ text: String) -> Int64? {
    var s = Substring(text.trimmed)
    var negative = false
    if s.hasPrefix("(") && s.hasSuffix(")") { s = s.dropFirst().dropLast() }
    if s.hasPrefix("-") {
      negative = true
      s = s.dropFirst()
    }
    while let last = s.last, "uUlL".contains(last) { s = s.dropLast() }
    let value: UInt64?
    if s.hasPrefix("0x") || s.hasPrefix("0X") {
      value = UInt64(s.dropFirst(2), radix: 16)
    } else if s.count > 1, s.hasPrefix("0") {
      value = UInt64(s.dropFirst(), radix: 8)
    } else {
      value = UInt64(s)
    }
    guard let value else { return nil }
    let v = Int64(bitPattern: value)
    return negative ? 0 &- v : v
  }

  private static func tokenize(_ b: [UInt8], base: Int) throws(Diagnostic) -> [Token] {
    var out: [Token] = []
    var i = 0
    func range(_ s: Int, _ e: Int) -> SourceRange { SourceRange(base + s, base + e) }
    while i < b.count {
      let c = b[i]
      if Lexer.isSpace(c) {
        i += 1
      } else if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
        while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
      } else if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") {
        let s = i
        i += 2
        while i + 1 < b.count, !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < b.count else { throw .error("unterminated comment", at: range(s, s + 2)) }
        i += 2
      } else if Lexer.isIdentifierStart(c) {
        let s = i
        while i < b.count, Lexer.isIdentifierBody(b[i]) { i += 1 }
        out.append(Token(kind: .word(String(decoding: b[s..<i], as: UTF8.self)), range: range(s, i)))
      } else if Lexer.isDigit(c) {
        let s = i
        while i < b.count, Lexer.isIdentifierBody(b[i]) { i += 1 }
        let text = String(decoding: b[s..<i], as: UTF8.self)
        guard let v = integerLiteral(text) else { throw .error("invalid number '\(text)'", at: range(s, i)) }
        out.append(Token(kind: .number(v), range: range(s, i)))
      } else if c == UInt8(ascii: "<") || c == UInt8(ascii: ">"), i + 1 < b.count, b[i + 1] == c {
        out.append(Token(kind: .punct(String(decoding: b[i..<i + 2], as: UTF8.self)), range: range(i, i + 2)))
        i += 2
      } else if "{}()[];,*:=-+/%~&|^".utf8.contains(c) {
        out.append(Token(kind: .punct(String(UnicodeScalar(c))), range: range(i, i + 1)))
        i += 1
      } else {
        throw .error("unexpected character in a C definition", at: range(i, i + 1))
      }
    }
    out.append(Token(kind: .end, range: range(b.count, b.count)))
    return out
  }
}
