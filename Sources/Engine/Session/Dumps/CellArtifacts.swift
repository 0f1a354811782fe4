/// What one cell produced at each stage, kept so it can be shown afterwards (`-d`, `%dump`). Filled
/// in as the cell gets through the pipeline, so a cell that failed still shows the stages it reached.
public final class CellArtifacts: @unchecked Sendable {
  public let file: SourceFile
  /// The typed AST: Sema annotates `Expr.type` in place.
  public let program: Program
  /// Maps the cell uses, as typed when it was compiled.
  public internal(set) var maps: [MapDefinition] = []
  /// Map names of the `MapRef`s in the generated code, taken at compile time.
  public internal(set) var mapNames: [MapRef: String] = [:]
  /// Every program in load order (probe blocks, then the immediate statements).
  public internal(set) var programs: [ProgramArtifacts] = []

  init(file: SourceFile, program: Program) {
    self.file = file
    self.program = program
  }

  /// Records the compile result (before anything is loaded).
  func compiled(_ result: CompileResult, resources: CompileResources) {
    maps = MapNames.referenced(in: program).compactMap { resources.maps[$0] }
    programs = (result.programs + (result.immediate.map { [$0] } ?? [])).map(ProgramArtifacts.init)
    for p in programs {
      for insn in p.compiled.instructions {
        switch insn {
        case .loadMap(_, let r), .loadMapValue(_, let r, _): mapNames[r] = resources.name(of: r)
        default: break
        }
      }
    }
  }

  /// The entry for a compiled program (matched by its code and name: programs are values).
  func entry(for p: CompiledProgram) -> ProgramArtifacts? {
    programs.first {
      $0.compiled.name == p.name && $0.compiled.probeIndex == p.probeIndex && $0.compiled.instructions == p.instructions
        && $0.loaded == nil && $0.rejection == nil
    }
  }

  /// The programs of one probe block (its index in `program.probes`), or all of them.
  public func programs(probeIndex: Int?) -> [ProgramArtifacts] {
    guard let probeIndex else { return programs }
    return programs.filter { $0.compiled.probeIndex == probeIndex }
  }
}

/// One program of a cell: our code, and what the kernel made of it.
public final class ProgramArtifacts: @unchecked Sendable {
  public let compiled: CompiledProgram
  /// Set once it is loaded (verified).
  public internal(set) var loaded: BPFProgram?
  public internal(set) var type: BPFProgram.ProgramType?
  /// The verifier log of the loaded program, once a dump asked for it (loads run without one).
  public internal(set) var verifierLog: String?
  /// The verifier's log of a rejection (level 1: what the session took to explain the error).
  public internal(set) var rejection: String?

  init(_ compiled: CompiledProgram) { self.compiled = compiled }

  /// "sys_exit_read: tracepoint:syscalls:sys_exit_read": kernel name and what it attaches to.
  public var title: String {
    if compiled.probeIndex < 0 { return "\(compiled.name): top-level statements" }
    let names = compiled.targets.map(\.name)
    var t = "\(compiled.name): \(names.first ?? "?")"
    if names.count > 1 { t += " and \(names.count - 1) more" }
    return t
  }
}
