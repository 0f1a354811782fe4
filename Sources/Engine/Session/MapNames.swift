/// The maps a program mentions, in order of first mention (for `%%run` to print what its cell used).
enum MapNames {
  static func referenced(in program: Program) -> [String] {
    var names: [String] = []
    ProgramWalk.expressions(program) { e in
      if case .map(let n, _) = e.kind, !names.contains(n) { names.append(n) }
    }
    return names
  }
}
