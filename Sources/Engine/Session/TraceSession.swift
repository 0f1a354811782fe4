import Glibc

/// What the engine says while programs run: event output belongs to the cell whose probe sent it.
public enum SessionOutput: Sendable {
  case stdout(cell: Int, text: String)
  case stderr(cell: Int, text: String)
  /// print(@map, top, div): the front end chooses text, JSON or a rich view.
  case map(cell: Int, snapshot: MapSnapshot, top: Int, div: Int)
}

/// A probe block attached by a cell: its programs and attachments stay alive until detached.
public final class AttachedProbe: @unchecked Sendable {
  public let id: Int
  public let cell: Int
  public let spec: String
  public let targets: [ProbeTarget]
  let programs: [BPFProgram]
  var attachments: [BPFAttachment]
  /// END programs of this probe block run when it is detached.
  let endPrograms: [BPFProgram]
  /// Gates of its programs: closed first on detach, so it stops at once.
  var gateIDs: [UInt32] = []
  /// For `%dump STAGE ID`: the cell's stages, and this block's index in its program.
  public internal(set) var artifacts: CellArtifacts?
  public internal(set) var probeIndex = -1

  init(
    id: Int, cell: Int, spec: String, targets: [ProbeTarget], programs: [BPFProgram], attachments: [BPFAttachment],
    endPrograms: [BPFProgram]
  ) {
    self.id = id
    self.cell = cell
    self.spec = spec
    self.targets = targets
    self.programs = programs
    self.attachments = attachments
    self.endPrograms = endPrograms
  }

  public var programIDs: [UInt32] { programs.compactMap { try? $0.info().id } }

  /// Events seen and total run time, from bpf stats.
  public var stats: (events: UInt64, nanoseconds: UInt64) {
    programs.reduce((0, 0)) { acc, p in
      guard let info = try? p.info() else { return acc }
      return (acc.0 + info.runCount, acc.1 + info.runTimeNs)
    }
  }
}

/// The engine behind every front end: compiles cells, keeps maps and probes alive between them,
/// and turns ring-buffer records into output.
public final class TraceSession: @unchecked Sendable {
  public let resources = CompileResources()
  public let registry = ProviderRegistry()
  public var output: (SessionOutput) -> Void
  public private(set) var probes: [AttachedProbe] = []
  public var exitRequested = false
  /// exit(code): the status a one-shot run ends with.
  public internal(set) var exitCode: Int32 = 0
  public var verbose = false
  /// `-f json`: every event, map and notice as one JSON line, as bpftrace prints them.
  public var json = false
  var kernelMaps: [String: BPFMap] = [:]
  let ringBuffer: BPFMap
  let lostCounter: BPFMap
  let globals: BPFMap
  /// Created when a program first uses kstack/ustack: 16 MB that most sessions never need.
  lazy var stacks: BPFMap? = try? BPFMap(
    kind: .stackTrace, name: "stacks", keySize: 4, valueSize: CompileResources.stackDepth * 8, maxEntries: 16384)
  let gates: BPFMap
  let symbolizer = Symbolizer()
  /// Maps the ring buffer (16 MiB, mapped twice by the kernel so records can wrap: 32 MB of
  /// RSS), so it is created with the first program, not when an idle session starts.
  private var readerStorage: RingBufferReader?
  private var reader: RingBufferReader? {
    if readerStorage == nil {
      readerStorage = try? RingBufferReader(map: ringBuffer) { [unowned self] record in self.handle(record) }
    }
    return readerStorage
  }
  private var nextProbeID = 1
  private var reportedLost: UInt64 = 0
  lazy var decoder = ValueDecoder(
    probeNames: { [resources] id in resources.probeNames.name(id) },
    stacks: { [unowned self] id, pid, user in self.stackTrace(id: id, pid: pid, user: user) },
    symbols: { [unowned self] kind, bytes in self.symbolValue(kind, bytes) })

  /// Reads and symbolizes a stack the programs stored; a negative id is a failed walk.
  func stackTrace(id: Int64, pid: Int32, user: Bool) -> StackTrace {
    guard id >= 0, let raw = try? stacks?.lookup(key: withUnsafeBytes(of: UInt32(id).littleEndian, Array.init)) else {
      return StackTrace(frames: [])
    }
    var frames: [StackFrame] = []
    for i in 0..<(raw.count / 8) {
      let address = raw.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) }
      if address == 0 { break }
      let name = user ? symbolizer.userSymbol(address, pid: pid) : symbolizer.kernelSymbol(address)
      frames.append(StackFrame(address: address, symbols: [name]))
    }
    return StackTrace(frames: frames)
  }

  // Dumps (Session/Dumps/): what the last cell produced at each stage, and how to load.
  public internal(set) var lastCell: CellArtifacts?
  /// Each cell's text, by cell number: errorf()/warnf() print the source location of their call.
  private var sourceFiles: [Int: SourceFile] = [:]
  /// `--dry-run`: compile and load (the verifier runs) but attach and run nothing.
  public var dryRun = false

  public init(output: @escaping (SessionOutput) -> Void) throws {
    self.output = output
    resources.types = BTFTypeLibrary()
    // Per-probe event counts and ns/event (%probes); harmless if it cannot be enabled.
    _ = try? BPFStats.enable()
    // 16 MiB: a reader starved of CPU for a moment must not turn a burst into lost events.
    ringBuffer = try BPFMap(kind: .ringbuf, name: "events", keySize: 0, valueSize: 0, maxEntries: 1 << 24)
    lostCounter = try BPFMap(kind: .array, name: "lost", keySize: 4, valueSize: 16, maxEntries: 1)
    globals = try BPFMap(kind: .array, name: "globals", keySize: 4, valueSize: GlobalsLayout.size, maxEntries: 1)
    gates = try BPFMap(
      kind: .array, name: "gates", keySize: 4, valueSize: 4 * CompileResources.gateCount, maxEntries: 1)
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let start = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    try setGlobal(at: GlobalsLayout.startNanoseconds, start)
  }

  deinit { readerStorage = nil }

  // MARK: Running a cell

  public struct CellResult: Sendable {
    public var attached: [AttachedProbe]
    /// Attach targets, counted like bpftrace's "Attached N probes".
    public var attachPointCount: Int
    public var warnings: [Diagnostic]
    /// BEGIN programs not yet run (when `run` was asked not to run them).
    var pendingBegin: [BPFProgram]
    var pendingIterators: [BPFProgram]
    public var config: ProgramConfig
    /// Iterator probes run once; a one-shot run ends after them, as bpftrace's does.
    public var hasIterators: Bool { !pendingIterators.isEmpty }
    /// False when the cell has only BEGIN/END blocks: bpftrace then ends right after BEGIN.
    public var hasAttachments: Bool { attached.contains { !$0.attachments.isEmpty } }
  }

  /// Runs the BEGIN programs a cell left pending (one-shot runs print "Attached N probes" first).
  public func runBeginPrograms(of result: CellResult) {
    for b in result.pendingBegin {
      do { _ = try b.runOnce() } catch { output(.stderr(cell: 0, text: "ERROR: \(error)\n")) }
    }
    for i in result.pendingIterators {
      do { try i.runIterator() } catch { output(.stderr(cell: 0, text: "ERROR: \(error)\n")) }
    }
  }

  /// Errors a cell can end in, each rendered by the front end.
  public enum CellError: Error {
    case diagnostics(DiagnosticList, SourceFile)
    case load(String)
  }

  /// Parses, compiles, loads and attaches a cell. All or nothing: on any error the session is
  /// exactly as it was (maps, probes, attachments).
  public func run(_ file: SourceFile, cell: Int = 0, positional: [String] = [], runBegin: Bool = true) throws
    -> CellResult
  {
    // Programs may send records from now on: the reader must be there to receive them.
    _ = reader
    let program: Program
    lastCell = nil  // a cell that does not parse has no stages to show
    do { program = try ProgramParser.parse(file) } catch let d as DiagnosticList {
      throw CellError.diagnostics(d, file)
    }
    let artifacts = CellArtifacts(file: file, program: program)
    lastCell = artifacts
    resources.events.currentCell = cell
    sourceFiles[cell] = file
    let compiled: CompileResult
    do {
      compiled = try Compiler.compile(
        program, resources: resources, resolver: registry, positionalParameters: positional)
    } catch let d as DiagnosticList {
      throw CellError.diagnostics(d, file)
    }
    artifacts.compiled(compiled, resources: resources)
    var createdMaps: [String] = []
    var loadedProbes: [AttachedProbe] = []
    var openedGates: [UInt32] = []
    do {
      for def in compiled.newMaps where kernelMaps[def.name] == nil {
        kernelMaps[def.name] = try BPFMap(
          kind: BPFMap.Kind.from(def.kernelKind),
          name: String(def.name.dropFirst()).isEmpty ? "at" : String(def.name.dropFirst()),
          keySize: def.keySize, valueSize: def.valueSize, maxEntries: def.kernelMaxEntries)
        createdMaps.append(def.name)
      }
      // Check every target's kernel support before loading anything.
      for p in compiled.programs {
        for t in p.targets {
          do {
            try registry.provider(for: t)?.requireKernelSupport()
          } catch let missing as MissingKernelFeature {
            let provider = registry.provider(for: t)
            let ap = program.probes[p.probeIndex].attachPoints.first {
              registry.provider(named: $0.provider) === provider
            }
            throw CellError.diagnostics(DiagnosticList([.error(missing.description, at: ap?.range)]), file)
          }
        }
      }
      var begin: [BPFProgram] = []
      var iterators: [BPFProgram] = []
      var byProbe:
        [Int: (
          programs: [BPFProgram], attachments: [BPFAttachment], ends: [BPFProgram], targets: [ProbeTarget],
          gates: [UInt32]
        )] =
          [:]
      for p in compiled.programs {
        let prog = try load(p, file: file)
        var entry = byProbe[p.probeIndex] ?? ([], [], [], [], [])
        entry.programs.append(prog)
        entry.targets += p.targets
        if let g = p.gate, !entry.gates.contains(g) {
          entry.gates.append(g)
          openedGates.append(g)
          try setGate(g, open: true)
        }
        if p.isBegin {
          begin.append(prog)
        } else if case .iterator? = p.targets.first?.spec {
          iterators.append(prog)
        } else if p.isEnd {
          entry.ends.append(prog)
        } else if !dryRun {
          for t in p.targets {
            if let a = try registry.provider(for: t)?.attach(prog, to: t, cookie: resources.probeNames.id(for: t.name))
            {
              entry.attachments.append(a)
            }
          }
        }
        byProbe[p.probeIndex] = entry
      }
      var immediate: BPFProgram? = nil
      if let imm = compiled.immediate { immediate = try load(imm, file: file) }
      for index in byProbe.keys.sorted() {
        let e = byProbe[index]!
        let spec = program.probes[index].attachPoints.map(\.raw).joined(separator: ",")
        let probe = AttachedProbe(
          id: nextProbeID, cell: cell, spec: spec, targets: e.targets, programs: e.programs, attachments: e.attachments,
          endPrograms: e.ends)
        probe.gateIDs = e.gates
        probe.artifacts = artifacts
        probe.probeIndex = index
        loadedProbes.append(probe)
        nextProbeID += 1
      }
      if dryRun {
        return CellResult(
          attached: [], attachPointCount: 0, warnings: compiled.warnings, pendingBegin: [], pendingIterators: [],
          config: compiled.config)
      }
      probes += loadedProbes.filter { !$0.attachments.isEmpty || !$0.endPrograms.isEmpty }
      if runBegin {
        for b in begin { _ = try b.runOnce() }
        for i in iterators { try i.runIterator() }
      }
      if let immediate { _ = try immediate.runOnce() }
      let count = compiled.programs.reduce(0) { $0 + $1.targets.count }
      return CellResult(
        attached: loadedProbes, attachPointCount: count, warnings: compiled.warnings,
        pendingBegin: runBegin ? [] : begin, pendingIterators: runBegin ? [] : iterators,
        config: compiled.config)
    } catch {
      for p in loadedProbes { quiet(p) }
      for g in openedGates { try? setGate(g, open: false) }
      for name in createdMaps { kernelMaps[name] = nil }
      for def in compiled.newMaps { resources.maps.remove(def.name) }
      if let e = error as? CellError { throw e }
      throw CellError.load("ERROR: \(error)")
    }
  }

  private func load(_ p: CompiledProgram, file: SourceFile) throws -> BPFProgram {
    let words: [UInt64]
    do {
      words = try Encoder.encode(p.instructions) { [unowned self] ref in self.fd(for: ref) }
    } catch {
      throw CellError.load("internal error while encoding \(p.name): \(error)")
    }
    let type: BPFProgram.ProgramType =
      switch p.kind {
      case .tracepoint: .tracepoint
      case .perfEvent: .perfEvent
      case .rawTracepoint: .rawTracepoint
      case .kprobe: .kprobe
      case .tracing: .tracing
      }
    var options = BPFProgram.Options()
    if case .iterator(let kind)? = p.targets.first?.spec {
      options.expectedAttachType = .traceIter
      options.attachBTFID = try? BTFTypes.vmlinux().functionID("bpf_iter_\(kind)")
    }
    let entry = lastCell?.entry(for: p)
    entry?.type = type
    do {
      let prog = try BPFProgram(instructions: words, type: type, name: p.name, options: options)
      entry?.loaded = prog
      return prog
    } catch let r as VerifierRejection {
      entry?.rejection = r.log
      // Point at the probe header: the whole block is one program.
      let header = SourceRange(
        p.range.start, file.bytes[p.range.start...].firstIndex(of: UInt8(ascii: "{")) ?? p.range.end)
      let notes = verbose ? [r.log] : r.logTail(lines: 3).map(String.init) + ["(run with -v for the full verifier log)"]
      let d = Diagnostic.error(
        "the BPF verifier rejected the program for \(p.targets.first?.name ?? p.name) (\(r.message))", at: header,
        notes: notes)
      throw CellError.diagnostics(DiagnosticList([d]), file)
    }
  }

  func fd(for ref: MapRef) -> Int32 {
    let name = resources.name(of: ref)
    switch name {
    case CompileResources.ringBufferName: return ringBuffer.fd
    case CompileResources.lostCounterName: return lostCounter.fd
    case CompileResources.globalsName: return globals.fd
    case CompileResources.stacksName: return stacks?.fd ?? -1
    case CompileResources.gatesName: return gates.fd
    default: return kernelMaps[name]?.fd ?? -1
    }
  }

  // MARK: Events

  /// Waits up to `timeoutMs` for events and handles them.
  public func poll(timeoutMs: Int32) {
    _ = try? reader?.poll(timeoutMs: timeoutMs)
    reportLostEvents()
  }

  /// The ring buffer's epoll fd; -1 until a cell has loaded programs.
  public var eventFD: Int32 { readerStorage?.epollFD ?? -1 }

  /// Handles whatever records are ready, without waiting.
  public func consumeAvailable() {
    _ = try? readerStorage?.consume()
    reportLostEvents()
  }

  private var reportedFullMaps: UInt64 = 0

  private func reportLostEvents() {
    guard let v = try? lostCounter.lookup(key: [0, 0, 0, 0]), v.count >= 16 else { return }
    let lost = v.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    let full = v.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
    if full > reportedFullMaps {
      // Like bpftrace's runtime warning: an update that did not fit is never silently dropped.
      output(
        .stderr(
          cell: 0,
          text:
            "WARNING: Map full; can't update element (\(full - reportedFullMaps) updates dropped). Raise max_map_keys in a config block or declare the map, e.g. let @a = hash(100000);\n"
        ))
      reportedFullMaps = full
    }
    if lost > reportedLost {
      let n = lost - reportedLost
      output(
        json ? .stdout(cell: 0, text: JSONFormatter.lostEvents(n)) : .stderr(cell: 0, text: TextFormatter.lostEvents(n))
      )
      reportedLost = lost
    }
  }

  private func handle(_ record: UnsafeRawBufferPointer) {
    guard record.count >= 8 else { return }
    let id = record.loadUnaligned(as: UInt64.self)
    guard let d = resources.events[id] else { return }
    let payload = UnsafeRawBufferPointer(rebasing: record[8...])
    let layout = d.payloadLayout
    func value(_ i: Int) -> OutputValue {
      let t = d.payloadTypes[i]
      let off = layout.offsets[i]
      guard off + t.size <= payload.count else { return .none }
      return decoder.decode(UnsafeRawBufferPointer(rebasing: payload[off..<(off + t.size)]), t)
    }
    switch d.kind {
    case .printf(let format, _, let severity):
      let text = printfFormat(format).format(d.payloadTypes.indices.map(value))
      let file = sourceFiles[d.cell]
      if severity.isEmpty {
        output(.stdout(cell: d.cell, text: json ? JSONFormatter.printf(text) : text))
      } else if json {
        let at = file?.position(of: d.range.start) ?? (line: 0, column: 0)
        let message = JSONFormatter.errorf(
          text, isError: severity == "ERROR", filename: file?.name ?? "stdin", line: UInt64(at.line),
          column: UInt64(at.column))
        output(.stdout(cell: d.cell, text: message))
      } else {
        // Upstream prefixes the call's location, as a diagnostic would: `stdin:1:9-62: ERROR: ...`.
        let location = file.map { DiagnosticRenderer.location(of: d.range, in: $0) + ": " } ?? ""
        output(.stderr(cell: d.cell, text: "\(location)\(severity): \(text)\n"))
      }
    case .printValue:
      output(.stdout(cell: d.cell, text: json ? JSONFormatter.value(value(0)) : TextFormatter.value(value(0))))
    case .printMap(let name, let top, let div):
      if let s = snapshot(name) { output(.map(cell: d.cell, snapshot: s, top: top, div: div)) }
    case .clearMap(let name), .zeroMap(let name):
      try? kernelMaps[name]?.clear()
    case .exit:
      exitCode = Int32(truncatingIfNeeded: UInt8(truncatingIfNeeded: decoder.integer(payload, size: 8)))
      exitRequested = true
    case .system, .cat:
      runAction(d, d.payloadTypes.indices.map(value))
    case .join(let delimiter):
      var parts: [String] = []
      for i in 0..<JoinLayout.count {
        let start = i * JoinLayout.slotSize
        guard start < payload.count else { break }
        let slot = payload[start..<min(payload.count, start + JoinLayout.slotSize)]
        let end = slot.firstIndex(of: 0) ?? slot.endIndex
        if end == slot.startIndex { break }
        parts.append(String(decoding: slot[slot.startIndex..<end], as: UTF8.self))
      }
      let text = parts.joined(separator: delimiter)
      output(.stdout(cell: d.cell, text: json ? JSONFormatter.join(text) : text + "\n"))
    case .time(let format):
      var now = time(nil)
      var tm = tm()
      localtime_r(&now, &tm)
      var buf = [CChar](repeating: 0, count: 256)
      let n = strftime(&buf, buf.count, format, &tm)
      let text = String(cString: Array(buf[0..<n]) + [0])
      output(.stdout(cell: d.cell, text: json ? JSONFormatter.time(text) : text))
    }
  }

  private var printfCache: [String: PrintfFormat] = [:]
  func printfFormat(_ format: String) -> PrintfFormat {
    if let f = printfCache[format] { return f }
    let f = PrintfFormat(parsing: format)
    printfCache[format] = f
    return f
  }

  // MARK: Maps

  /// A map's current contents, merged across CPUs.
  public func snapshot(_ name: String) -> MapSnapshot? {
    guard let def = resources.maps[name], let map = kernelMaps[name] else { return nil }
    return try? MapReader(decoder: decoder).snapshot(def, map)
  }

  /// `print(@m, top, div)`: what bpftrace prints for one map.
  public func formatMap(_ name: String, top: Int = 0, div: Int = 0) -> String {
    guard let s = snapshot(name) else { return "" }
    return json
      ? JSONFormatter.map(s, top: top, div: UInt64(max(0, div)))
      : TextFormatter.map(s, top: top, div: UInt64(max(0, div)))
  }

  /// Everything bpftrace prints after its main loop: two newlines, then every map by name.
  public func formatExit() -> String {
    let maps = resources.maps.names.compactMap { snapshot($0) }
    return json ? JSONFormatter.exitMaps(maps) : TextFormatter.exitMaps(maps)
  }

  // MARK: Detaching

  private var gateValues = [UInt8](repeating: 0, count: 4 * CompileResources.gateCount)

  func setGate(_ gate: UInt32, open: Bool) throws {
    gateValues[Int(gate) * 4] = open ? 1 : 0
    try gates.update(key: [0, 0, 0, 0], value: gateValues)
  }

  /// Stops a probe at once (its gates close), then lets the kernel release its links in the
  /// background: releasing a perf link costs tens of milliseconds each on some kernels.
  func quiet(_ probe: AttachedProbe) {
    for g in probe.gateIDs { try? setGate(g, open: false) }
    probe.attachments.forEach { $0.detachInBackground() }
    probe.attachments.removeAll()
  }

  /// Detaches a probe block, then runs its END programs.
  public func detach(_ probe: AttachedProbe) {
    quiet(probe)
    for e in probe.endPrograms { _ = try? e.runOnce() }
    probes.removeAll { $0 === probe }
  }

  /// Links still being released in the background.
  public var pendingDetaches: Int { BackgroundCloser.shared.pending }

  /// Forgets every map (detach probes first): the next cell starts with no maps at all.
  public func removeAllMaps() {
    for name in resources.maps.names { resources.maps.remove(name) }
    resources.maps.commit()
    kernelMaps.removeAll()
  }

  /// Detaches every probe (END programs run after all are detached) and drains the output.
  public func detachAll() {
    let all = probes
    for p in all { quiet(p) }
    for p in all { for e in p.endPrograms { _ = try? e.runOnce() } }
    probes.removeAll()
    _ = try? readerStorage?.consume()
    reportLostEvents()
  }
}

extension BPFMap.Kind {
  static func from(_ name: String) -> BPFMap.Kind {
    switch name {
    case "percpuHash": .percpuHash
    case "lruHash": .lruHash
    case "lruPercpuHash": .lruPercpuHash
    default: .hash
    }
  }
}
