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
  /// Process group of the running `!` command (0: none); shutdown kills it.
  private var commandGroup: pid_t = 0
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
      case .stdoutBytes(let cell, let bytes): self.emit(cell, .stdout(String(decoding: bytes, as: UTF8.self)))
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
    while running {
      // The ring buffer is mapped with the first cell; until then poll() only times out (a
      // negative fd is ignored).
      let fd = lock.locked { trace.eventFD }
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
    lock.locked {
      if commandGroup > 0 { kill(-commandGroup, SIGKILL) }
      trace.detachAll()
    }
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
    for line in lines {
      for c in line.utf8 { if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 } }
    }
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
      if !r.warnings.isEmpty {
        emit(cell, .stderr(DiagnosticRenderer(colorize: colorize).render(r.warnings, in: file)))
      }
      // Deliver what BEGIN and immediate statements printed before the cell returns.
      lock.locked { trace.consumeAvailable() }
      let attached = r.attached.filter { !$0.attachments.isEmpty }
      if summary, !attached.isEmpty {
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let ms = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
        let n = attached.reduce(0) { $0 + $1.attachments.count }
        let ids = attached.map { "#\($0.id)" }.joined(separator: ", ")
        emit(
          cell,
          .stderr(
            "Attached \(n) probe\(n == 1 ? "" : "s") in \(formatMilliseconds(ms)) (\(ids)); they stay attached: %probes lists them, %detach removes them\n"
          ))
      }
      return .ok
    }
  }

  func failure(_ error: Error) -> CellOutcome {
    switch error {
    case TraceSession.CellError.diagnostics(let list, let file):
      let text = DiagnosticRenderer(colorize: colorize).render(list.diagnostics, in: file)
      let first = list.diagnostics.first?.message ?? "error"
      return .error(
        name: "CompileError", message: first,
        traceback: text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
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

  /// `!COMMAND`: runs through /bin/sh, its stdout and stderr shown in the cell (how a record drives
  /// its workload). stdin is /dev/null; the command runs in its own process group with default
  /// signal handling, so an interrupt (SIGINT to the group, SIGKILL if it lingers) ends it.
  func shell(_ command: String, cell: Int) -> CellOutcome {
    func fail(_ what: String) -> CellOutcome {
      let message = "cannot run \(command): \(what): \(String(cString: strerror(errno)))"
      return .error(name: "ShellError", message: message, traceback: ["ERROR: \(message)"])
    }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return fail("pipe") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    // The kernel ignores SIGINT and SIGPIPE and may block signals; the command must not inherit that.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for s in [SIGINT, SIGPIPE, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setpgroup(&attr, 0)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    // `exec 2>&1` first, so the command's own redirections (`>&2`) still reach the cell.
    let argv = ["/bin/sh", "-c", "exec 2>&1\n" + command]
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for a in cArgs { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, &cArgs, environ)
    close(fds[1])
    guard rc == 0 else {
      close(fds[0])
      errno = rc
      return fail("posix_spawn")
    }
    lock.locked { commandGroup = pid }
    var buf = [UInt8](repeating: 0, count: 4096)
    var interruptedAt: timespec? = nil
    var killed = false
    while true {
      if interruptedAt == nil, isInterrupted {
        kill(-pid, SIGINT)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        interruptedAt = now
      } else if let t = interruptedAt, !killed {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if now.tv_sec - t.tv_sec >= 2 {
          kill(-pid, SIGKILL)
          killed = true
        }
      }
      var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
      let ready = Glibc.poll(&p, 1, 50)
      if ready < 0 && errno == EINTR { continue }
      if ready <= 0 { continue }
      let n = read(fds[0], &buf, buf.count)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      emit(cell, .stdout(String(decoding: buf[0..<n], as: UTF8.self)))
    }
    close(fds[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    lock.locked { commandGroup = 0 }
    // Let the probes' events for this workload reach the cell before it returns.
    lock.locked { trace.consumeAvailable() }
    if interruptedAt != nil { return .interrupted }
    let signaled = (status & 0x7f) != 0
    if signaled {
      emit(cell, .stderr("! \(command): killed by signal \(status & 0x7f)\n"))
    } else if status != 0 {
      emit(cell, .stderr("! \(command): exit status \((status >> 8) & 0xff)\n"))
    }
    return .ok
  }
}
