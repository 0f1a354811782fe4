import Engine
import Glibc

/// Set by SIGINT/SIGTERM; the event loop checks it between polls.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// `bpfrepl -e PROG` / `bpfrepl FILE.bt`: bpftrace's command line behaviour on the shared engine.
struct OneShot {
  let source: SourceFile
  let positional: [String]
  let verbose: Bool
  let colorize: Bool
  let json: Bool
  var dumps = DumpRequest()
  /// `--unsafe`, `-c COMMAND`, `-p PID`.
  var unsafe = false
  var command: String? = nil
  var pid: Int32? = nil
  /// `-q`: no "Attached N probes" line.
  var quiet = false
  /// False with `--no-warnings`: compile warnings and warnf() are dropped.
  var warnings = true
  /// `-o FILE`.
  var outputFile: String? = nil

  func run() -> Int32 {
    let session: TraceSession
    do {
      session = try TraceSession { out in
        switch out {
        case .stdout(_, let text): FileHandleOutput.stdout(text)
        case .stdoutBytes(_, let bytes): FileHandleOutput.stdout(bytes: bytes)
        case .stderr(_, let text): FileHandleOutput.stderr(text)
        case .map(_, let s, let top, let div):
          let d = UInt64(max(0, div))
          if json {
            FileHandleOutput.stdout(JSONFormatter.map(s, top: top, div: d))
          } else {
            FileHandleOutput.stdout(bytes: TextFormatter.mapBytes(s, top: top, div: d))
          }
        }
      }
    } catch {
      FileHandleOutput.stderr("ERROR: \(error)\n")
      return 1
    }
    session.verbose = verbose
    session.json = json
    session.unsafe = unsafe
    session.printWarnings = warnings
    dumps.configure(session)
    installStopSignals()
    if let pid {
      guard kill(pid, 0) == 0 || errno == EPERM else {
        FileHandleOutput.stderr("ERROR: Failed to attach to pid: process \(pid) does not exist\n")
        return 1
      }
      session.targetPid = pid
    }
    // The command is started now but held until the probes are attached, so cpid is known.
    var child: HeldChild? = nil
    if let command {
      do {
        child = try HeldChild(command: command)
        try session.setChildPid(child!.pid)
      } catch {
        FileHandleOutput.stderr("ERROR: Failed to fork child: \(error)\n")
        return 1
      }
    }
    if let outputFile, !BpfreplCommand.redirectStdout(to: outputFile) { return 1 }

    // bpftrace refuses bare statements outside probes; sessions allow them.
    if let program = try? ProgramParser.parse(source), let first = program.topLevelStatements.first {
      let d = Diagnostic.error("syntax error, unexpected statement outside of a probe", at: first.range)
      FileHandleOutput.stderr(DiagnosticRenderer(colorize: colorize).render(d, in: source))
      return 1
    }
    let result: TraceSession.CellResult
    // -d prints the stages the program reached, also when it failed (e.g. the code the verifier rejected).
    do {
      result = try session.run(source, positional: positional, runBegin: false)
    } catch TraceSession.CellError.diagnostics(let list, let file) {
      dumps.print(session)
      FileHandleOutput.stderr(DiagnosticRenderer(colorize: colorize).render(list.diagnostics, in: file))
      return 1
    } catch TraceSession.CellError.load(let message) {
      dumps.print(session)
      FileHandleOutput.stderr(message.hasSuffix("\n") ? message : message + "\n")
      return 1
    } catch {
      dumps.print(session)
      FileHandleOutput.stderr("ERROR: \(error)\n")
      return 1
    }
    dumps.print(session)
    if warnings, !result.warnings.isEmpty {
      FileHandleOutput.stderr(DiagnosticRenderer(colorize: colorize).render(result.warnings, in: source))
    }
    if dumps.dryRun { return 0 }
    let n = result.attachPointCount
    // Upstream bpftrace says this on stderr (JSON: a line on stdout), so stdout holds program output only.
    if quiet {
    } else if json {
      FileHandleOutput.stdout(JSONFormatter.attachedProbes(UInt64(n)))
    } else {
      FileHandleOutput.stderr("Attached \(n) probe\(n == 1 ? "" : "s")\n")
    }
    fflush(Glibc.stdout)
    session.runBeginPrograms(of: result)
    child?.release()
    if result.hasIterators, session.probes.isEmpty { session.exitRequested = true }
    // Only BEGIN/END blocks: nothing can fire later, so the run ends after BEGIN, as upstream's does.
    if !result.hasAttachments, !result.hasIterators, command == nil, pid == nil { session.exitRequested = true }
    // Like bpftrace, stop when the traced process or the command is gone.
    while stopRequested == 0, !session.exitRequested {
      session.poll(timeoutMs: 100)
      fflush(Glibc.stdout)
      if let child, child.hasExited() { break }
      if let pid, kill(pid, 0) != 0, errno == ESRCH { break }
    }
    child?.terminate()
    session.detachAll()
    if result.config.printMapsOnExit {
      FileHandleOutput.stdout(bytes: session.formatExitBytes())
    } else if !json {
      FileHandleOutput.stdout(TextFormatter.end)
    }
    fflush(Glibc.stdout)
    fflush(Glibc.stderr)
    DetachHandoff.beforeExit()
    return session.exitCode
  }
}

/// SIGINT and SIGTERM end the run (maps are still printed). They are unblocked explicitly: a parent
/// may have started us with them blocked, and then Ctrl-C or a test's SIGINT would never arrive.
func installStopSignals() {
  signal(SIGINT) { _ in stopRequested = 1 }
  signal(SIGTERM) { _ in stopRequested = 1 }
  var set = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, SIGINT)
  sigaddset(&set, SIGTERM)
  sigprocmask(SIG_UNBLOCK, &set, nil)
}
