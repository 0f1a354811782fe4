import ArgumentParser
import Engine
import Foundation
import Glibc

/// `bpfrepl replay FILE.ipynb [--update]`: runs a saved session again, cell by cell, in a fresh
/// Session (how someone else checks a record of an investigation on their machine).
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bpfrepl replay",
    abstract:
      "Run the code cells of a notebook (e.g. from %save) in a fresh session, printing each cell and its outputs.",
    discussion: """
      Exits 1 if a cell fails (the other cells still run), 130 if interrupted. A cell tagged \
      `raises-exception` is expected to fail: its error is shown but is no failure, and it \
      succeeding is one.
      """)

  @Argument(help: "The notebook (.ipynb).")
  var notebook: String

  @Flag(help: "Write the new outputs back into the notebook.")
  var update = false

  @Flag(name: .customLong("no-color"), help: "Never color diagnostics.")
  var noColor = false

  /// Time for a cell's events (e.g. from its `!workload`) to arrive before the next cell runs.
  static let settleMicroseconds: useconds_t = 300_000

  func run() throws {
    let cells: [(source: String, tags: [String])]
    do {
      cells = try Notebook.taggedCodeCells(at: notebook)
    } catch {
      FileHandleOutput.stderr("ERROR: cannot read \(notebook): \(error)\n")
      throw ExitCode(1)
    }
    let colorize = !noColor && isatty(2) != 0
    let output = AsyncOutput()
    let signals = [SIGINT, SIGTERM, SIGHUP]
    Signals.unblock(signals)
    let session: Session
    do {
      session = try Session(colorize: colorize, sink: CellText.sink(output))
    } catch {
      FileHandleOutput.stderr("ERROR: cannot start a session: \(error)\n")
      throw ExitCode(1)
    }
    let stopLock = NSLock()
    nonisolated(unsafe) var stopped = false
    Signals.start(signals) { _ in
      stopLock.withLock { stopped = true }
      session.interrupt()
    }

    var failed = false
    for (i, (source, tags)) in cells.enumerated() {
      let n = i + 1
      output.write(ReplayCommand.echo(source, cell: n), to: .stdout)
      let errored = CellText.report(session.execute(source, cell: n), colorize: colorize, to: output)
      if tags.contains("raises-exception") {
        if !errored {
          output.write("ERROR: cell \(n) is tagged raises-exception but did not fail\n", to: .stderr)
          failed = true
        }
      } else if errored {
        failed = true
      }
      usleep(ReplayCommand.settleMicroseconds)
      if stopLock.withLock({ stopped }) { break }
      output.write("\n", to: .stdout)
    }
    session.shutdown()
    DetachHandoff.beforeExit()
    if update {
      do {
        try Notebook(records: session.records).write(to: notebook)
        output.write("Updated \(notebook)\n", to: .stderr)
      } catch {
        output.write("ERROR: cannot write \(notebook): \(error)\n", to: .stderr)
        throw ExitCode(1)
      }
    }
    if stopLock.withLock({ stopped }) { throw ExitCode(130) }
    if failed { throw ExitCode(1) }
  }

  /// The cell's source as IPython shows it: `In [N]: ` then `   ...: ` for the other lines.
  static func echo(_ source: String, cell: Int) -> String {
    let first = "In [\(cell)]: "
    let more = String(repeating: " ", count: max(0, first.count - 5)) + "...: "
    var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines.enumerated().map { ($0.offset == 0 ? first : more) + $0.element }.joined(separator: "\n") + "\n"
  }
}
