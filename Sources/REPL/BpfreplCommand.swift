import ArgumentParser
import Engine
import Glibc

struct BpfreplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bpfrepl",
    abstract: "bpftrace as an incremental session: a REPL, a Jupyter kernel, and a bpftrace-compatible command line.",
    discussion: """
      With no program, starts the REPL (with stdin not a terminal, runs the cells read from it). `bpfrepl -e PROGRAM` and `bpfrepl FILE.bt` run a program like bpftrace.
      Subcommands: `bpfrepl kernel -f CONNECTION_FILE`, `bpfrepl kernel install`, `bpfrepl replay FILE.ipynb`.
      """)

  @Option(name: .customShort("e"), help: "Program text to run.")
  var program: String?

  @Flag(name: .customShort("v"), help: "Verbose: show the full verifier log on rejections.")
  var verbose = false

  @Option(name: .customShort("f"), help: "Output format: text or json.")
  var format: String = "text"

  @Flag(name: .customLong("no-color"), help: "Never color diagnostics.")
  var noColor = false

  @Flag(name: .customShort("l"), help: "List probes (matching the pattern given as argument), like bpftrace -l.")
  var list = false

  @Option(
    name: .customShort("d"),
    help: ArgumentHelp(
      "Print a stage of the program: \(DumpStage.names) (repeatable, or a comma list).", valueName: "STAGE"))
  var debugStages: [String] = []

  @Flag(name: .customLong("dry-run"), help: "Compile and load the program through the verifier, attach nothing, exit.")
  var dryRun = false

  @Flag(name: .customLong("unsafe"), help: "Allow unsafe/destructive functionality: system(), signal().")
  var unsafe = false

  @Option(
    name: .customShort("c"), help: "Run COMMAND once the probes are attached; exit when it ends (its pid is cpid).")
  var command: String?

  @Option(name: .customShort("p"), help: "Trace process PID only: uprobes attach to it, other probes filter on it.")
  var pid: Int32?

  @Argument(help: "A program file (when -e is not given), then positional parameters ($1, $2, ...).")
  var rest: [String] = []

  func validate() throws {
    guard format == "text" || format == "json" else { throw ValidationError("-f must be text or json") }
    if command != nil, pid != nil { throw ValidationError("Cannot use both -c and -p.") }
    if let pid, pid <= 0 || pid > 0x400000 { throw ValidationError("Pid out of range: \(pid)") }
  }

  func run() throws {
    if list {
      // -lv: argument lists too; a program's probes can be listed with -l -e.
      FileHandleOutput.stdout(
        ProbeListing.list(pattern: rest.first ?? program.map(probePattern), verbose: verbose, pid: pid))
      return
    }
    let source: SourceFile
    var positional = rest
    if let program {
      source = SourceFile(name: "stdin", text: program)
    } else if let path = rest.first {
      positional = Array(rest.dropFirst())
      guard let text = readFile(path) else {
        FileHandleOutput.stderr("ERROR: failed to open \(path): \(String(cString: strerror(errno)))\n")
        throw ExitCode(1)
      }
      source = SourceFile(name: path, text: text)
    } else {
      throw ExitCode(runInteractive(colorize: !noColor && isatty(2) != 0))
    }
    guard let dumps = DumpRequest.parse(debugStages, dryRun: dryRun) else { throw ExitCode(1) }
    var run = OneShot(
      source: source, positional: positional, verbose: verbose, colorize: !noColor && isatty(2) != 0,
      json: format == "json",
      dumps: dumps)
    run.unsafe = unsafe
    run.command = command
    run.pid = pid
    let code = run.run()
    throw ExitCode(code)
  }
}

func readFile(_ path: String) -> String? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  var bytes: [UInt8] = []
  var buf = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = fread(&buf, 1, buf.count, f)
    if n <= 0 { break }
    bytes += buf[0..<n]
  }
  return String(decoding: bytes, as: UTF8.self)
}

enum FileHandleOutput {
  static func stdout(_ s: String) {
    var s = s
    s.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, Glibc.stdout) }
  }
  /// Bytes as they are: bpftrace output need not be UTF-8.
  static func stdout(bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, Glibc.stdout) }
  }
  static func stderr(_ s: String) {
    fflush(Glibc.stdout)
    var s = s
    s.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, Glibc.stderr) }
  }
}

/// `bpftrace -l -e 'PROGRAM'` lists the probes of the program: its first attach point as a pattern.
func probePattern(_ program: String) -> String {
  String(program.prefix { !$0.isWhitespace && $0 != "{" && $0 != "/" && $0 != "," })
}
