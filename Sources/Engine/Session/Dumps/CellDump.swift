/// Renders a cell's stages (`-d STAGE`, `%dump STAGE [ID]`).
extension TraceSession {
  /// One stage of a cell, or of one of its probe blocks (`probeIndex` into `program.probes`).
  /// Empty for a stage the cell did not reach (no code after a type error).
  public func dump(_ stage: DumpStage, of cell: CellArtifacts, probeIndex: Int? = nil) -> String {
    let programs = cell.programs(probeIndex: probeIndex)
    switch stage {
    case .ast: return TreeDumps.ast(cell, probeIndex: probeIndex)
    case .types: return TreeDumps.types(cell, probeIndex: probeIndex)
    case .bpf: return BPFListing.text(programs, in: cell)
    case .verifier: return programs.map { verifierSection($0) }.joined(separator: "\n")
    case .jit: return programs.map { jitSection($0) }.joined(separator: "\n")
    }
  }

  /// The `bpf` stage as an HTML table: each statement's source beside its instructions.
  public func dumpHTML(of cell: CellArtifacts, probeIndex: Int? = nil) -> String {
    BPFListing.html(cell.programs(probeIndex: probeIndex), in: cell)
  }

  private func verifierSection(_ p: ProgramArtifacts) -> String {
    let header = p.title + "\n"
    if let log = p.rejection { return header + "(rejected by the verifier)\n" + terminated(log) }
    if let log = p.verifierLog { return header + terminated(log) }
    guard p.loaded != nil else { return header + "(not loaded: the cell failed before this program)\n" }
    do {
      let log = try reverify(p)
      p.verifierLog = log
      return header + terminated(log)
    } catch {
      return header + "(cannot load it again for its log: \(error))\n"
    }
  }

  /// Loads the program once more with the log on (the session loads without one, which is faster)
  /// and closes it again. Map fds are the current ones, as in the original load.
  private func reverify(_ p: ProgramArtifacts) throws -> String {
    let words = try Encoder.encode(p.compiled.instructions) { [unowned self] ref in self.fd(for: ref) }
    var options = BPFProgram.Options(verifierLog: .always(level: DumpStage.verifierLogLevel))
    options.subprogramStarts = Encoder.subprogramStarts(p.compiled.instructions)
    let prog = try BPFProgram(
      instructions: words, type: p.type ?? .rawTracepoint, name: p.compiled.name, options: options)
    return prog.verifierLog ?? ""
  }

  private func jitSection(_ p: ProgramArtifacts) -> String {
    guard let prog = p.loaded else { return p.title + "\n(not loaded)\n" }
    guard let info = try? prog.info(), let xlated = try? prog.xlatedInstructions() else {
      return p.title + "\n(cannot read the loaded program)\n"
    }
    let names = mapNamesByID()
    var out = "\(p.title) (id \(info.id), xlated \(xlated.count) insns, jited \(info.jitedLength) bytes)\n"
    out += "xlated:\n" + XlatedListing.text(xlated) { names[$0] }
    out += "jited:\n" + JITDump.text(prog)
    return out
  }

  /// Names of the session's maps by kernel id (the xlated program refers to maps by id).
  func mapNamesByID() -> [UInt32: String] {
    var names: [UInt32: String] = [:]
    let all =
      kernelMaps.map { ($0.key, $0.value) } + [
        (CompileResources.ringBufferName, ringBuffer), (CompileResources.lostCounterName, lostCounter),
        (CompileResources.globalsName, globals),
      ]
    for (name, map) in all { if let id = try? map.id() { names[id] = name } }
    return names
  }

  private func terminated(_ s: String) -> String { s.hasSuffix("\n") || s.isEmpty ? s : s + "\n" }
}
