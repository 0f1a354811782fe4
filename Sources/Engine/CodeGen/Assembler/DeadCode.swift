/// Removes instructions no path reaches (code after `break`, `continue`, `return` or `exit()`):
/// the verifier rejects a program with unreachable instructions, where a C compiler would have
/// dropped them silently.
public enum DeadCode {
  public static func removed(from program: [Instruction]) -> [Instruction] {
    var labelIndex: [Label: Int] = [:]
    var entries: [Int] = program.isEmpty ? [] : [0]
    for (i, insn) in program.enumerated() {
      switch insn {
      case .bind(let l): labelIndex[l] = i
      case .subprogram: entries.append(i)
      default: break
      }
    }
    var reachable = [Bool](repeating: false, count: program.count)
    var work = entries
    while let start = work.popLast() {
      var i = start
      while i < program.count, !reachable[i] {
        reachable[i] = true
        let insn = program[i]
        switch insn {
        case .jump(let l):
          if let t = labelIndex[l] { work.append(t) }
          i = program.count
        case .jumpIf(_, _, _, let l), .jumpIf32(_, _, _, let l):
          if let t = labelIndex[l] { work.append(t) }
          i += 1
        case .exit:
          i = program.count
        default:
          i += 1
        }
      }
    }
    // Labels stay (a removed jump may have been their only user); they encode to nothing.
    return program.enumerated().compactMap { i, insn in
      if reachable[i] { return insn }
      if case .bind = insn { return insn }
      return nil
    }
  }
}
