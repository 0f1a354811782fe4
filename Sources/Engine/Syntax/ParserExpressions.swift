/// Expressions, lowest precedence first: `?:`, then binary operators by C precedence (below),
/// then prefix operators and casts, then postfix operators, then primaries.
extension Parser {
  /// C precedence, higher binds tighter; all binary operators associate to the left.
  static func precedence(of op: BinaryOperator) -> Int {
    switch op {
    case .logicalOr: 1
    case .logicalAnd: 2
    case .bitOr: 3
    case .bitXor: 4
    case .bitAnd: 5
    case .equal, .notEqual: 6
    case .less, .lessEqual, .greater, .greaterEqual: 7
    case .shl, .shr: 8
    case .add, .sub: 9
    case .mul, .div, .mod: 10
    }
  }

  func parseExpression() throws -> Expr {
    try nested { try parseTernary() }
  }

  /// `c ? a : b` (right associative) and the short form `c ?: b`, which is `c ? c : b`.
  private func parseTernary() throws -> Expr {
    let condition = try parseBinary(minimum: 1)
    guard try accept(.question) else { return condition }
    if try accept(.colon) {
      let otherwise = try parseExpression()
      return Expr(.ternary(condition, condition, otherwise), range: condition.range.union(otherwise.range))
    }
    let then = try parseExpression()
    try expect(.colon, "':' of the ?: operator")
    let otherwise = try parseExpression()
    return Expr(.ternary(condition, then, otherwise), range: condition.range.union(otherwise.range))
  }

  private func currentBinaryOperator() -> BinaryOperator? {
    guard case .punctuation(let p) = current.kind, let op = p.binaryOperator else { return nil }
    // In `/pred/ {` the second `/` closes the predicate.
    if op == .div, inPredicate, peek(1).isPunctuation(.leftBrace) { return nil }
    return op
  }

  /// Precedence climbing: operators binding at least as tightly as `minimum`.
  private func parseBinary(minimum: Int) throws -> Expr {
    var left = try parseUnary()
    while let op = currentBinaryOperator(), Parser.precedence(of: op) >= minimum {
      try advance()
      let right = try parseBinary(minimum: Parser.precedence(of: op) + 1)
      left = Expr(.binary(op, left, right), range: left.range.union(right.range))
    }
    return left
  }

  /// Prefix operators and casts, then a postfix expression.
  func parseUnary() throws -> Expr {
    try nested {
      guard case .punctuation(let p) = current.kind else { return try parsePostfix(try parsePrimary()) }
      let start = current.range.start
      let simple: [Punctuation: UnaryOperator] = [
        .star: .dereference, .bang: .logicalNot, .tilde: .bitNot, .minus: .negate, .plus: .plus,
      ]
      switch p {
      case .plusPlus, .minusMinus:
        try advance()
        let operand = try parseUnary()
        guard Parser.isIncrementable(operand) else {
          throw error("increment/decrement requires a variable or map", at: operand.range)
        }
        return Expr(
          .increment(operand, isDecrement: p == .minusMinus, isPrefix: true), range: range(from: start))
      case .ampersand:
        try advance()
        let operand = try parseUnary()
        switch operand.kind {
        case .variable: break
        case .map(_, let keys) where keys.isEmpty: break
        default: throw error("address-of operator (&) can only be used on a map or variable", at: operand.range)
        }
        return Expr(.unary(.addressOf, operand), range: range(from: start))
      case .leftParen where castFollows():
        try advance()
        let type = try parseType()
        try expect(.rightParen)
        let operand = try parseUnary()
        return Expr(.cast(type, operand), range: range(from: start))
      default:
        guard let op = simple[p] else { return try parsePostfix(try parsePrimary()) }
        try advance()
        let operand = try parseUnary()
        return Expr(.unary(op, operand), range: range(from: start))
      }
    }
  }

  static func isIncrementable(_ e: Expr) -> Bool {
    switch e.kind {
    case .variable, .map: true
    default: false
    }
  }

  /// `.field`, `.0`, `->field`, `[index]`, `++`, `--`.
  private func parsePostfix(_ base: Expr) throws -> Expr {
    var e = base
    while case .punctuation(let p) = current.kind {
      let t = current
      switch p {
      case .dot:
        try advance()
        let f = current
        let name: String
        switch f.kind {
        case .identifier(let word): name = word
        case .integer(_, suffix: "") where file.text(of: f.range).utf8.allSatisfy(Lexer.isDigit):
          name = file.text(of: f.range)
        default: throw unexpected("a field name or tuple index after '.'")
        }
        try advance()
        e = Expr(.field(e, name), range: e.range.union(f.range))
      case .arrow:
        try advance()
        let (name, r) = try expectIdentifier("a field name after '->'")
        e = Expr(.arrow(e, name), range: e.range.union(r))
      case .leftBracket:
        try advance()
        let index = try parseExpression()
        try expect(.rightBracket)
        e = Expr(.index(e, index), range: range(from: e.range.start))
      case .plusPlus, .minusMinus:
        guard Parser.isIncrementable(e) else {
          throw error("increment/decrement requires a variable or map", at: t.range)
        }
        try advance()
        e = Expr(.increment(e, isDecrement: p == .minusMinus, isPrefix: false), range: e.range.union(t.range))
      default:
        return e
      }
    }
    return e
  }

  private func parsePrimary() throws -> Expr {
    let t = current
    let start = t.range.start
    switch t.kind {
    case .integer(let value, let suffix):
      try advance()
      return Expr(.integer(value, suffix: suffix), range: t.range)
    case .string(let s):
      try advance()
      return Expr(.string(s), range: t.range)
    case .variable(let name):
      try advance()
      return Expr(.variable(name), range: t.range)
    case .positional(let n):
      try advance()
      return Expr(.positional(n), range: t.range)
    case .positionalCount:
      try advance()
      return Expr(.positionalCount, range: t.range)
    case .map(let name):
      try advance()
      var keys: [Expr] = []
      if try accept(.leftBracket) {
        repeat { keys.append(try parseExpression()) } while try accept(.comma)
        try expect(.rightBracket, "',' or ']'")
      }
      return Expr(.map(name: name, keys: keys), range: range(from: start))
    case .identifier(let word):
      switch word {
      case "true", "false":
        try advance()
        return Expr(.boolean(word == "true"), range: t.range)
      case "sizeof":
        return try parseSizeof()
      case "offsetof":
        return try parseOffsetof()
      case _ where SyntaxNames.keywords.contains(word):
        throw unexpected("an expression")
      default:
        try advance()
        guard check(.leftParen) else { return Expr(.identifier(word), range: t.range) }
        let arguments = try parseArguments()
        return Expr(.call(name: word, arguments: arguments), range: range(from: start))
      }
    case .punctuation(.leftParen):
      return try parseParenthesized()
    case .punctuation(.leftBrace):
      return try parseBlockExpression()
    default:
      throw unexpected("an expression")
    }
  }

  private func parseArguments() throws -> [Expr] {
    try expect(.leftParen)
    var arguments: [Expr] = []
    if !check(.rightParen) {
      repeat { arguments.append(try parseExpression()) } while try accept(.comma)
    }
    try expect(.rightParen, "',' or ')'")
    return arguments
  }

  /// `()` empty tuple, `(e)` grouping, `(a, b)` / `(a,)` tuples, `(x = 1, y = 2)` records.
  private func parseParenthesized() throws -> Expr {
    let start = try advance().range.start
    if try accept(.rightParen) { return Expr(.tuple([]), range: range(from: start)) }
    if let word = current.identifier, peek(1).isPunctuation(.assign), !SyntaxNames.isBuiltin(word) {
      return try parseRecord(from: start)
    }
    let first = try parseExpression()
    guard try accept(.comma) else {
      try expect(.rightParen, "')'")
      return first
    }
    var items = [first]
    while !check(.rightParen) {
      items.append(try parseExpression())
      if try !accept(.comma) { break }
    }
    try expect(.rightParen, "',' or ')'")
    return Expr(.tuple(items), range: range(from: start))
  }

  private func parseRecord(from start: Int) throws -> Expr {
    var fields: [(name: String, value: Expr)] = []
    repeat {
      if check(.rightParen) { break }  // trailing comma
      let (name, r) = try expectIdentifier("a field name")
      if fields.contains(where: { $0.name == name }) { throw error("duplicate field '\(name)' in record", at: r) }
      try expect(.assign, "'=' after the field name")
      fields.append((name, try parseExpression()))
    } while try accept(.comma)
    try expect(.rightParen, "',' or ')'")
    return Expr(.record(fields), range: range(from: start))
  }

  /// `{ stmts; value }`: a block used as a value must end with an expression and no `;`.
  private func parseBlockExpression() throws -> Expr {
    let start = current.range.start
    let (statements, endsWithValue) = try nested {
      try advance()
      return try parseBlockContents()
    }
    guard endsWithValue, let last = statements.last, case .expression(let value) = last.kind else {
      throw error(
        "a block used as a value must end with an expression (without ';')",
        at: SourceRange(max(start, previousEnd - 1), previousEnd))
    }
    return Expr(.block(Array(statements.dropLast()), value), range: range(from: start))
  }

  /// `sizeof(type)` or `sizeof(expr)`: `.call("sizeof", [.typeName(T)])` or `[expr]`.
  private func parseSizeof() throws -> Expr {
    let start = try advance().range.start
    try expect(.leftParen)
    let argument = typeFollows(terminator: .rightParen) ? try typeExpression() : try parseExpression()
    try expect(.rightParen)
    return Expr(.call(name: "sizeof", arguments: [argument]), range: range(from: start))
  }

  /// `offsetof(type or expr, a.b)`: the field path is `.identifier("a")` wrapped in `.field`s.
  private func parseOffsetof() throws -> Expr {
    let start = try advance().range.start
    try expect(.leftParen)
    let base = typeFollows(terminator: .comma) ? try typeExpression() : try parseExpression()
    try expect(.comma)
    let (first, firstRange) = try expectIdentifier("a field name")
    var path = Expr(.identifier(first), range: firstRange)
    while try accept(.dot) {
      let (name, r) = try expectIdentifier("a field name")
      path = Expr(.field(path, name), range: path.range.union(r))
    }
    try expect(.rightParen, "'.' or ')'")
    return Expr(.call(name: "offsetof", arguments: [base, path]), range: range(from: start))
  }

  private func typeExpression() throws -> Expr {
    let type = try parseType()
    return Expr(.typeName(type), range: type.range)
  }
}
