/// One lexical token of bpftrace source, with the byte range it came from.
public struct Token: Equatable, Sendable {
  public var kind: TokenKind
  public var range: SourceRange
  /// True when a newline (possibly inside a comment) separates this token from the previous one.
  /// Top-level session statements may end at a line break instead of a `;`.
  public var newlineBefore: Bool

  public init(_ kind: TokenKind, _ range: SourceRange, newlineBefore: Bool = false) {
    self.kind = kind
    self.range = range
    self.newlineBefore = newlineBefore
  }
}

public enum TokenKind: Equatable, Sendable {
  /// `[_a-zA-Z][_a-zA-Z0-9]*`; keywords are identifiers too, the parser gives them meaning by context.
  case identifier(String)
  /// `$name`, including the `$`.
  case variable(String)
  /// `$1`, `$2`, ...
  case positional(Int)
  /// `$#`
  case positionalCount
  /// `@name` including the `@`, or `@` alone.
  case map(String)
  /// Integer and character literals. Duration suffixes are already applied to the value and
  /// leave `suffix` empty; C suffixes (`u`, `l`, `ul`, `ll`, `ull`) are kept, lower-cased.
  case integer(UInt64, suffix: String)
  /// A string literal with its escapes resolved.
  case string(ByteString)
  case punctuation(Punctuation)
  /// `#`: starts a preprocessor line at the top level, meaningless elsewhere.
  case hash
  case endOfInput
  /// A lexical error. `atEnd` is true when more input could have fixed it (unterminated string,
  /// comment or character literal running into the end of the text).
  case invalid(String, atEnd: Bool)
}

public enum Punctuation: String, Sendable, CaseIterable {
  case leftBrace = "{"
  case rightBrace = "}"
  case leftParen = "("
  case rightParen = ")"
  case leftBracket = "["
  case rightBracket = "]"
  case comma = ","
  case semicolon = ";"
  case colon = ":"
  case question = "?"
  case dot = "."
  case dotDot = ".."
  case arrow = "->"
  case plus = "+"
  case minus = "-"
  case star = "*"
  case slash = "/"
  case percent = "%"
  case ampersand = "&"
  case pipe = "|"
  case caret = "^"
  case bang = "!"
  case tilde = "~"
  case less = "<"
  case greater = ">"
  case lessEqual = "<="
  case greaterEqual = ">="
  case equalEqual = "=="
  case bangEqual = "!="
  case ampersandAmpersand = "&&"
  case pipePipe = "||"
  case shiftLeft = "<<"
  case shiftRight = ">>"
  case assign = "="
  case plusAssign = "+="
  case minusAssign = "-="
  case starAssign = "*="
  case slashAssign = "/="
  case percentAssign = "%="
  case ampersandAssign = "&="
  case pipeAssign = "|="
  case caretAssign = "^="
  case shiftLeftAssign = "<<="
  case shiftRightAssign = ">>="
  case plusPlus = "++"
  case minusMinus = "--"

  /// The compound assignment this token spells, if any.
  var assignOperator: AssignOperator? { AssignOperator(rawValue: rawValue) }

  /// The binary operator this token spells, if any.
  var binaryOperator: BinaryOperator? { BinaryOperator(rawValue: rawValue) }
}

extension Token {
  /// How error messages name this token: `';'`, `'foo'`, `string "x"`, `end of input`.
  func describe(in file: SourceFile) -> String {
    switch kind {
    case .endOfInput: return "end of input"
    case .string: return "string " + file.text(of: range)
    case .invalid(let message, _): return message
    default:
      var text = file.text(of: range)
      if text.utf8.count > 40 { text = String(text.prefix(37)) + "..." }
      return "'" + text + "'"
    }
  }

  func isPunctuation(_ p: Punctuation) -> Bool { kind == .punctuation(p) }

  var identifier: String? {
    if case .identifier(let name) = kind { return name }
    return nil
  }

  func isKeyword(_ word: String) -> Bool { identifier == word }
}
