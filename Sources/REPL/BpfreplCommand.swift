import Engine
import Glibc

/// The bpftrace-compatible command line: `bpfrepl -e PROGRAM`, `bpfrepl FILE.bt`, `bpfrepl -`
/// (program on stdin), `bpfrepl -l [PATTERN|FILE]`, with bpftrace's options, messages and exit
/// codes. With no program at all it starts the REPL (bpftrace would print its usage instead).
enum BpfreplCommand {
  static func main(_ arguments: [String]) -> Never {
    exit(run(arguments))
  }

  static func run(_ arguments: [String]) -> Int32 {
    let options: CommandLineOptions
    do {
      options = try CommandLineOptions.parse(arguments)
    } catch let e as CommandLineOptions.UsageError {
      FileHandleOutput.stderr(e.message + "\n")
      if !e.message.hasPrefix("USAGE:") { FileHandleOutput.stderr(Usage.text) }
      return 1
    } catch {
      return 1
    }
    if options.help {
      FileHandleOutput.stdout(Usage.text)
      return 0
    }
    if options.version {
      FileHandleOutput.stdout("bpfrepl v\(EngineInfo.version)\n")
      return 0
    }
    if options.info {
      FileHandleOutput.stdout(SystemInfo.report())
      return 0
    }
    guard options.format == "text" || options.format == "json" else {
      FileHandleOutput.stderr("ERROR: Invalid output format \"\(options.format)\"\nValid formats: 'text', 'json'\n")
      return 1
    }
    if options.command != nil, options.pid != nil {
      FileHandleOutput.stderr("USAGE: Cannot use both -c and -p.\n" + Usage.text)
      return 1
    }
    var pid: Int32? = nil
    if let text = options.pid {
      switch PidArgument.parse(text) {
      case .success(let p): pid = p
      case .failure(let e):
        FileHandleOutput.stderr("ERROR: \(e.message)\n")
        return 1
      }
    }
    let colorize = !options.noColor && colorFromEnvironment()
    if options.list { return list(options, pid: pid) }

    let source: SourceFile
    var positional = options.positional
    if let program = options.program {
      source = SourceFile(name: "stdin", text: program)
    } else if let path = positional.first {
      positional.removeFirst()
      if path == "-" {
        source = SourceFile(name: "stdin", text: readAll(stdin))
      } else {
        guard let text = readFile(path) else {
          FileHandleOutput.stderr("ERROR: failed to open file '\(path)': \(String(cString: strerror(errno)))\n")
          return 1
        }
        source = SourceFile(name: path, text: text)
      }
    } else {
      return runInteractive(colorize: colorize)
    }
    // Named program options (`-- --name=value`) go with the positional words: getopt() reads them.
    positional += options.namedParameters.map { "--" + $0 }
    let includes = IncludeCheck(directories: options.includeDirs, files: options.includeFiles)
    if let problem = includes.firstMissing(in: source) {
      FileHandleOutput.stderr(DiagnosticRenderer(colorize: colorize).render(problem, in: source))
      return 1
    }
    guard let dumps = DumpRequest.parse(options.debugStages, dryRun: options.dryRun) else { return 1 }
    var run = OneShot(
      source: source, positional: positional, verbose: options.verbose, colorize: colorize,
      json: options.format == "json", dumps: dumps)
    run.unsafe = options.unsafe
    run.command = options.command
    run.pid = pid
    run.quiet = options.quiet
    run.warnings = !options.noWarnings
    run.outputFile = options.outputFile
    return run.run()
  }

  /// `-l`: a pattern (or nothing: everything), an existing file or `-e PROGRAM` (its probes).
  static func list(_ options: CommandLineOptions, pid: Int32?) -> Int32 {
    if options.positional.count > 1 {
      FileHandleOutput.stderr(Usage.text)
      return 1
    }
    var programText = options.program
    var name = "stdin"
    if programText == nil, let arg = options.positional.first, access(arg, F_OK) == 0 {
      guard let text = readFile(arg) else {
        FileHandleOutput.stderr("ERROR: failed to open file '\(arg)': \(String(cString: strerror(errno)))\n")
        return 1
      }
      programText = text
      name = arg
    }
    if let programText {
      let file = SourceFile(name: name, text: programText)
      switch ProbeListing.list(program: file) {
      case .success(let text):
        FileHandleOutput.stdout(text)
        return 0
      case .failure(let list):
        FileHandleOutput.stderr(
          DiagnosticRenderer(colorize: !options.noColor && colorFromEnvironment()).render(list.diagnostics, in: file))
        return 1
      }
    }
    // With -p and no pattern: the usdt probes of that process.
    let pattern = options.positional.first ?? (pid == nil ? "*:*" : nil)
    if let pattern, pattern.contains("."), !pattern.contains(":"), !pattern.contains("*"), !options.noWarnings {
      FileHandleOutput.stderr(
        "WARNING: It appears that '\(pattern)' is a filename but the file does not exist. "
          + "Treating '\(pattern)' as a search pattern.\n")
    }
    FileHandleOutput.stdout(ProbeListing.list(pattern: pattern, verbose: options.verbose, pid: pid))
    return 0
  }

  /// Colored diagnostics as bpftrace decides: BPFTRACE_COLOR=always|never|auto, auto meaning
  /// stderr is a terminal.
  static func colorFromEnvironment() -> Bool {
    let mode = getenv("BPFTRACE_COLOR").map { String(cString: $0) } ?? "auto"
    switch mode {
    case "always": return true
    case "never": return false
    case "auto": break
    default:
      FileHandleOutput.stderr(
        "WARNING: BPFTRACE_COLOR must be auto, always or never, not '\(mode)': using auto\n")
    }
    return isatty(2) != 0
  }

  /// `-o FILE`: everything the program prints on stdout (printf, maps, system()'s children) goes
  /// to FILE; diagnostics stay on stderr. Done after the `-c` command is forked: its output stays
  /// where bpfrepl's was, as with bpftrace.
  static func redirectStdout(to path: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      FileHandleOutput.stderr("ERROR: Failed to open output file: \"\(path)\": \(String(cString: strerror(errno)))\n")
      return false
    }
    fflush(Glibc.stdout)
    dup2(fd, 1)
    close(fd)
    return true
  }
}

/// `-p PID` as bpftrace checks it: an unsigned integer (0x / 0 / 0b prefixes, `_` separators) no
/// larger than the nominal 64-bit pid_max.
enum PidArgument {
  struct Failure: Error { var message: String }

  static func parse(_ text: String) -> Result<Int32, Failure> {
    let (digits, radix) = IntegerText.split(text)
    let leading = digits.prefix { $0.isHexDigit && Int(String($0), radix: 16)! < radix }
    guard !leading.isEmpty else { return .failure(Failure(message: "Failed to parse pid: invalid integer: \(text)")) }
    guard leading.count == digits.count else {
      return .failure(Failure(message: "Failed to parse pid: invalid trailing bytes: \(text)"))
    }
    guard let value = UInt64(leading, radix: radix) else {
      return .failure(Failure(message: "Failed to parse pid: \(text) is out of range"))
    }
    guard value <= 0x400000 else { return .failure(Failure(message: "Pid out of range: \(value)")) }
    return .success(Int32(value))
  }
}

func readFile(_ path: String) -> String? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  return readAll(f)
}

func readAll(_ f: UnsafeMutablePointer<FILE>) -> String {
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
