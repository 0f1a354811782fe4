/// One-line labels of the source ranges code generation marks with `.source`: a statement's text
/// (compound statements only up to their `{`, their bodies are marked on their own), or
/// `/filter/` for a predicate. Statement text, not the whole line: one-liners are one line.
enum SourceLabels {
  static func build(_ program: Program, _ file: SourceFile) -> [SourceRange: String] {
    var labels: [SourceRange: String] = [:]
    func text(_ r: SourceRange) -> String { oneLine(file.text(of: r)) }
    func header(_ s: Statement, _ body: Block) -> String {
      text(SourceRange(s.range.start, body.range.start)) + " {"
    }
    func statement(_ s: Statement) {
      switch s.kind {
      case .ifElse(_, let then, let otherwise):
        labels[s.range] = header(s, then)
        then.statements.forEach(statement)
        otherwise?.statements.forEach(statement)
      case .whileLoop(_, let b), .unroll(_, let b), .forMap(_, _, let b), .forRange(_, _, _, let b):
        labels[s.range] = header(s, b)
        b.statements.forEach(statement)
      case .block(let b):
        labels[s.range] = "{"
        b.statements.forEach(statement)
      default:
        labels[s.range] = text(s.range)
      }
    }
    for p in program.probes {
      if let pred = p.predicate { labels[pred.range] = "/" + text(pred.range) + "/" }
      p.body.statements.forEach(statement)
    }
    program.topLevelStatements.forEach(statement)
    return labels
  }

  /// Whitespace runs (newlines included) become one space; long text is cut.
  static func oneLine(_ s: String, limit: Int = 100) -> String {
    var out = ""
    var space = false
    for c in s {
      if c.isWhitespace {
        space = !out.isEmpty
      } else {
        if space { out.append(" ") }
        space = false
        out.append(c)
      }
    }
    return out.count > limit ? String(out.prefix(limit - 3)) + "..." : out
  }
}
