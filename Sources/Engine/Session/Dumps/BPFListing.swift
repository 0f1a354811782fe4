/// The `bpf` stage: our instructions for a program, in `bpftool prog dump xlated` syntax (with
/// labels instead of pc offsets), cut into segments by the statement whose code follows.
struct ListingSegment: Equatable {
  /// `text  (file:line)` label of the statement, nil for code before the first one (prologue).
  var source: String?
  /// Instruction lines: `  12: r1 = r6` or `L3:`.
  var lines: [String]
}

enum BPFListing {
  static func segments(_ p: ProgramArtifacts, in cell: CellArtifacts, labels: [SourceRange: String]) -> [ListingSegment]
  {
    var segments: [ListingSegment] = []
    var pc = 0
    let mapName = { (r: MapRef) in cell.mapNames[r] ?? "map\(r.id)" }
    for insn in p.compiled.instructions {
      switch insn {
      case .source(let range):
        let line = cell.file.position(of: range.start).line
        let label = labels[range] ?? SourceLabels.oneLine(cell.file.text(of: range))
        // Several statements can start at the same pc (an empty one, a block's first statement).
        if let last = segments.last, last.lines.isEmpty { segments.removeLast() }
        segments.append(ListingSegment(source: "\(label)  (\(cell.file.name):\(line))", lines: []))
      case .bind(let l):
        append("L\(l.id):")
      case .comment(let c):
        append("; \(c)")
      default:
        let n = String(pc)
        append(
          String(repeating: " ", count: max(0, 4 - n.count)) + n + ": " + Disassembler.describe(insn, mapName: mapName))
      }
      pc += insn.slotCount
    }
    func append(_ line: String) {
      if segments.isEmpty { segments.append(ListingSegment(source: nil, lines: [])) }
      segments[segments.count - 1].lines.append(line)
    }
    return segments
  }

  /// Slots the program takes when encoded (what the kernel counts as instructions).
  static func instructionCount(_ p: ProgramArtifacts) -> Int {
    p.compiled.instructions.reduce(0) { $0 + $1.slotCount }
  }

  static func header(_ p: ProgramArtifacts) -> String {
    let n = instructionCount(p)
    return "\(p.title) (\(n) insn\(n == 1 ? "" : "s"))"
  }

  static func text(_ programs: [ProgramArtifacts], in cell: CellArtifacts) -> String {
    let labels = SourceLabels.build(cell.program, cell.file)
    return programs.map { p in
      var out = header(p) + "\n"
      for s in segments(p, in: cell, labels: labels) {
        if let src = s.source { out += "; \(src)\n" }
        for l in s.lines { out += l + "\n" }
      }
      return out
    }.joined(separator: "\n")
  }

  /// For Jupyter: per program a table, the source of each statement beside its instructions.
  static func html(_ programs: [ProgramArtifacts], in cell: CellArtifacts) -> String {
    let labels = SourceLabels.build(cell.program, cell.file)
    var out = "<div class=\"bpfrepl-dump-bpf\">\n"
    for p in programs {
      out += "<table style=\"border-collapse: collapse; margin-bottom: 1em\">\n"
      out +=
        "<caption style=\"text-align: left; font-family: monospace; font-weight: bold\">\(escape(header(p)))</caption>\n"
      for s in segments(p, in: cell, labels: labels) {
        let src = s.source.map(escape) ?? "<i>prologue</i>"
        out += "<tr style=\"border-top: 1px solid #ccc; vertical-align: top\">"
        out += "<td style=\"text-align: left; font-family: monospace; padding-right: 2em\">\(src)</td>"
        out +=
          "<td style=\"text-align: left\"><pre style=\"margin: 0\">\(escape(s.lines.joined(separator: "\n")))</pre></td></tr>\n"
      }
      out += "</table>\n"
    }
    return out + "</div>\n"
  }

  static func escape(_ s: String) -> String { RichFormatter.escape(s) }
}
