/// Expressions with C precedence, lowest first.
extension Parser {
  static let binaryLevels: [[String]] = [
    ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="], ["<<", ">>"], ["+", "-"],
    ["*", "/", "%"],
  ]

  mutating func expression() throws -> Expr {
    let cond = try binary(0)
    guard isPunct("?") else { return cond }
    try advance()
    let a = try expression()
    try expect(":")
    let b = try expression()
    return Expr(.ternary(cond, a, b), range: cond.range.union(b.range))
  }

  mutating func binary(_ level: Int) throws -> Expr {
    if level == Parser.binaryLevels.count { return try unary() }
    var lhs = try binary(level + 1)
    while case .punct(let p) = token.kind, Parser.binaryLevels[level].contains(p), let op = BinaryOperator(rawValue: p) {
      try advance()
      let rhs = try binary(level + 1)
      lhs = Expr(.binary(op, lhs, rhs), range: lhs.range.union(rhs.range))
    }
    return lhs
  }

  mutating func unary() throws -> Expr {
    let start = token.range.start
    if case .punct(let p) = token.kind {
      if p == "++" || p == "--" {
        try advance()
        let operand = try unary()
        return Expr(.increment(operand, isDecrement: p == "--", isPrefix: true), range: SourceRange(start, operand.range.end))
      }
      if let op = UnaryOperator(rawValue: p) {
        try advance()
        let operand = try unary()
        return Expr(.unary(op, operand), range: SourceRange(start, operand.range.end))
      }
    }
    return try postfix(try primary())
  }

  mutating func postfix(_ base: Expr) throws -> Expr {
    var e = base
    while true {
      if isPunct(".") {
        try advance()
        let name: String
        switch token.kind {
        case .identifier(let n): name = n
        case .integer(let n, _): name = String(n)
        default: throw unexpected(expecting: "field name")
        }
        let end = token.range.end
        try advance()
        e = Expr(.field(e, name), range: SourceRange(e.range.start, end))
      } else if isPunct("->") {
        try advance()
        guard case .identifier(let name) = token.kind else { throw unexpected(expecting: "field name") }
        let end = token.range.end
        try advance()
        e = Expr(.arrow(e, name), range: SourceRange(e.range.start, end))
      } else if isPunct("[") {
        try advance()
        let index = try expression()
        let end = try expect("]").end
        e = Expr(.index(e, index), range: SourceRange(e.range.start, end))
      } else if isPunct("++") || isPunct("--") {
        let dec = isPunct("--")
        let end = token.range.end
        try advance()
        e = Expr(.increment(e, isDecrement: dec, isPrefix: false), range: SourceRange(e.range.start, end))
      } else {
        return e
      }
    }
  }

  mutating func arguments() throws -> ([Expr], Int) {
    try expect("(")
    var args: [Expr] = []
    while !isPunct(")") {
      if startsType(), case .identifier(let w) = token.kind, w == "struct" || w == "union" || w == "enum" {
        let t = try typeName()
        args.append(Expr(.typeName(t), range: t.range))
      } else {
        args.append(try expression())
      }
      if !(try accept(",")) { break }
    }
    let end = try expect(")").end
    return (args, end)
  }

  mutating func primary() throws -> Expr {
    let t = token
    switch t.kind {
    case .integer(let v, let suffix):
      try advance()
      return Expr(.integer(v, suffix: suffix), range: t.range)
    case .string(let s):
      try advance()
      return Expr(.string(s), range: t.range)
    case .variable(let name):
      try advance()
      if name == "$#" { return Expr(.positionalCount, range: t.range) }
      if let n = Int(name.dropFirst()) { return Expr(.positional(n), range: t.range) }
      return Expr(.variable(name), range: t.range)
    case .map(let name):
      try advance()
      var keys: [Expr] = []
      var end = t.range.end
      if isPunct("[") {
        try advance()
        while !isPunct("]") {
          keys.append(try expression())
          if !(try accept(",")) { break }
        }
        end = try expect("]").end
      }
      return Expr(.map(name: name, keys: keys), range: SourceRange(t.range.start, end))
    case .identifier(let name):
      if name == "true" || name == "false" {
        try advance()
        return Expr(.boolean(name == "true"), range: t.range)
      }
      try advance()
      if isPunct("(") {
        if name == "sizeof", try peekStartsType() {
          try advance()
          let type = try typeName()
          let end = try expect(")").end
          return Expr(.call(name: name, arguments: [Expr(.typeName(type), range: type.range)]), range: SourceRange(t.range.start, end))
        }
        let (args, end) = try arguments()
        return Expr(.call(name: name, arguments: args), range: SourceRange(t.range.start, end))
      }
      return Expr(.identifier(name), range: t.range)
    case .punct("("):
      try advance()
      if startsType() {
        let type = try typeName()
        try expect(")")
        let operand = try unary()
        return Expr(.cast(type, operand), range: SourceRange(t.range.start, operand.range.end))
      }
      let first = try expression()
      if isPunct(",") {
        var items = [first]
        while try accept(",") {
          if isPunct(")") { break }
          items.append(try expression())
        }
        let end = try expect(")").end
        return Expr(.tuple(items), range: SourceRange(t.range.start, end))
      }
      let end = try expect(")").end
      first.range = SourceRange(t.range.start, end)
      return first
    default:
      throw unexpected()
    }
  }

  mutating func peekStartsType() throws -> Bool {
    let saved = (lexer, token)
    defer { (lexer, token) = saved }
    try advance()
    return startsType()
  }
}
