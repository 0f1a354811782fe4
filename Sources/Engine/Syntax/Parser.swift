/// A recursive-descent parser for the bpftrace language. Probes and the preamble are recognized at
/// the top level; anything else there is a bare statement (sessions run those immediately).
public enum Completeness: Equatable, Sendable { case complete, incomplete, invalid }

public enum ProgramParser {
  /// Parses a whole program (a -e string, a .bt file, or one session cell). Throws DiagnosticList.
  public static func parse(_ file: SourceFile) throws -> Program {
    var p = Parser(file)
    do {
      return try p.program()
    } catch let d as Diagnostic {
      throw DiagnosticList([d])
    }
  }

  /// Whether a REPL/Jupyter cell is complete, still open (unclosed bracket, string or comment, a
  /// trailing operator), or broken beyond what more input can fix.
  public static func completeness(of text: String) -> Completeness {
    let file = SourceFile(name: "stdin", text: text)
    var lexer = Lexer(file)
    var depth = 0
    var last: Token? = nil
    while true {
      let t: Token
      do { t = try lexer.nextToken() } catch let d as Diagnostic {
        return d.message.hasPrefix("unterminated") ? .incomplete : .invalid
      } catch { return .invalid }
      if t.kind == .end { break }
      if case .punct(let p) = t.kind {
        if p == "{" || p == "(" || p == "[" { depth += 1 }
        if p == "}" || p == ")" || p == "]" { depth -= 1 }
        if depth < 0 { return .invalid }
      }
      last = t
    }
    if depth > 0 { return .incomplete }
    if case .punct(let p)? = last?.kind, ["+", "-", "*", "&&", "||", "=", ",", "?", ":", "==", "!=", "<", ">", "|", "&", "^", "(", "{", "["].contains(p) {
      return .incomplete
    }
    if (try? parse(file)) != nil { return .complete }
    return .invalid
  }
}

struct Parser {
  let file: SourceFile
  var lexer: Lexer
  var token: Token

  init(_ file: SourceFile) {
    self.file = file
    self.lexer = Lexer(file)
    self.token = Token(kind: .end, range: .none, spaceBefore: false)
  }

  var bytes: [UInt8] { file.bytes }

  // MARK: Tokens

  mutating func advance() throws {
    token = try lexer.nextToken()
  }

  /// Restarts lexing at a byte offset.
  mutating func reset(to offset: Int) throws {
    lexer.pos = offset
    try advance()
  }

  func isPunct(_ p: String) -> Bool {
    if case .punct(let q) = token.kind { return q == p }
    return false
  }

  func isIdentifier(_ name: String) -> Bool {
    if case .identifier(let n) = token.kind { return n == name }
    return false
  }

  mutating func accept(_ p: String) throws -> Bool {
    if isPunct(p) {
      try advance()
      return true
    }
    return false
  }

  @discardableResult
  mutating func expect(_ p: String) throws -> SourceRange {
    guard isPunct(p) else { throw unexpected(expecting: p) }
    let r = token.range
    try advance()
    return r
  }

  func unexpected(expecting: String? = nil) -> Diagnostic {
    let what: String
    switch token.kind {
    case .end: what = "end of file"
    case .string: what = "string"
    case .integer: what = "integer"
    case .identifier(let s): what = "identifier \(s)"
    default: what = token.text
    }
    var message = "syntax error, unexpected \(what)"
    if let expecting { message += ", expecting \(expecting)" }
    let range = token.kind == .end ? SourceRange(max(0, token.range.start - 1), token.range.start) : token.range
    return .error(message, at: range)
  }

  // MARK: Program

  mutating func program() throws -> Program {
    let prog = Program()
    try advance()
    while token.kind != .end {
      if try accept(";") { continue }
      if isPunct("#") {
        prog.includes.append(directive())
        try reset(to: lexer.pos)
        continue
      }
      if isIdentifier("config"), try peekIsPunct("=") {
        try configBlock(prog)
        continue
      }
      if isIdentifier("struct") || isIdentifier("union"), looksLikeDefinition() {
        prog.cDefinitions.append(try cDefinition())
        continue
      }
      if isIdentifier("macro") {
        prog.macros.append(try macro())
        continue
      }
      if isIdentifier("fn") {
        prog.functions.append(try function())
        continue
      }
      if isIdentifier("let"), let decl = try mapDeclaration() {
        prog.mapDeclarations.append(decl)
        continue
      }
      if let probe = try probeIfAny() {
        prog.probes.append(probe)
        continue
      }
      let s = try statement()
      prog.topLevelStatements.append(s)
      // At the top level of a cell a newline also ends a statement, as a person types them.
      let newline = bytes[min(s.range.end, token.range.start)..<token.range.start].contains(10)
      if !statementEndsWithBlock(s), token.kind != .end, !newline { try expect(";") }
    }
    return prog
  }

  func statementEndsWithBlock(_ s: Statement) -> Bool {
    switch s.kind {
    case .ifElse, .whileLoop, .unroll, .forMap, .forRange, .block: true
    default: false
    }
  }

  mutating func peekIsPunct(_ p: String) throws -> Bool {
    let saved = (lexer, token)
    defer { (lexer, token) = saved }
    try advance()
    return isPunct(p)
  }

  /// `#include <...>` and other preprocessor lines, kept verbatim.
  mutating func directive() -> String {
    var end = token.range.start
    while end < bytes.count, bytes[end] != 10 { end += 1 }
    let text = String(decoding: bytes[token.range.start..<end], as: UTF8.self)
    lexer.pos = end
    return text
  }

  mutating func configBlock(_ prog: Program) throws {
    try advance()
    try expect("=")
    try expect("{")
    while !isPunct("}") {
      guard case .identifier(let key) = token.kind else { throw unexpected(expecting: "config key") }
      let start = token.range.start
      try advance()
      try expect("=")
      let value = try expression()
      prog.config.append(ConfigEntry(key: key, value: value, range: SourceRange(start, value.range.end)))
      if !(try accept(";")) { break }
    }
    try expect("}")
  }

  func looksLikeDefinition() -> Bool {
    // struct NAME { ... } at the top level.
    var i = token.range.end
    while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 { i += 1 }
    while i < bytes.count, Lexer.isIdent(bytes[i]) { i += 1 }
    while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 { i += 1 }
    return i < bytes.count && bytes[i] == UInt8(ascii: "{")
  }

  mutating func cDefinition() throws -> CDefinition {
    let start = token.range.start
    let kind = token.text
    try advance()
    guard case .identifier(let name) = token.kind else { throw unexpected(expecting: "struct name") }
    var depth = 0
    var i = token.range.end
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "{") { depth += 1 }
      if bytes[i] == UInt8(ascii: "}") {
        depth -= 1
        if depth == 0 { break }
      }
      i += 1
    }
    guard i < bytes.count else { throw Diagnostic.error("unterminated \(kind) definition", at: SourceRange(start, bytes.count)) }
    i += 1
    while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 { i += 1 }
    if i < bytes.count, bytes[i] == UInt8(ascii: ";") { i += 1 }
    let text = String(decoding: bytes[start..<i], as: UTF8.self)
    try reset(to: i)
    return CDefinition(name: "\(kind) \(name)", text: text, range: SourceRange(start, i))
  }

  mutating func macro() throws -> MacroDefinition {
    let start = token.range.start
    try advance()
    guard case .identifier(let name) = token.kind else { throw unexpected(expecting: "macro name") }
    try advance()
    try expect("(")
    var params: [String] = []
    while !isPunct(")") {
      switch token.kind {
      case .identifier(let n), .variable(let n), .map(let n): params.append(n)
      default: throw unexpected(expecting: "parameter")
      }
      try advance()
      if !(try accept(",")) { break }
    }
    try expect(")")
    let body = try block()
    return MacroDefinition(name: name, parameters: params, body: body, range: SourceRange(start, body.range.end))
  }

  mutating func function() throws -> FunctionDefinition {
    let start = token.range.start
    try advance()
    guard case .identifier(let name) = token.kind else { throw unexpected(expecting: "function name") }
    try advance()
    try expect("(")
    var params: [(name: String, type: TypeName)] = []
    while !isPunct(")") {
      guard case .variable(let n) = token.kind else { throw unexpected(expecting: "parameter") }
      try advance()
      try expect(":")
      params.append((n, try typeName()))
      if !(try accept(",")) { break }
    }
    try expect(")")
    var ret: TypeName? = nil
    if try accept(":") { ret = try typeName() }
    let body = try block()
    return FunctionDefinition(name: name, parameters: params, returnType: ret, body: body, range: SourceRange(start, body.range.end))
  }

  /// `let @name = hash(100);` — nil (nothing consumed) when this `let` declares a variable instead.
  mutating func mapDeclaration() throws -> MapDeclaration? {
    let saved = (lexer, token)
    let start = token.range.start
    try advance()
    guard case .map(let name) = token.kind else {
      (lexer, token) = saved
      return nil
    }
    try advance()
    try expect("=")
    guard case .identifier(let kind) = token.kind else { throw unexpected(expecting: "map type") }
    try advance()
    try expect("(")
    guard case .integer(let n, _) = token.kind else { throw unexpected(expecting: "number of entries") }
    try advance()
    try expect(")")
    let end = token.range.start
    _ = try accept(";")
    return MapDeclaration(name: name, kind: kind, maxEntries: Int(n), range: SourceRange(start, end))
  }

  // MARK: Probes

  /// An attach point is a run of non-space characters up to `,` or `{` (quotes may hold anything).
  func attachPointRun(from start: Int) -> Int {
    var i = start
    var quoted = false
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted {
        if c == 32 || c == 9 || c == 10 || c == 13 || c == UInt8(ascii: ",") || c == UInt8(ascii: "{") { break }
        if c == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") || bytes[i + 1] == UInt8(ascii: "*") {
          break
        }
      }
      i += 1
    }
    return i
  }

  func skipSpace(_ from: Int) -> Int {
    var i = from
    while i < bytes.count {
      if bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 {
        i += 1
      } else if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
        while i < bytes.count, bytes[i] != 10 { i += 1 }
      } else if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
        i += 2
        while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
        i += 2
      } else {
        break
      }
    }
    return min(i, bytes.count)
  }

  static let specialProbes: Set<String> = ["BEGIN", "END", "begin", "end", "self"]

  /// Parses a probe if the input here is one: attach points (with a ':' or BEGIN/END) followed by
  /// `,`, `/predicate/` or `{`. Otherwise consumes nothing.
  mutating func probeIfAny() throws -> Probe? {
    guard case .identifier = token.kind else { return nil }
    let start = token.range.start
    let end = attachPointRun(from: start)
    let raw = String(decoding: bytes[start..<end], as: UTF8.self)
    let after = skipSpace(end)
    let next = after < bytes.count ? bytes[after] : 0
    guard raw.contains(":") || Parser.specialProbes.contains(raw),
      next == UInt8(ascii: "{") || next == UInt8(ascii: "/") || next == UInt8(ascii: ",")
    else { return nil }
    // The first run must not be an expression like `a?b:c` — attach points start with a provider name.
    var points: [AttachPoint] = [attachPoint(raw, SourceRange(start, end))]
    var pos = after
    while pos < bytes.count, bytes[pos] == UInt8(ascii: ",") {
      let s = skipSpace(pos + 1)
      let e = attachPointRun(from: s)
      guard e > s else { throw Diagnostic.error("syntax error, expecting attach point", at: SourceRange(s, s + 1)) }
      points.append(attachPoint(String(decoding: bytes[s..<e], as: UTF8.self), SourceRange(s, e)))
      pos = skipSpace(e)
    }
    var predicate: Expr? = nil
    if pos < bytes.count, bytes[pos] == UInt8(ascii: "/") {
      guard let close = predicateEnd(from: pos + 1) else {
        throw Diagnostic.error("syntax error, unterminated predicate: expecting a closing '/' before '{'", at: SourceRange(pos, pos + 1))
      }
      var sub = Parser(file)
      sub.lexer.pos = pos + 1
      sub.lexer.limit = close
      try sub.advance()
      if sub.token.kind == .end { throw Diagnostic.error("syntax error, empty predicate", at: SourceRange(pos, close + 1)) }
      predicate = try sub.expression()
      guard sub.token.kind == .end else { throw sub.unexpected(expecting: "/") }
      pos = skipSpace(close + 1)
    }
    try reset(to: pos)
    guard isPunct("{") else { throw unexpected(expecting: "{") }
    let body = try block()
    return Probe(attachPoints: points, predicate: predicate, body: body, range: SourceRange(start, body.range.end))
  }

  /// The closing '/' of a predicate: the first '/' outside strings and brackets that is followed by '{'.
  func predicateEnd(from start: Int) -> Int? {
    var i = start
    var depth = 0
    var quoted = false
    while i < bytes.count {
      let c = bytes[i]
      if quoted {
        if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { quoted = false }
      } else if c == UInt8(ascii: "\"") {
        quoted = true
      } else if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") {
        depth += 1
      } else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") {
        depth -= 1
      } else if c == UInt8(ascii: "{") {
        return nil
      } else if c == UInt8(ascii: "/"), depth == 0 {
        let n = skipSpace(i + 1)
        if n < bytes.count, bytes[n] == UInt8(ascii: "{") { return i }
      }
      i += 1
    }
    return nil
  }

  func attachPoint(_ raw: String, _ range: SourceRange) -> AttachPoint {
    var parts: [String] = []
    var current = ""
    var quoted = false
    for ch in raw {
      if ch == "\"" {
        quoted.toggle()
      } else if ch == ":", !quoted {
        parts.append(current)
        current = ""
      } else {
        current.append(ch)
      }
    }
    parts.append(current)
    let provider = parts.removeFirst()
    return AttachPoint(raw: raw, provider: provider, parts: parts, range: range)
  }
}
