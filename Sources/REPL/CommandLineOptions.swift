/// bpftrace's command line, parsed the way its getopt_long does it: short options cluster (`-lv`,
/// `-kk`), a short option's value may be attached (`-p123`) or follow, long options take `=VALUE`
/// or the next word and may be abbreviated to a unique prefix, options may come after the program
/// file, and `--` ends option parsing. Errors read like glibc getopt's; the caller then prints the
/// usage text and exits 1, as bpftrace does.
struct CommandLineOptions {
  var program: String?
  var verbose = false
  var format = "text"
  var noColor = false
  var list = false
  var debugStages: [String] = []
  var dryRun = false
  var unsafe = false
  var command: String?
  var pid: String?
  var outputFile: String?
  var quiet = false
  var noWarnings = false
  /// `-k`: how many times it was given (bpftrace refuses `-kk`).
  var warningsCount = 0
  var includeDirs: [String] = []
  var includeFiles: [String] = []
  var buffering: String?
  var help = false
  var version = false
  var info = false
  /// Words that are not options: the program file (without -e), then its parameters.
  var positional: [String] = []
  /// Words after `--` that start with `--`: bpftrace's named program parameters.
  var namedParameters: [String] = []

  struct UsageError: Error {
    var message: String
  }

  private enum Value { case none, required }

  private struct Spec {
    var short: Character?
    var long: String?
    var value: Value
    var apply: (inout CommandLineOptions, String) throws -> Void
  }

  private static let specs: [Spec] = [
    Spec(short: "e", long: nil, value: .required) { $0.program = $1 },
    Spec(short: "v", long: "verbose", value: .none) { o, _ in o.verbose = true },
    Spec(short: "f", long: nil, value: .required) { $0.format = $1 },
    Spec(short: nil, long: "no-color", value: .none) { o, _ in o.noColor = true },
    Spec(short: "l", long: "list", value: .none) { o, _ in o.list = true },
    Spec(short: "d", long: "debug", value: .required) { $0.debugStages.append($1) },
    Spec(short: nil, long: "dry-run", value: .none) { o, _ in o.dryRun = true },
    Spec(short: nil, long: "unsafe", value: .none) { o, _ in o.unsafe = true },
    Spec(short: "c", long: "cmd", value: .required) { $0.command = $1 },
    Spec(short: "p", long: "pid", value: .required) { $0.pid = $1 },
    Spec(short: "o", long: "output", value: .required) { $0.outputFile = $1 },
    Spec(short: "q", long: "quiet", value: .none) { o, _ in o.quiet = true },
    Spec(short: nil, long: "no-warnings", value: .none) { o, _ in
      guard o.warningsCount == 0 else {
        throw UsageError(message: "USAGE: -k, --warnings conflicts with --no-warnings")
      }
      o.noWarnings = true
    },
    Spec(short: "k", long: "warnings", value: .none) { o, _ in
      if o.warningsCount > 0 {
        throw UsageError(message: "USAGE: -kk is not supported: a single -k enables runtime warnings")
      }
      if o.noWarnings { throw UsageError(message: "USAGE: -k, --warnings conflicts with --no-warnings") }
      o.warningsCount += 1
    },
    Spec(short: "I", long: nil, value: .required) { $0.includeDirs.append($1) },
    Spec(short: nil, long: "include", value: .required) { $0.includeFiles.append($1) },
    Spec(short: "B", long: nil, value: .required) { o, v in
      guard ["line", "full", "none"].contains(v) else {
        throw UsageError(message: "USAGE: -B must be either 'line', 'full', or 'none'.")
      }
      o.buffering = v
    },
    // BTF is always used; bpftrace still accepts -b / --btf.
    Spec(short: "b", long: "btf", value: .none) { _, _ in },
    Spec(short: "h", long: "help", value: .none) { o, _ in o.help = true },
    Spec(short: "V", long: "version", value: .none) { o, _ in o.version = true },
    Spec(short: nil, long: "info", value: .none) { o, _ in o.info = true },
  ]

  /// Parses `arguments` (without the program name). A `UsageError` whose message starts with
  /// "USAGE:" is printed alone; the getopt-style ones are followed by the usage text.
  static func parse(_ arguments: [String], programName: String = "bpfrepl") throws -> CommandLineOptions {
    var o = CommandLineOptions()
    var i = 0
    func nextValue(_ what: String) throws -> String {
      guard i + 1 < arguments.count else { throw UsageError(message: "\(programName): \(what)") }
      i += 1
      return arguments[i]
    }
    while i < arguments.count {
      let word = arguments[i]
      if word == "--" {
        for rest in arguments[(i + 1)...] {
          if rest.hasPrefix("--") {
            o.namedParameters.append(String(rest.dropFirst(2)))
          } else {
            o.positional.append(rest)
          }
        }
        break
      }
      if word.hasPrefix("--") {
        let body = word.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
        let spec = try longOption(name, programName: programName)
        switch spec.value {
        case .none:
          if inline != nil {
            throw UsageError(message: "\(programName): option '--\(spec.long!)' doesn't allow an argument")
          }
          try spec.apply(&o, "")
        case .required:
          let v = try inline ?? nextValue("option '--\(spec.long!)' requires an argument")
          try spec.apply(&o, v)
        }
      } else if word.hasPrefix("-"), word.count > 1 {
        // A cluster of short options; one that takes a value takes the rest of the word or the next one.
        var chars = Array(word.dropFirst())
        while !chars.isEmpty {
          let c = chars.removeFirst()
          guard let spec = specs.first(where: { $0.short == c }) else {
            throw UsageError(message: "\(programName): invalid option -- '\(c)'")
          }
          if spec.value == .required {
            let v = chars.isEmpty ? try nextValue("option requires an argument -- '\(c)'") : String(chars)
            try spec.apply(&o, v)
            break
          }
          try spec.apply(&o, "")
        }
      } else {
        o.positional.append(word)
      }
      i += 1
    }
    return o
  }

  private static func longOption(_ name: String, programName: String) throws -> Spec {
    if let exact = specs.first(where: { $0.long == name }) { return exact }
    let candidates = specs.filter { $0.long?.hasPrefix(name) == true && !name.isEmpty }
    if candidates.count == 1 { return candidates[0] }
    if candidates.isEmpty { throw UsageError(message: "\(programName): unrecognized option '--\(name)'") }
    let names = candidates.map { "'--\($0.long!)'" }.joined(separator: " ")
    throw UsageError(message: "\(programName): option '--\(name)' is ambiguous; possibilities: \(names)")
  }
}
