/// Removes instructions no path from the entry (or a subprogram's start) reaches. Constant-folded
/// conditions (`if (1 > 2)`) and code after `break`/`return`/`exit()` leave such code behind, and
/// the kernel verifier rejects a program containing it ("unreachable insn").
public enum UnreachableCode {
  public static func removed(from program: [Instruction]) -> [Instruction] {
    var labelIndex: [Label: Int] = [:]
    var work = program.isEmpty ? [] : [0]
    for (i, insn) in program.enumerated() {
      if case .bind(let label) = insn { labelIndex[label] = i }
      if case .subprogram = insn { work.append(i) }
    }
    var reachable = [Bool](repeating: false, count: program.count)
    while let i = work.popLast() {
      guard i < program.count, !reachable[i] else { continue }
      reachable[i] = true
      switch program[i] {
      case .jump(let label):
        if let t = labelIndex[label] { work.append(t) }
      case .jumpIf(_, _, _, let label), .jumpIf32(_, _, _, let label), .callLocal(let label):
        work.append(i + 1)
        if let t = labelIndex[label] { work.append(t) }
      case .exit:
        break
      default:
        work.append(i + 1)
      }
    }
    // Pseudo instructions stay: they encode to nothing, and labels may still be named by dead jumps.
    return program.indices.compactMap { i in
      reachable[i] || program[i].slotCount == 0 ? program[i] : nil
    }
  }
}
