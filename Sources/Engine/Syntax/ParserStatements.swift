/// Blocks and statements.
extension Parser {
  func parseBlock() throws -> Block {
    try nested {
      let start = try expect(.leftBrace).range.start
      let (statements, endsWithValue) = try parseBlockContents()
      let block = Block(statements, range: range(from: start))
      block.endsWithValue = endsWithValue
      return block
    }
  }

  /// Statements after a `{`, through the matching `}`. Statements are separated by `;`, which may
  /// be left out after one ending in a block (`if`, loops, `{ }`) and before the closing `}`.
  func parseBlockContents() throws -> (statements: [Statement], endsWithValue: Bool) {
    var statements: [Statement] = []
    var endsWithValue = false
    while true {
      if try accept(.rightBrace) { return (statements, endsWithValue) }
      if current.kind == .endOfInput { throw unexpected("'}'") }
      endsWithValue = false
      if try accept(.semicolon) { continue }
      let (statement, needsTerminator) = try parseStatement(topLevel: false)
      statements.append(statement)
      if needsTerminator {
        if try accept(.semicolon) { continue }
        guard check(.rightBrace) else { throw unexpected(current.kind == .endOfInput ? "'}'" : "';'") }
        if case .expression = statement.kind { endsWithValue = true }
      } else {
        try accept(.semicolon)
      }
    }
  }

  /// One statement, and whether it needs a terminator after it (all but those ending in a block).
  func parseStatement(topLevel: Bool) throws -> (Statement, needsTerminator: Bool) {
    try nested {
      let t = current
      let start = t.range.start
      func make(_ kind: Statement.Kind) -> Statement { Statement(kind, range: range(from: start)) }

      if let word = t.identifier {
        switch word {
        case "let":
          return (try parseDeclaration(), true)
        case "if":
          return (try parseIf(), false)
        case "while":
          try advance()
          let condition = try parseExpression()
          let body = try parseBlock()
          return (make(.whileLoop(condition: condition, body: body)), false)
        case "unroll":
          try advance()
          let count = try parseExpression()
          let body = try parseBlock()
          return (make(.unroll(count: count, body: body)), false)
        case "for":
          return (try parseFor(), false)
        case "break":
          try advance()
          return (make(.breakLoop), true)
        case "continue":
          try advance()
          return (make(.continueLoop), true)
        case "return":
          try advance()
          let bare =
            check(.semicolon) || check(.rightBrace) || current.kind == .endOfInput
            || (topLevel && current.newlineBefore)
          let value = bare ? nil : try parseExpression()
          return (make(.returnValue(value)), true)
        case "_" where peek(1).isPunctuation(.assign):
          // `_ = expr` discards a value on purpose.
          try advance()
          try advance()
          return (make(.expression(try parseExpression())), true)
        default:
          break
        }
      }
      if check(.leftBrace) {
        return (make(.block(try parseBlock())), false)
      }

      let target = try parseExpression()
      let op: AssignOperator?
      if check(.assign) {
        op = nil
      } else if case .punctuation(let p) = current.kind, let compound = p.assignOperator {
        op = compound
      } else {
        return (make(.expression(target)), true)
      }
      switch target.kind {
      case .map, .variable: break
      default:
        throw error(
          "cannot assign to this expression; only maps, map elements and $variables can be assigned",
          at: target.range)
      }
      try advance()
      let value = try parseExpression()
      return (make(.assign(target: target, op: op, value: value)), true)
    }
  }

  /// `let $x;`, `let $x = e;`, `let $x: type;`, `let $x: type = e;`
  private func parseDeclaration() throws -> Statement {
    let start = try advance().range.start
    guard case .variable(let name) = current.kind else { throw unexpected("a $variable after 'let'") }
    try advance()
    let type = try accept(.colon) ? try parseType() : nil
    let value = try accept(.assign) ? try parseExpression() : nil
    return Statement(.declare(variable: name, type: type, value: value), range: range(from: start))
  }

  /// `if cond { } [else if ... | else { }]`; the condition needs no parentheses.
  /// `else if` becomes an else block holding the inner `if`.
  private func parseIf() throws -> Statement {
    try nested {
      let start = try advance().range.start
      let condition = try parseExpression()
      let then = try parseBlock()
      var otherwise: Block? = nil
      if checkKeyword("else") {
        try advance()
        if checkKeyword("if") {
          let inner = try parseIf()
          otherwise = Block([inner], range: inner.range)
        } else if check(.leftBrace) {
          otherwise = try parseBlock()
        } else {
          throw unexpected("'{' or 'if' after 'else'")
        }
      }
      return Statement(.ifElse(condition: condition, then: then, otherwise: otherwise), range: range(from: start))
    }
  }

  /// `for ($kv : @map) { }` and `for ($i : start..end) { }`; the parentheses are optional and the
  /// range bounds are unary expressions.
  private func parseFor() throws -> Statement {
    let start = try advance().range.start
    let parenthesized = try accept(.leftParen)
    guard case .variable(let name) = current.kind else { throw unexpected("a $variable after 'for'") }
    try advance()
    try expect(.colon)
    let first = try parseUnary()
    if try accept(.dotDot) {
      let end = try parseUnary()
      if parenthesized { try expect(.rightParen) }
      let body = try parseBlock()
      return Statement(.forRange(variable: name, start: first, end: end, body: body), range: range(from: start))
    }
    guard case .map(_, let keys) = first.kind, keys.isEmpty else {
      throw error("expected a map or a range (start..end) to iterate over", at: first.range)
    }
    if parenthesized { try expect(.rightParen, "')' or '..'") }
    let body = try parseBlock()
    return Statement(.forMap(variable: name, map: first, body: body), range: range(from: start))
  }
}
