import Glibc

/// An investigation: cells run one after another on one `TraceSession`, probes and maps stay alive
/// between them, and event output keeps flowing to the cell that attached the probe. The terminal
/// REPL and the Jupyter kernel are thin front ends on this class.
public final class Session: @unchecked Sendable {
  let trace: TraceSession
  let lock = Lock()
  /// Where output goes: (cell, chunk). Called on the cell's thread while it runs, and on the
  /// event pump's thread for later probe output.
  public var sink: @Sendable (Int, SessionChunk) -> Void
  public var colorize: Bool
  /// Maps printed as rich displays (HTML tables, SVG charts and flame graphs) for notebooks.
  public var richOutput = false
  var watches: [Watch] = []
  var nextWatchID = 1
  public private(set) var records: [CellRecord] = []
  private var recordIndex: [Int: Int] = [:]
  private var interrupted = false
  private var running = true
  /// Cap on output kept per cell in the record (the live stream is not capped).
  static let recordLimit = 2_000

  public init(colorize: Bool = false, sink: @escaping @Sendable (Int, SessionChunk) -> Void = { _, _ in }) throws {
    self.sink = sink
    self.colorize = colorize
    var forward: ((SessionOutput) -> Void)? = nil
    trace = try TraceSession { out in forward?(out) }
    forward = { [unowned self] out in
      switch out {
      case .stdout(let cell, let text): self.emit(cell, .stdout(text))
      case .stderr(let cell, let text): self.emit(cell, .stderr(text))
      case .map(let cell, let snapshot, let top, let div): self.emitMap(cell, snapshot, top: top, div: div)
      }
    }
    trace.output = forward!
    startThread { [weak self] in self?.pumpEvents() }
  }

  deinit { running = false }

  /// Waits for ring-buffer records outside the lock, handles them inside it; refreshes `%watch`
  /// views when they are due.
  private func pumpEvents() {
    let fd = trace.eventFD
    while running {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let timeout = lock.locked { watchTimeoutMs() }
      let n = Glibc.poll(&p, 1, timeout)
      if !running { return }
      if n > 0 { lock.locked { trace.consumeAvailable() } }
      refreshWatches()
    }
  }

  func emitMap(_ cell: Int, _ s: MapSnapshot, top: Int, div: Int, displayID: String? = nil, update: Bool = false) {
    let d = UInt64(max(0, div))
    if richOutput {
      emit(cell, .display(RichFormatter.bundle(s, top: top, div: d), displayID: displayID, update: update))
    } else {
      emit(cell, .stdout(TextFormatter.map(s, top: top, div: d)))
    }
  }

  func emit(_ cell: Int, _ chunk: SessionChunk) {
    if let i = recordIndex[cell], records[i].outputs.count < Session.recordLimit {
      records[i].outputs.append(chunk)
    }
    sink(cell, chunk)
  }

  // MARK: Cells

  /// Runs one cell. Lines starting with `%` are magics, `!` shell commands; the other lines, in
  /// order, form bpftrace programs. Cell-time output goes through `sink` before this returns.
  public func execute(_ code: String, cell: Int) -> CellOutcome {
    lock.locked {
      interrupted = false
      recordIndex[cell] = records.count
      records.append(CellRecord(cell: cell, source: code, outputs: [], outcome: .ok))
    }
    let outcome = runSegments(code, cell: cell)
    lock.locked {
      if let i = recordIndex[cell] { records[i].outcome = outcome }
    }
    return outcome
  }

  /// Stops a running `%%run` or shell command; the cell returns `.interrupted`.
  public func interrupt() { lock.locked { interrupted = true } }
  var isInterrupted: Bool { lock.locked { interrupted } }

  /// Detaches everything (END probes run, their output is delivered) and stops the pump.
  public func shutdown() {
    lock.locked { trace.detachAll() }
    running = false
  }

  private func runSegments(_ code: String, cell: Int) -> CellOutcome {
    let trimmed = code.trimmed
    if trimmed.hasPrefix("%%") { return cellMagic(trimmed, cell: cell) }
    var program: [Substring] = []
    var programStart = 0
    let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
    func flush() -> CellOutcome {
      defer { program.removeAll() }
      let text = program.joined(separator: "\n")
      if text.trimmed.isEmpty { return .ok }
      // Keep line numbers of diagnostics true to the cell: pad with the lines before.
      let padded = String(repeating: "\n", count: programStart) + text
      return runProgram(padded, cell: cell)
    }
    for (n, line) in lines.enumerated() {
      let l = line.trimmed
      let isCommand = (l.hasPrefix("%") || l.hasPrefix("!")) && openBrackets(program) == 0
      if isCommand {
        let r = flush()
        if r != .ok { return r }
        let r2 = l.hasPrefix("!") ? shell(String(l.dropFirst()), cell: cell) : lineMagic(l, cell: cell)
        if r2 != .ok { return r2 }
      } else {
        if program.isEmpty { programStart = n }
        program.append(line)
      }
    }
    return flush()
  }

  private func openBrackets(_ lines: [Substring]) -> Int {
    var depth = 0
    for line in lines { for c in line.utf8 { if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 } } }
    return depth
  }

  func fileName(_ cell: Int) -> String { cell > 0 ? "cell[\(cell)]" : "stdin" }

  /// Compiles, loads and attaches one program; BEGIN and bare statements run now.
  func runProgram(_ text: String, cell: Int, summary: Bool = true) -> CellOutcome {
    let file = SourceFile(name: fileName(cell), text: text)
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let result: Result<TraceSession.CellResult, Error> = lock.locked {
      Result { try trace.run(file, cell: cell) }
    }
    switch result {
    case .failure(let error):
      return failure(error)
    case .success(let r):
      // Deliver what BEGIN and immediate statements printed before the cell returns.
      lock.locked { trace.consumeAvailable() }
      let attached = r.attached.filter { !$0.attachments.isEmpty }
      if summary, !attached.isEmpty {
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let ms = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
        let n = attached.reduce(0) { $0 + $1.attachments.count }
        let ids = attached.map { "#\($0.id)" }.joined(separator: ", ")
        emit(cell, .stderr("Attached \(n) probe\(n == 1 ? "" : "s") in \(formatMilliseconds(ms)) (\(ids)); they stay attached: %probes lists them, %detach removes them\n"))
      }
      return .ok
    }
  }

  func failure(_ error: Error) -> CellOutcome {
    switch error {
    case TraceSession.CellError.diagnostics(let list, let file):
      let text = DiagnosticRenderer(colorize: colorize).render(list.diagnostics, in: file)
      let first = list.diagnostics.first?.message ?? "error"
      return .error(name: "CompileError", message: first, traceback: text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
    case TraceSession.CellError.load(let message):
      return .error(name: "LoadError", message: message, traceback: message.split(separator: "\n").map(String.init))
    default:
      return .error(name: "Error", message: "\(error)", traceback: ["ERROR: \(error)"])
    }
  }

  func formatMilliseconds(_ ms: Double) -> String {
    ms < 10 ? "\(Double(Int(ms * 10)) / 10) ms" : "\(Int(ms.rounded())) ms"
  }

  // MARK: Shell commands

  /// `!COMMAND`: runs through /bin/sh, output shown in the cell (how a record drives its workload).
  func shell(_ command: String, cell: Int) -> CellOutcome {
    guard let pipe = popen(command + " 2>&1", "r") else { return .error(name: "ShellError", message: "cannot run \(command)", traceback: []) }
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = fread(&buf, 1, buf.count, pipe)
      if n <= 0 { break }
      emit(cell, .stdout(String(decoding: buf[0..<n], as: UTF8.self)))
    }
    let status = pclose(pipe)
    // Let the probes' events for this workload reach the cell before it returns.
    lock.locked { trace.consumeAvailable() }
    if status != 0 {
      emit(cell, .stderr("! \(command): exit status \((status >> 8) & 0xff)\n"))
    }
    return .ok
  }
}
