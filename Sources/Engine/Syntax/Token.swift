public enum TokenKind: Equatable, Sendable {
  case integer(UInt64, suffix: String)
  case string(String)
  case identifier(String)
  /// `$name`, `$1`, `$#`
  case variable(String)
  /// `@name` or `@`
  case map(String)
  /// Operators and punctuation, e.g. "+=", "->", "{".
  case punct(String)
  case end
}

public struct Token: Equatable, Sendable {
  public var kind: TokenKind
  public var range: SourceRange
  /// Whitespace or a comment came right before this token (matters for attach points).
  public var spaceBefore: Bool

  public var text: String {
    switch kind {
    case .integer(let v, let s): "\(v)\(s)"
    case .string(let s): "\"\(s)\""
    case .identifier(let s), .variable(let s), .map(let s), .punct(let s): s
    case .end: "end of input"
    }
  }
}
