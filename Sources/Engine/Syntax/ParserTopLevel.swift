/// Program items: preprocessor lines, C definitions, config, imports, macros, functions, map
/// declarations, probes and bare top-level statements.
///
/// Top-level statements vs probes. A session cell may hold bare statements (`print(@x)`,
/// `clear(@x); @y = 0`). An item is a probe when it starts with an identifier that is not a keyword
/// and one of these holds:
///   1. a `:` follows the identifier immediately (`kprobe:f`, `t:syscalls:*`, `self:signal:SIGUSR1`);
///   2. the identifier is a bare probe name (`BEGIN`, `END`, `begin`, `end`);
///   3. the next token is `{` or `,` (`uprobe { }` gets the provider's own error later);
///   4. the next token is `/` and a later `/` at bracket depth 0 is directly followed by `{`
///      before any `;` or end of input (`kprobe /pid == 1/ {` vs the statement `pid / 2`).
/// Everything else is a statement. No statement can start like a probe: statements never begin
/// with `word:`, `word {` or `word,`, and calls (`word(`) are never probes.
extension Parser {
  private enum Stage: Int, Comparable {
    case cDefinitions, configAndImports, body
    static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
  }

  func parseProgram() throws -> Program {
    let program = Program()
    skipShebang()
    var stage = Stage.cDefinitions
    while current.kind != .endOfInput {
      if try accept(.semicolon) { continue }
      let t = current
      if t.kind == .hash {
        let (line, range) = try scanPreprocessorLine()
        if stage > .cDefinitions {
          throw error("C definitions must appear before probes and functions", at: range)
        }
        program.includes.append(line)
        continue
      }
      if let word = t.identifier, !colonFollows(t) {
        switch word {
        case "struct", "union", "enum":
          let definition = try parseCDefinition()
          if stage > .cDefinitions {
            throw error("C definitions must appear before probes and functions", at: definition.range)
          }
          program.cDefinitions.append(definition)
          continue
        case "config" where peek(1).isPunctuation(.assign):
          if stage > .configAndImports { throw error("config must appear before probes and functions", at: t.range) }
          try parseConfig(into: program)
          stage = .configAndImports
          continue
        case "import":
          if stage > .configAndImports { throw error("imports must appear before probes and functions", at: t.range) }
          try parseImport(into: program)
          stage = .configAndImports
          continue
        case "macro":
          program.macros.append(try parseMacro())
          stage = .body
          continue
        case "fn":
          program.functions.append(try parseFunction())
          stage = .body
          continue
        case "let" where isMapToken(peek(1)):
          program.mapDeclarations.append(try parseMapDeclaration())
          stage = .body
          continue
        default:
          break
        }
      }
      stage = .body
      if startsProbe() {
        program.probes.append(try parseProbe())
      } else {
        program.topLevelStatements.append(try parseTopLevelStatement())
      }
    }
    return program
  }

  private func colonFollows(_ t: Token) -> Bool {
    t.range.end < bytes.count && bytes[t.range.end] == UInt8(ascii: ":")
  }

  private func isMapToken(_ t: Token) -> Bool {
    if case .map = t.kind { return true }
    return false
  }

  // MARK: probe or statement

  /// The rule documented at the top of this file.
  func startsProbe() -> Bool {
    let t = current
    guard let word = t.identifier, !SyntaxNames.keywords.contains(word) else { return false }
    if colonFollows(t) || SyntaxNames.bareProbes.contains(word) { return true }
    let next = peek(1)
    if next.isPunctuation(.leftBrace) || next.isPunctuation(.comma) { return true }
    return next.isPunctuation(.slash) && predicateFollows(from: 2)
  }

  /// Whether tokens from `k` on close a predicate: `/` at depth 0 directly followed by `{`.
  private func predicateFollows(from start: Int) -> Bool {
    var depth = 0
    var k = start
    while k < start + 4096 {
      let t = peek(k)
      switch t.kind {
      case .endOfInput, .invalid: return false
      case .punctuation(.leftParen), .punctuation(.leftBracket), .punctuation(.leftBrace): depth += 1
      case .punctuation(.rightParen), .punctuation(.rightBracket), .punctuation(.rightBrace):
        if depth == 0 { return false }
        depth -= 1
      case .punctuation(.semicolon): if depth == 0 { return false }
      case .punctuation(.slash): if depth == 0, peek(k + 1).isPunctuation(.leftBrace) { return true }
      default: break
      }
      k += 1
    }
    return false
  }

  /// A bare statement ends at `;`, a line break or the end of input (blocks need no terminator).
  private func parseTopLevelStatement() throws -> Statement {
    let (statement, needsTerminator) = try parseStatement(topLevel: true)
    if needsTerminator, try !accept(.semicolon), current.kind != .endOfInput, !current.newlineBefore {
      throw unexpected("';' or a line break")
    }
    return statement
  }

  // MARK: probes

  func parseProbe() throws -> Probe {
    let start = current.range.start
    var points = [try parseAttachPoint()]
    while try accept(.comma) {
      if check(.leftBrace) || check(.slash) { break }  // a trailing comma is allowed
      points.append(try parseAttachPoint())
    }
    var predicate: Expr? = nil
    if try accept(.slash) {
      inPredicate = true
      defer { inPredicate = false }
      predicate = try parseExpression()
      try expect(.slash, "'/' to close the predicate")
    }
    guard check(.leftBrace) else { throw unexpected(predicate == nil ? "',', '/' or '{'" : "'{'") }
    let body = try parseBlock()
    return Probe(attachPoints: points, predicate: predicate, body: body, range: range(from: start))
  }

  /// Attach points are raw text, not tokens: they run up to white space, `{`, `}`, `,` or `;`.
  /// A `/` ends one only before the first `:` (the predicate in `BEGIN/x/`); after it, `/` belongs
  /// to paths (`uprobe:/usr/lib/*/libc.so.6:malloc`) except `//`, which starts a comment.
  /// Double quotes protect anything, including `:` and spaces.
  func parseAttachPoint() throws -> AttachPoint {
    let t = current
    if t.kind == .endOfInput { throw unexpected("an attach point") }
    let start = t.range.start
    var i = start
    var sawColon = false
    scan: while i < bytes.count {
      let c = bytes[i]
      let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
      switch c {
      case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ";"):
        break scan
      case _ where Lexer.isSpace(c):
        break scan
      case UInt8(ascii: "/") where !sawColon || next == UInt8(ascii: "/"):
        break scan
      case UInt8(ascii: ":"):
        sawColon = true
        i += 1
      case UInt8(ascii: "\""):
        let quote = i
        i += 1
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") {
          i += bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] != UInt8(ascii: "\n") ? 2 : 1
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
          throw error("unterminated string", at: SourceRange(quote, i), atEnd: Lexer(file).onlySpaceAfter(i))
        }
        i += 1
      default:
        i += 1
      }
    }
    guard i > start else { throw unexpected("an attach point") }
    resync(to: i)
    let segments = Parser.splitAttachPoint(bytes[start..<i])
    return AttachPoint(
      raw: file.text(of: SourceRange(start, i)), provider: segments[0], parts: Array(segments.dropFirst()),
      range: SourceRange(start, i))
  }

  /// Splits on `:` outside quotes; quotes are dropped and a backslash inside them takes the next
  /// character literally (`"\"probe\""` is `"probe"`).
  static func splitAttachPoint(_ raw: ArraySlice<UInt8>) -> [String] {
    var segments: [String] = []
    var current: [UInt8] = []
    var quoted = false
    var i = raw.startIndex
    while i < raw.endIndex {
      let c = raw[i]
      if quoted, c == UInt8(ascii: "\\"), i + 1 < raw.endIndex {
        current.append(raw[i + 1])
        i += 2
        continue
      }
      if c == UInt8(ascii: "\"") {
        quoted.toggle()
      } else if c == UInt8(ascii: ":"), !quoted {
        segments.append(String(decoding: current, as: UTF8.self))
        current.removeAll()
      } else {
        current.append(c)
      }
      i += 1
    }
    segments.append(String(decoding: current, as: UTF8.self))
    return segments
  }

  // MARK: preamble items

  /// `#!...` on the first line is an interpreter line, not a directive.
  private func skipShebang() {
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "#"), bytes[1] == UInt8(ascii: "!") else { return }
    var i = 0
    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
    resync(to: i)
  }

  /// A `#include`/`#define` line, verbatim (backslash-newline continues it), trailing space trimmed.
  private func scanPreprocessorLine() throws -> (String, SourceRange) {
    let start = current.range.start
    var i = start
    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") {
      if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
      i += 1
    }
    var end = i
    while end > start, Lexer.isSpace(bytes[end - 1]) { end -= 1 }
    resync(to: i)
    let range = SourceRange(start, end)
    return (file.text(of: range), range)
  }

  /// `struct name { ... };` kept verbatim for the C type layer. Attributes before the name or
  /// after the body (`__attribute__((packed))`) are allowed.
  private func parseCDefinition() throws -> CDefinition {
    let start = current.range.start
    let (kind, _) = try expectIdentifier("struct, union or enum")
    var name = kind
    while !check(.leftBrace) {
      if let word = current.identifier {
        if word != "__attribute__", name == kind { name += " " + word }
        try advance()
      } else if check(.leftParen) {
        try skipBalancedParentheses()
      } else {
        throw unexpected("'{' to start the \(kind) body")
      }
    }
    let end = try scanBalancedBraces(from: current.range.start)
    resync(to: end)
    while checkKeyword("__attribute__") {
      try advance()
      try skipBalancedParentheses()
    }
    try accept(.semicolon)
    let range = range(from: start)
    return CDefinition(name: name, text: file.text(of: range), range: range)
  }

  private func skipBalancedParentheses() throws {
    try expect(.leftParen)
    var depth = 1
    while depth > 0 {
      if current.kind == .endOfInput { throw unexpected("')'") }
      if check(.leftParen) { depth += 1 }
      if check(.rightParen) { depth -= 1 }
      try advance()
    }
  }

  /// Offset just past the `}` matching the `{` at `open`, skipping comments and quoted text.
  private func scanBalancedBraces(from open: Int) throws -> Int {
    var depth = 0
    var i = open
    while i < bytes.count {
      let c = bytes[i]
      let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
      if c == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
        continue
      }
      if c == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
        let commentStart = i
        i += 2
        while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < bytes.count else {
          throw error("unterminated comment", at: SourceRange(commentStart, commentStart + 2), atEnd: true)
        }
        i += 2
        continue
      }
      if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        i += 1
        while i < bytes.count, bytes[i] != c, bytes[i] != UInt8(ascii: "\n") {
          i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
        }
        i += 1
        continue
      }
      if c == UInt8(ascii: "{") { depth += 1 }
      if c == UInt8(ascii: "}") {
        depth -= 1
        if depth == 0 { return i + 1 }
      }
      i += 1
    }
    throw endOfInput(expecting: "'}'")
  }

  /// An error at the end of the text (trailing white space excluded).
  func endOfInput(expecting: String) -> SyntaxError {
    var end = bytes.count
    while end > 0, Lexer.isSpace(bytes[end - 1]) { end -= 1 }
    return error(
      "syntax error, unexpected end of input, expecting \(expecting)", at: SourceRange(end, end), atEnd: true)
  }

  /// `config = { key = value; ... }`; values are strings, integers, booleans or bare words.
  private func parseConfig(into program: Program) throws {
    try advance()
    try expect(.assign)
    try expect(.leftBrace)
    while !check(.rightBrace) {
      let start = current.range.start
      let (key, _) = try expectIdentifier("a config variable name or '}'")
      try expect(.assign)
      let t = current
      let value: Expr
      switch t.kind {
      case .string(let s): value = Expr(.string(s), range: t.range)
      case .integer(let v, let suffix): value = Expr(.integer(v, suffix: suffix), range: t.range)
      case .identifier("true"), .identifier("false"): value = Expr(.boolean(t.isKeyword("true")), range: t.range)
      case .identifier(let word): value = Expr(.identifier(word), range: t.range)
      default: throw unexpected("a string, integer, boolean or name")
      }
      try advance()
      program.config.append(ConfigEntry(key: key, value: value, range: range(from: start)))
      if !check(.rightBrace) { try expect(.semicolon, "';' or '}'") }
    }
    try expect(.rightBrace)
  }

  /// `import "path";`
  private func parseImport(into program: Program) throws {
    try advance()
    guard case .string(let path) = current.kind else { throw unexpected("a quoted path after 'import'") }
    try advance()
    try accept(.semicolon)
    program.imports.append(path.text)
  }

  /// `macro name($var, @map, expr) { ... }`; the parameter list may be left out when empty.
  private func parseMacro() throws -> MacroDefinition {
    let start = current.range.start
    try advance()
    let (name, _) = try expectIdentifier("a macro name")
    var parameters: [String] = []
    if try accept(.leftParen) {
      if !check(.rightParen) {
        repeat { parameters.append(try parseMacroParameter()) } while try accept(.comma)
      }
      try expect(.rightParen, "',' or ')'")
    }
    let body = try parseBlock()
    return MacroDefinition(name: name, parameters: parameters, body: body, range: range(from: start))
  }

  private func parseMacroParameter() throws -> String {
    let t = current
    let parameter: String
    switch t.kind {
    case .variable(let v): parameter = v
    case .map(let m) where m != "@": parameter = m
    case .identifier(let word) where !SyntaxNames.keywords.contains(word): parameter = word
    default: throw unexpected("a macro parameter ($var, @map or name)")
    }
    try advance()
    return parameter
  }

  /// `fn name($a: type, ...): type { ... }`
  private func parseFunction() throws -> FunctionDefinition {
    let start = current.range.start
    try advance()
    let (name, _) = try expectIdentifier("a function name")
    try expect(.leftParen)
    var parameters: [(name: String, type: TypeName)] = []
    if !check(.rightParen) {
      repeat {
        guard case .variable(let v) = current.kind else { throw unexpected("a $variable parameter") }
        try advance()
        try expect(.colon, "':' and the parameter's type")
        parameters.append((v, try parseType()))
      } while try accept(.comma)
    }
    try expect(.rightParen, "',' or ')'")
    let returnType = try accept(.colon) ? try parseType() : nil
    let body = try parseBlock()
    return FunctionDefinition(
      name: name, parameters: parameters, returnType: returnType, body: body, range: range(from: start))
  }

  /// `let @name = kind(maxEntries);`
  private func parseMapDeclaration() throws -> MapDeclaration {
    let start = current.range.start
    try advance()
    guard case .map(let name) = current.kind else { throw unexpected("a map name") }
    try advance()
    try expect(.assign)
    let (kind, _) = try expectIdentifier("a map type such as hash or lruhash")
    try expect(.leftParen)
    guard case .integer(let n, _) = current.kind, n > 0, n <= UInt64(Int.max) else {
      throw unexpected("the maximum number of entries (a positive integer)")
    }
    try advance()
    try expect(.rightParen)
    let range = range(from: start)
    try accept(.semicolon)
    return MapDeclaration(name: name, kind: kind, maxEntries: Int(n), range: range)
  }
}
