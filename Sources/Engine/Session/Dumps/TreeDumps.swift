/// The `ast` and `types` stages: the parsed tree, and the same tree with resolved types.
enum TreeDumps {
  static func ast(_ cell: CellArtifacts, probeIndex: Int?) -> String {
    ASTPrinter.print(scope(cell.program, probeIndex))
  }

  /// Each expression followed by ` :: type`, then the maps in the form `%maps` and errors use.
  static func types(_ cell: CellArtifacts, probeIndex: Int?) -> String {
    let program = scope(cell.program, probeIndex)
    var out = ASTPrinter.print(program) { e in e.type == .none ? nil : " :: \(e.type)" }
    let used = Set(MapNames.referenced(in: program))
    let maps = cell.maps.filter { used.contains($0.name) }
    if !maps.isEmpty {
      out += "Maps\n"
      for m in maps { out += " \(m.signature)\n" }
    }
    return out
  }

  /// The whole program, or a program holding only one of its probe blocks.
  static func scope(_ program: Program, _ probeIndex: Int?) -> Program {
    guard let i = probeIndex, program.probes.indices.contains(i) else { return program }
    let one = Program()
    one.probes = [program.probes[i]]
    return one
  }
}
