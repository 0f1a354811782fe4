import Glibc

/// `%` line magics and `%%` cell magics, the same in every front end.
extension Session {
  static let help = """
    bpfrepl cells are bpftrace programs. Probes stay attached after a cell returns; maps live on.
    Bare statements (print(@x), clear(@x), @x = 0, printf(...)) run once, immediately.

      %probes [-v]       attached probes: id, cell, probe, attach points, events, ns/event
                         (-v: program ids, instructions, JIT bytes, maps)
      %detach ID|all     detach probes (their END blocks run)
      %maps              maps of the session: name, key and value types, entries
      %reset             detach everything and forget all maps
      %%run DURATION     (first line of a cell) attach the cell's probes for DURATION (e.g. 5s,
                         500ms), then detach them and print the maps they used; interrupt ends early
      %watch @map [INT]  a live view of a map, redrawn every INT (default 1s); %unwatch [@map|all]
      %dump STAGE [ID]   the last program cell (or probe ID) at a stage: ast, types, bpf,
                         verifier, jit (the kernel's xlated and JIT code), all
      %list [PATTERN]    list probes, like bpftrace -l (e.g. %list t:syscalls:*open*)
      %save FILE.ipynb   save the session as a notebook (a record others can re-run)
      !COMMAND           run a shell command (e.g. the workload you are tracing)
      %help              this text

    """

  func lineMagic(_ line: String, cell: Int) -> CellOutcome {
    let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    let name = words.first ?? "%"
    let args = Array(words.dropFirst())
    switch name {
    case "%help", "%?":
      emit(cell, .stdout(Session.help))
    case "%probes":
      emit(cell, .stdout(lock.locked { probesTable(verbose: args.contains("-v")) }))
    case "%detach":
      return detach(args, cell: cell)
    case "%maps":
      emit(cell, .stdout(lock.locked { mapsTable() }))
    case "%reset":
      lock.locked {
        trace.detachAll()
        trace.removeAllMaps()
      }
      emit(cell, .stderr("Session reset: no probes attached, no maps.\n"))
    case "%watch":
      return watch(args, cell: cell)
    case "%unwatch":
      return unwatch(args, cell: cell)
    case "%dump":
      return dumpMagic(args, cell: cell)
    case "%list":
      emit(cell, .stdout(ProbeListing.list(pattern: args.first, verbose: args.contains("-v"))))
    case "%save":
      guard let path = args.first else { return usage("%save FILE.ipynb") }
      do {
        try Notebook(records: lock.locked { records }.filter { !$0.source.trimmed.hasPrefix("%save") }).write(to: path)
        emit(cell, .stderr("Saved \(path)\n"))
      } catch {
        return .error(name: "SaveError", message: "\(error)", traceback: ["ERROR: cannot write \(path): \(error)"])
      }
    default:
      return .error(
        name: "UnknownMagic", message: "unknown magic \(name)",
        traceback: ["ERROR: unknown magic \(name) (%help lists them)"])
    }
    return .ok
  }

  private func usage(_ text: String) -> CellOutcome {
    .error(name: "UsageError", message: "usage: \(text)", traceback: ["ERROR: usage: \(text)"])
  }

  private func detach(_ args: [String], cell: Int) -> CellOutcome {
    guard let what = args.first else { return usage("%detach ID|all") }
    let detached: [Int]? = lock.locked {
      if what == "all" {
        let ids = trace.probes.map(\.id)
        trace.detachAll()
        return ids
      }
      let ids = args.compactMap { Int($0.hasPrefix("#") ? String($0.dropFirst()) : $0) }
      let found = trace.probes.filter { ids.contains($0.id) }
      guard found.count == ids.count, !ids.isEmpty else { return nil }
      for p in found { trace.detach(p) }
      trace.consumeAvailable()
      return ids
    }
    guard let detached else {
      return .error(
        name: "DetachError", message: "no such probe: \(args.joined(separator: " "))",
        traceback: ["ERROR: no such probe: \(args.joined(separator: " ")) (%probes lists them)"])
    }
    emit(cell, .stderr("Detached \(detached.count) probe\(detached.count == 1 ? "" : "s")\n"))
    return .ok
  }

  func probesTable(verbose: Bool) -> String {
    var rows = [["ID", "CELL", "PROBE", "ATTACHED", "EVENTS", "NS/EVENT"] + (verbose ? ProbeDetails.headers : [])]
    for p in trace.probes {
      let (events, ns) = p.stats
      rows.append(
        [
          "#\(p.id)", String(p.cell), p.spec, String(p.attachments.count), String(events),
          events > 0 ? String(ns / events) : "-",
        ]
          + (verbose ? ProbeDetails.columns(p) : []))
    }
    if rows.count == 1 { return "No probes attached.\n" }
    return Table.render(rows)
  }

  func mapsTable() -> String {
    var rows = [["MAP", "KEY", "VALUE", "ENTRIES"]]
    for name in trace.resources.maps.names {
      guard let def = trace.resources.maps[name] else { continue }
      let entries = (try? trace.kernelMaps[name]?.keys().count ?? 0) ?? 0
      rows.append([name, def.keyType.map { "\($0)" } ?? "-", "\(def.valueType)", String(entries ?? 0)])
    }
    if rows.count == 1 { return "No maps.\n" }
    return Table.render(rows)
  }

  // MARK: Cell magics

  func cellMagic(_ code: String, cell: Int) -> CellOutcome {
    let firstLine = code.prefix { $0 != "\n" }
    let words = firstLine.split(separator: " ").map(String.init)
    let body = String(code.dropFirst(firstLine.count))
    switch words.first {
    case "%%run":
      guard words.count == 2, let ns = Session.parseDuration(words[1]) else {
        return usage("%%run DURATION (e.g. 5s, 500ms), then the program on the next lines")
      }
      return timedRun(body, nanoseconds: ns, cell: cell)
    default:
      return .error(
        name: "UnknownMagic", message: "unknown cell magic \(words.first ?? "")",
        traceback: ["ERROR: unknown cell magic \(words.first ?? "") (%help lists them)"])
    }
  }

  static func parseDuration(_ s: String) -> UInt64? {
    let digits = s.prefix { $0.isNumber }
    guard let n = UInt64(digits), n > 0 else { return nil }
    switch s.dropFirst(digits.count) {
    case "", "s": return n * 1_000_000_000
    case "ms": return n * 1_000_000
    case "us": return n * 1_000
    case "m", "min": return n * 60_000_000_000
    default: return nil
    }
  }

  /// `%%run`: attach, wait (interruptible), detach, print the maps the program used like bpftrace at exit.
  private func timedRun(_ text: String, nanoseconds: UInt64, cell: Int) -> CellOutcome {
    let before = lock.locked { Set(trace.probes.map(\.id)) }
    let outcome = runProgram(text, cell: cell, summary: false)
    guard outcome == .ok else { return outcome }
    var waited: UInt64 = 0
    var wasInterrupted = false
    while waited < nanoseconds, !trace.exitRequested {
      if isInterrupted {
        wasInterrupted = true
        break
      }
      let step = min(20_000_000, nanoseconds - waited)
      var ts = timespec(tv_sec: 0, tv_nsec: Int(step))
      nanosleep(&ts, nil)
      waited += step
    }
    let used = (try? ProgramParser.parse(SourceFile(name: "", text: text))).map(MapNames.referenced) ?? []
    let text: String = lock.locked {
      for p in trace.probes where !before.contains(p.id) { trace.detach(p) }
      trace.consumeAvailable()
      trace.exitRequested = false
      // As bpftrace prints maps at exit, without the blank lines that separate them from events.
      return String(TextFormatter.exitMaps(used.compactMap { trace.snapshot($0) }).drop { $0 == "\n" })
    }
    emit(cell, .stdout(text))
    return wasInterrupted ? .interrupted : .ok
  }
}

/// Plain text tables with aligned columns.
enum Table {
  static func render(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(widths[i] + 2) }.joined()
    }.joined(separator: "\n") + "\n"
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
