/// "Unreachable statement." warnings: a statement after one that always leaves the block
/// (`exit()`, `return`, `break`, `continue`, or an if/else whose branches all do), as bpftrace
/// warns. The statements still compile; the code generator drops what no path reaches.
enum UnreachableStatements {
  static func warnings(in program: Program) -> [Diagnostic] {
    var out: [Diagnostic] = []
    for probe in program.probes { check(probe.body, into: &out) }
    for function in program.functions { check(function.body, into: &out) }
    return out
  }

  private static func check(_ block: Block, into out: inout [Diagnostic]) {
    for (i, statement) in block.statements.enumerated() {
      for inner in nestedBlocks(statement) { check(inner, into: &out) }
      if leaves(statement), i + 1 < block.statements.count {
        out.append(Diagnostic(.warning, "Unreachable statement.", at: block.statements[i + 1].range))
        return
      }
    }
  }

  /// True when control never reaches the statement after this one.
  private static func leaves(_ s: Statement) -> Bool {
    switch s.kind {
    case .breakLoop, .continueLoop, .returnValue: return true
    case .expression(let e):
      if case .call("exit", _) = e.kind { return true }
      return false
    case .ifElse(_, let then, let otherwise?):
      return leaves(then) && leaves(otherwise)
    case .block(let b):
      return leaves(b)
    default:
      return false
    }
  }

  private static func leaves(_ b: Block) -> Bool { b.statements.contains(where: leaves) }

  private static func nestedBlocks(_ s: Statement) -> [Block] {
    switch s.kind {
    case .ifElse(_, let then, let otherwise): return [then] + (otherwise.map { [$0] } ?? [])
    case .whileLoop(_, let body), .unroll(_, let body), .forMap(_, _, let body), .forRange(_, _, _, let body):
      return [body]
    case .block(let b): return [b]
    default: return []
    }
  }
}
