/// Whether a piece of REPL/notebook input can be run yet.
public enum Completeness: Equatable, Sendable {
  /// Parses as a whole program.
  case complete
  /// Fails only because the text ends too early (an open brace, paren, string or comment, a
  /// trailing operator, an attach point with no block yet): more lines may complete it.
  case incomplete
  /// Has a syntax error that more text cannot fix.
  case invalid
}

public enum ProgramParser {
  /// Parses a whole program (a -e string, a .bt file, or one session cell).
  /// Throws `DiagnosticList` holding the first syntax error.
  public static func parse(_ file: SourceFile) throws -> Program {
    do {
      return try Parser(file).parseProgram()
    } catch let error as SyntaxError {
      throw DiagnosticList([error.diagnostic])
    }
  }

  /// For the REPL/Jupyter: is this text a complete program, still open, or invalid?
  public static func completeness(of text: String) -> Completeness {
    do {
      _ = try Parser(SourceFile(name: "stdin", text: text)).parseProgram()
      return .complete
    } catch let error as SyntaxError {
      return error.atEnd ? .incomplete : .invalid
    } catch {
      return .invalid
    }
  }
}

/// The first syntax error; `atEnd` when it was caused by the input ending.
struct SyntaxError: Error {
  var diagnostic: Diagnostic
  var atEnd: Bool
}

/// Recursive-descent parser over a lazily lexed token stream. Grammar pieces live in extensions:
/// ParserTopLevel (items, probes, attach points), ParserStatements, ParserExpressions, ParserTypes.
final class Parser {
  let file: SourceFile
  let bytes: [UInt8]
  private var lexer: Lexer
  /// Tokens lexed ahead; `lookahead[head]` is the current token.
  private var lookahead: [Token] = []
  private var head = 0
  /// End offset of the last consumed token: where a node that just finished ends.
  private(set) var previousEnd = 0
  /// Inside `/.../`, a `/` directly before `{` closes the predicate instead of dividing.
  var inPredicate = false
  /// Nesting depth of blocks and expressions, bounded so hostile input cannot exhaust the stack.
  private var nesting = 0
  static let maximumNesting = 256

  init(_ file: SourceFile) {
    self.file = file
    self.bytes = file.bytes
    self.lexer = Lexer(file)
  }

  // MARK: tokens

  /// The token `k` places ahead, without consuming anything. Lexical errors are returned as
  /// `.invalid` tokens and only reported once the parser tries to use them.
  func peek(_ k: Int = 0) -> Token {
    while lookahead.count <= head + k {
      if let last = lookahead.last, last.kind == .endOfInput { return last }
      lookahead.append(lexer.next())
    }
    return lookahead[head + k]
  }

  var current: Token { peek(0) }

  /// Consumes the current token; a lexical error is thrown here rather than passed on.
  @discardableResult
  func advance() throws -> Token {
    let t = current
    if case .invalid = t.kind { throw unexpected("") }
    if t.kind != .endOfInput {
      head += 1
      if head > 64, head * 2 > lookahead.count {
        lookahead.removeFirst(head)
        head = 0
      }
      previousEnd = t.range.end
    }
    return t
  }

  func check(_ p: Punctuation) -> Bool { current.isPunctuation(p) }

  func checkKeyword(_ word: String) -> Bool { current.isKeyword(word) }

  /// Consumes the current token if it is `p`.
  @discardableResult
  func accept(_ p: Punctuation) throws -> Bool {
    guard check(p) else { return false }
    try advance()
    return true
  }

  @discardableResult
  func expect(_ p: Punctuation, _ expecting: String? = nil) throws -> Token {
    guard check(p) else { throw unexpected(expecting ?? "'\(p.rawValue)'") }
    return try advance()
  }

  func expectIdentifier(_ expecting: String) throws -> (String, SourceRange) {
    guard let name = current.identifier else { throw unexpected(expecting) }
    let t = try advance()
    return (name, t.range)
  }

  /// Drops the lookahead and lexes again from `offset`: used after scanning raw text
  /// (attach points, C definitions, preprocessor lines) that is not made of tokens.
  func resync(to offset: Int) {
    lookahead.removeAll()
    head = 0
    lexer.reset(to: offset)
    previousEnd = offset
  }

  /// The range from `start` to the end of what was consumed last.
  func range(from start: Int) -> SourceRange { SourceRange(start, max(start, previousEnd)) }

  // MARK: errors

  /// "syntax error, unexpected X, expecting Y" at the current token (or its lexical error).
  func unexpected(_ expecting: String) -> SyntaxError {
    let t = current
    switch t.kind {
    case .invalid(let message, let atEnd):
      return SyntaxError(diagnostic: .error(message, at: t.range), atEnd: atEnd)
    default:
      var message = "syntax error, unexpected \(t.describe(in: file))"
      if !expecting.isEmpty { message += ", expecting \(expecting)" }
      return SyntaxError(diagnostic: .error(message, at: t.range), atEnd: t.kind == .endOfInput)
    }
  }

  func error(_ message: String, at range: SourceRange, atEnd: Bool = false) -> SyntaxError {
    SyntaxError(diagnostic: .error(message, at: range), atEnd: atEnd)
  }

  /// Runs `body` one nesting level deeper, failing cleanly past `maximumNesting`.
  func nested<T>(_ body: () throws -> T) throws -> T {
    nesting += 1
    defer { nesting -= 1 }
    if nesting > Parser.maximumNesting {
      throw error("program is nested too deeply", at: current.range)
    }
    return try body()
  }
}

extension Lexer {
  /// Continues lexing from `offset`, as if the text before it had been consumed.
  mutating func reset(to offset: Int) {
    self = Lexer(file, offset: offset)
  }
}
