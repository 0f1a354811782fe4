/// Type names (casts, `let` annotations, function signatures, sizeof/offsetof) and the lookahead
/// that decides whether `(` starts a cast.
///
/// A type is `struct|union|enum NAME`, a run of C words (`unsigned long long`, `const char`), a
/// builtin type (`uint32`, `string`) or any other identifier (a typedef such as `u64`), followed
/// by `*`s and at most one `[N]`/`[]`. Builtin values (`pid`, `arg0`) are never types, so
/// `(pid) * 2` multiplies. `(T)` is a cast when what follows can start an expression, as upstream
/// decides it: `(myident)*$a` dereferences and casts, `(myident)` alone is a value.
extension Parser {
  private static let aggregateKeywords: Set<String> = ["struct", "union", "enum"]

  /// Where the type starting `k` tokens ahead ends (the index of the first token after it), or
  /// nil if no type starts there.
  private func scanType(at start: Int) -> Int? {
    var k = start
    while let word = peek(k).identifier, SyntaxNames.cQualifiers.contains(word) { k += 1 }
    guard let first = peek(k).identifier, !SyntaxNames.keywords.contains(first), !SyntaxNames.isBuiltin(first)
    else { return nil }
    if Parser.aggregateKeywords.contains(first) {
      guard peek(k + 1).identifier != nil else { return nil }
      k += 2
    } else if SyntaxNames.cTypeWords.contains(first) {
      while let word = peek(k).identifier,
        SyntaxNames.cTypeWords.contains(word) || SyntaxNames.cQualifiers.contains(word)
      {
        k += 1
      }
    } else {
      k += 1
    }
    while true {
      if peek(k).isPunctuation(.star) {
        k += 1
      } else if peek(k).isPunctuation(.leftBracket) {
        if case .integer = peek(k + 1).kind, peek(k + 2).isPunctuation(.rightBracket) {
          k += 3
        } else if peek(k + 1).isPunctuation(.rightBracket) {
          k += 2
        } else {
          return nil
        }
      } else {
        return k
      }
    }
  }

  /// At `(`: is this a cast?
  func castFollows() -> Bool {
    guard let end = scanType(at: 1), peek(end).isPunctuation(.rightParen) else { return false }
    return Parser.canStartExpression(peek(end + 1))
  }

  /// In sizeof/offsetof: a type reaching exactly to `terminator` is read as a type (even a bare
  /// unknown name, as upstream documents), anything else as an expression.
  func typeFollows(terminator: Punctuation) -> Bool {
    guard let end = scanType(at: 0) else { return false }
    return peek(end).isPunctuation(terminator)
  }

  private static func canStartExpression(_ t: Token) -> Bool {
    switch t.kind {
    case .integer, .string, .identifier, .variable, .positional, .positionalCount, .map: return true
    case .punctuation(let p):
      return [.leftParen, .minus, .minusMinus, .bang, .tilde, .star, .ampersand].contains(p)
    default: return false
    }
  }

  func parseType() throws -> TypeName {
    let start = current.range.start
    while let word = current.identifier, SyntaxNames.cQualifiers.contains(word) { try advance() }
    guard let first = current.identifier, !SyntaxNames.keywords.contains(first) else {
      throw unexpected("a type name")
    }
    var base: String
    if Parser.aggregateKeywords.contains(first) {
      try advance()
      let (name, _) = try expectIdentifier("a \(first) name")
      base = first + " " + name
    } else if SyntaxNames.cTypeWords.contains(first) {
      var words: [String] = []
      while let word = current.identifier,
        SyntaxNames.cTypeWords.contains(word) || SyntaxNames.cQualifiers.contains(word)
      {
        if !SyntaxNames.cQualifiers.contains(word) { words.append(word) }
        try advance()
      }
      base = words.joined(separator: " ")
    } else {
      try advance()
      base = first
    }
    var pointerDepth = 0
    var arrayLength: Int? = nil
    while true {
      if check(.star) {
        if arrayLength != nil { throw error("pointers to arrays are not supported", at: current.range) }
        try advance()
        pointerDepth += 1
      } else if check(.leftBracket) {
        if arrayLength != nil { throw error("multi-dimensional arrays are not supported", at: current.range) }
        try advance()
        if case .integer(let n, _) = current.kind {
          guard n <= UInt64(Int32.max) else { throw error("array length is too large", at: current.range) }
          arrayLength = Int(n)
          try advance()
        } else {
          arrayLength = 0  // `int8[]`: length taken from the value
        }
        try expect(.rightBracket)
      } else {
        break
      }
    }
    return TypeName(base: base, pointerDepth: pointerDepth, arrayLength: arrayLength, range: range(from: start))
  }
}
