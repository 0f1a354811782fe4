/// `%dump STAGE [ID]`: the stages of the last program cell, or of an attached probe block.
extension Session {
  static let dumpUsage = "%dump STAGE [PROBE_ID] (STAGE: \(DumpStage.names))"

  func dumpMagic(_ args: [String], cell: Int) -> CellOutcome {
    guard (1...2).contains(args.count), let stages = DumpStage.parseList(args[0]) else {
      return .error(
        name: "UsageError", message: "usage: \(Session.dumpUsage)", traceback: ["ERROR: usage: \(Session.dumpUsage)"])
    }
    let found: (cell: CellArtifacts, probeIndex: Int?)? = lock.locked {
      guard args.count == 2 else { return trace.lastCell.map { ($0, nil) } }
      let id = Int(args[1].hasPrefix("#") ? String(args[1].dropFirst()) : args[1])
      guard let probe = trace.probes.first(where: { $0.id == id }), let a = probe.artifacts else { return nil }
      return (a, probe.probeIndex)
    }
    guard let found else {
      let what = args.count == 2 ? "no such probe: \(args[1]) (%probes lists them)" : "no program has run yet"
      return .error(name: "DumpError", message: what, traceback: ["ERROR: \(what)"])
    }
    for stage in stages {
      let (text, html) = lock.locked {
        (
          trace.dump(stage, of: found.cell, probeIndex: found.probeIndex),
          stage == .bpf ? trace.dumpHTML(of: found.cell, probeIndex: found.probeIndex) : nil
        )
      }
      let body = text.isEmpty ? "(no programs: the cell stopped before code generation)\n" : text
      let titled = stages.count > 1 ? "=== \(stage.rawValue) ===\n" + body : body
      if let html, !text.isEmpty {
        // Front ends without HTML show the text/plain part.
        emit(cell, .display(["text/plain": titled, "text/html": html], displayID: nil, update: false))
      } else {
        emit(cell, .stdout(titled))
      }
    }
    return .ok
  }
}

/// Extra `%probes -v` columns: what each probe block's programs are in the kernel.
enum ProbeDetails {
  static let headers = ["PROGRAMS", "INSNS", "JITED", "MAPS"]

  /// Program ids, xlated instruction counts and JIT sizes (one per program, comma separated), and
  /// the maps the block uses.
  static func columns(_ p: AttachedProbe) -> [String] {
    let infos = p.programs.compactMap { try? $0.info() }
    let maps =
      p.artifacts.map { a in
        Array(
          Set(
            a.programs(probeIndex: p.probeIndex).flatMap {
              mapRefs($0.compiled.instructions).compactMap { a.mapNames[$0] }
            })
        )
        .filter { $0.hasPrefix("@") }.sorted()
      } ?? []
    return [
      infos.map { String($0.id) }.joined(separator: ","),
      infos.map { String($0.xlatedLength / 8) }.joined(separator: ","),
      infos.map { String($0.jitedLength) }.joined(separator: ","),
      maps.isEmpty ? "-" : maps.joined(separator: ","),
    ]
  }

  static func mapRefs(_ code: [Instruction]) -> [MapRef] {
    code.compactMap {
      switch $0 {
      case .loadMap(_, let r), .loadMapValue(_, let r, _): r
      default: nil
      }
    }
  }
}
