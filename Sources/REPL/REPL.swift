import Engine
import Foundation
import Glibc

/// `bpfrepl` with no program: the interactive REPL on a terminal, a scripted session otherwise.
/// (With stdout not a terminal either, prompts and redraws would only pollute the output.)
func runInteractive(colorize: Bool) -> Int32 {
  isatty(0) != 0 && isatty(1) != 0 ? REPL(colorize: colorize).run() : ScriptedSession(colorize: colorize).run()
}

/// The terminal REPL: reads cells with libedit, runs them in one Session. Probes stay attached
/// between cells; their output appears above the prompt while the next cell is typed.
final class REPL {
  private let colorize: Bool
  private let output = AsyncOutput()
  private var cellNumber = 1
  /// Lines of a cell being typed (the continuation prompt shows while this is not empty).
  private var pending: [String] = []
  static let signals = [SIGINT, SIGTERM, SIGHUP, SIGWINCH]

  init(colorize: Bool) { self.colorize = colorize }

  func run() -> Int32 {
    Signals.unblock(REPL.signals)
    guard let session = CellText.startSession(colorize: colorize, output: output) else { return 1 }
    guard let editor = LineEditor(historyPath: REPL.historyPath(), output: output) else {
      output.write("ERROR: cannot initialize libedit\n", to: .stderr)
      session.shutdown()
      DetachHandoff.beforeExit()
      return 1
    }
    editor.prompt = { [unowned self] in
      let main = "bpfrepl [\(cellNumber)]> "
      return pending.isEmpty ? main : String(repeating: " ", count: max(0, main.count - 5)) + "...> "
    }
    editor.completer = { session.complete($0, cursor: $1) }
    editor.onCancel = { [unowned self] in pending.removeAll() }
    let output = output
    Signals.start(REPL.signals) { signo in
      switch signo {
      case SIGWINCH: editor.requestResize()
      // Ctrl-C never ends the session: it ends a running cell (%%run, !command) or clears the line.
      case SIGINT:
        if output.isEditing {
          editor.requestCancel()
        } else {
          output.write("\n", to: .stdout)  // after the terminal's echoed ^C
          session.interrupt()
        }
      default:  // SIGTERM, SIGHUP: end the running cell, then quit as on Ctrl-D
        session.interrupt()
        editor.requestQuit()
      }
    }

    output.write(
      "bpfrepl: bpftrace one cell at a time; probes stay attached and maps live on between cells.\n"
        + "%help lists the magics and keys; Ctrl-D or %quit detaches everything and exits.\n", to: .stdout)
    while true {
      guard let line = editor.readLine() else {
        output.write("\n", to: .stdout)  // Ctrl-D leaves the cursor after the prompt
        break
      }
      let blank = line.strippingWhitespace.isEmpty
      if pending.isEmpty, blank { continue }
      pending.append(line)
      let text = pending.joined(separator: "\n")
      guard CellText.isComplete(text, lastLineBlank: blank, multiLineEntry: line.contains("\n")) else { continue }
      let cell = CellText.normalized(pending)
      pending.removeAll()
      editor.addHistory(cell)
      if CellText.isQuit(cell) { break }
      let n = cellNumber
      cellNumber += 1
      CellText.report(session.execute(cell, cell: n), colorize: colorize, to: output)
      if cell.strippingWhitespace == "%help" { output.write(REPL.keys, to: .stdout) }
    }
    // END blocks run here; their output is printed directly (no editor any more).
    editor.close()
    REPL.shutdown(session, output: output)
    return 0
  }

  static let keys = """
    In the terminal:
      Enter              runs the cell once it is complete (an open block continues at ...>)
      Alt-Enter          adds a line to the cell instead (several probes in one cell); a paste
                         is one cell too; a blank line ends a %% cell
      Tab                completes probes (t:syscalls:sys_enter_op<Tab>), builtins, maps, magics
      Up/Down            history (~/.bpfrepl_history, or $BPFREPL_HISTORY)
      Ctrl-C             stops a running %%run or !command, or clears the line being typed
      Ctrl-D, %quit      detaches everything (END blocks run) and exits

    """

  /// Detaching hundreds of tracepoints takes the kernel tens of seconds: say so if it is slow.
  static func shutdown(_ session: Session, output: AsyncOutput) {
    let done = NSLock()
    nonisolated(unsafe) var finished = false
    BackgroundThread.start {
      usleep(1_000_000)
      if done.withLock({ !finished }) { output.write("Detaching everything...\n", to: .stderr) }
    }
    session.shutdown()
    DetachHandoff.beforeExit()
    done.withLock { finished = true }
  }

  /// $BPFREPL_HISTORY (empty: no history file), else ~/.bpfrepl_history.
  static func historyPath() -> String? {
    let env = ProcessInfo.processInfo.environment
    if let path = env["BPFREPL_HISTORY"] { return path.isEmpty ? nil : path }
    if let home = env["HOME"], !home.isEmpty { return home + "/.bpfrepl_history" }
    guard let pw = getpwuid(getuid()) else { return nil }
    return String(cString: pw.pointee.pw_dir) + "/.bpfrepl_history"
  }
}
