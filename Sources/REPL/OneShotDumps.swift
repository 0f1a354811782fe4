import Engine

/// `-d STAGE` / `--dry-run` on the one-shot command line.
struct DumpRequest {
  var stages: [DumpStage] = []
  /// Compile and load (the verifier runs), attach nothing, exit.
  var dryRun = false

  /// Parses every `-d` value (each may be a comma list or `all`); nil after printing a usage error.
  static func parse(_ values: [String], dryRun: Bool) -> DumpRequest? {
    var request = DumpRequest(dryRun: dryRun)
    for v in values {
      guard let s = DumpStage.parseList(v) else {
        FileHandleOutput.stderr("USAGE: invalid option for -d: \(v) (one of \(DumpStage.names))\n")
        return nil
      }
      for stage in s where !request.stages.contains(stage) { request.stages.append(stage) }
    }
    request.stages.sort { DumpStage.allCases.firstIndex(of: $0)! < DumpStage.allCases.firstIndex(of: $1)! }
    return request
  }

  func configure(_ session: TraceSession) { session.dryRun = dryRun }

  /// Prints the stages the last cell reached (all of them, or up to where it failed), on stdout.
  func print(_ session: TraceSession) {
    guard !stages.isEmpty, let cell = session.lastCell else { return }
    for stage in stages {
      let text = session.dump(stage, of: cell)
      if text.isEmpty { continue }  // a stage the program did not reach
      if stages.count > 1 { FileHandleOutput.stdout("=== \(stage.rawValue) ===\n") }
      FileHandleOutput.stdout(text)
    }
  }
}
