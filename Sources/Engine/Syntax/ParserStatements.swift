extension Parser {
  mutating func block() throws -> Block {
    let start = try expect("{").start
    var statements: [Statement] = []
    while !isPunct("}") {
      if token.kind == .end { throw unexpected(expecting: "}") }
      if try accept(";") { continue }
      let s = try statement()
      statements.append(s)
      if statementEndsWithBlock(s) { continue }
      if isPunct("}") { break }
      try expect(";")
    }
    let end = token.range.end
    try advance()
    return Block(statements, range: SourceRange(start, end))
  }

  mutating func statement() throws -> Statement {
    let start = token.range.start
    func range() -> SourceRange { SourceRange(start, lexer.pos > start ? lastEnd : start) }
    if isPunct("{") {
      let b = try block()
      return Statement(.block(b), range: b.range)
    }
    if case .identifier(let word) = token.kind {
      switch word {
      case "if": return try ifStatement()
      case "while":
        try advance()
        let cond = try expression()
        let body = try block()
        return Statement(.whileLoop(condition: cond, body: body), range: SourceRange(start, body.range.end))
      case "unroll":
        try advance()
        let count = try expression()
        let body = try block()
        return Statement(.unroll(count: count, body: body), range: SourceRange(start, body.range.end))
      case "for":
        return try forStatement()
      case "break", "continue":
        let r = token.range
        try advance()
        return Statement(word == "break" ? .breakLoop : .continueLoop, range: r)
      case "return":
        let r = token.range
        try advance()
        if isPunct(";") || isPunct("}") || token.kind == .end { return Statement(.returnValue(nil), range: r) }
        let e = try expression()
        return Statement(.returnValue(e), range: SourceRange(start, e.range.end))
      case "let":
        try advance()
        guard case .variable(let name) = token.kind else { throw unexpected(expecting: "variable") }
        var end = token.range.end
        try advance()
        var type: TypeName? = nil
        if try accept(":") {
          type = try typeName()
          end = type!.range.end
        }
        var value: Expr? = nil
        if try accept("=") {
          value = try expression()
          end = value!.range.end
        }
        return Statement(.declare(variable: name, type: type, value: value), range: SourceRange(start, end))
      default: break
      }
    }
    let target = try expression()
    if case .punct(let p) = token.kind {
      if p == "=" {
        try advance()
        let value = try expression()
        return Statement(.assign(target: target, op: nil, value: value), range: SourceRange(start, value.range.end))
      }
      if let op = AssignOperator(rawValue: p) {
        try advance()
        let value = try expression()
        return Statement(.assign(target: target, op: op, value: value), range: SourceRange(start, value.range.end))
      }
    }
    return Statement(.expression(target), range: target.range)
  }

  var lastEnd: Int { token.range.start }

  mutating func ifStatement() throws -> Statement {
    let start = token.range.start
    try advance()
    let cond = try expression()
    let then = try block()
    var otherwise: Block? = nil
    var end = then.range.end
    if isIdentifier("else") {
      try advance()
      if isIdentifier("if") {
        let nested = try ifStatement()
        otherwise = Block([nested], range: nested.range)
      } else {
        otherwise = try block()
      }
      end = otherwise!.range.end
    }
    return Statement(.ifElse(condition: cond, then: then, otherwise: otherwise), range: SourceRange(start, end))
  }

  mutating func forStatement() throws -> Statement {
    let start = token.range.start
    try advance()
    let parens = try accept("(")
    guard case .variable(let name) = token.kind else { throw unexpected(expecting: "variable") }
    try advance()
    try expect(":")
    let first = try expression()
    if try accept("..") {
      let last = try expression()
      if parens { try expect(")") }
      let body = try block()
      return Statement(.forRange(variable: name, start: first, end: last, body: body), range: SourceRange(start, body.range.end))
    }
    if parens { try expect(")") }
    let body = try block()
    return Statement(.forMap(variable: name, map: first, body: body), range: SourceRange(start, body.range.end))
  }

  // MARK: Types

  static let integerTypeNames: Set<String> = [
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string", "u8", "u16", "u32",
    "u64", "s8", "s16", "s32", "s64", "size_t", "inet", "buffer",
  ]
  static let cTypeWords: Set<String> = ["unsigned", "signed", "char", "short", "int", "long", "void", "const", "volatile"]

  func startsType() -> Bool {
    guard case .identifier(let w) = token.kind else { return false }
    return Parser.integerTypeNames.contains(w) || Parser.cTypeWords.contains(w) || w == "struct" || w == "union"
      || w == "enum"
  }

  mutating func typeName() throws -> TypeName {
    let start = token.range.start
    var words: [String] = []
    while case .identifier(let w) = token.kind {
      if w == "const" || w == "volatile" {
        try advance()
        continue
      }
      if w == "struct" || w == "union" || w == "enum" {
        try advance()
        guard case .identifier(let n) = token.kind else { throw unexpected(expecting: "type name") }
        words.append("\(w) \(n)")
        try advance()
        break
      }
      if !words.isEmpty, !Parser.cTypeWords.contains(w) { break }
      words.append(w)
      try advance()
      if !Parser.cTypeWords.contains(w) { break }
    }
    guard !words.isEmpty else { throw unexpected(expecting: "type") }
    var depth = 0
    var end = token.range.start
    while isPunct("*") {
      depth += 1
      end = token.range.end
      try advance()
    }
    var length: Int? = nil
    if isPunct("[") {
      try advance()
      guard case .integer(let n, _) = token.kind else { throw unexpected(expecting: "array length") }
      length = Int(n)
      try advance()
      end = try expect("]").end
    }
    return TypeName(base: words.joined(separator: " "), pointerDepth: depth, arrayLength: length, range: SourceRange(start, max(end, start)))
  }
}
