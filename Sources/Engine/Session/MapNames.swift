/// The maps a program mentions, in order of first mention (for `%%run` to print what its cell used).
enum MapNames {
  static func referenced(in program: Program) -> [String] {
    var names: [String] = []
    func expr(_ e: Expr) {
      if case .map(let n, _) = e.kind, !names.contains(n) { names.append(n) }
      ExprChildren.forEach(e, expr)
    }
    func stmt(_ s: Statement) { StatementChildren.forEach(s, expr: expr, statement: stmt) }
    for p in program.probes {
      if let pr = p.predicate { expr(pr) }
      p.body.statements.forEach(stmt)
    }
    program.topLevelStatements.forEach(stmt)
    return names
  }
}
