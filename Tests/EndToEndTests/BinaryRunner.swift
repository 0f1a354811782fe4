import Foundation

/// Runs the built `bpfrepl` binary, as a person or script would.
enum Bpfrepl {
  static var path: String {
    if let p = ProcessInfo.processInfo.environment["BPFREPL_BIN"], !p.isEmpty { return p }
    // Built beside the test bundle (whatever --scratch-path was used).
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "bpfrepl"
    ).path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    // Tests/EndToEndTests/BinaryRunner.swift -> package root
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    for config in ["debug", "release"] {
      let candidate = root.appendingPathComponent(".build/\(config)/bpfrepl").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return root.appendingPathComponent(".build/debug/bpfrepl").path
  }

  static var isRoot: Bool { geteuid() == 0 }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
    /// stderr without the "Attached N probes" line every successful run prints.
    var diagnostics: String {
      stderr.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !($0.hasPrefix("Attached ") && $0.contains(" probe")) }.joined(separator: "\n")
    }
  }

  /// Starts bpfrepl; `whileRunning` runs once the probes are attached ("Attached N probes" printed);
  /// then `interrupt` sends SIGINT unless the program exited on its own.
  static func run(
    _ args: [String], interrupt: Bool = false, timeout: Double = 20, stdin: String? = nil,
    environment: [String: String] = [:], whileRunning: () -> Void = {}
  ) throws
    -> Result
  {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if !environment.isEmpty {
      p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let stdin {
      let input = Pipe()
      p.standardInput = input
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let collected = OutputCollector()
    out.fileHandleForReading.readabilityHandler = { h in collected.append(out: h.availableData) }
    err.fileHandleForReading.readabilityHandler = { h in collected.append(err: h.availableData) }
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while !collected.stderr.contains("Attached"), !collected.stdout.contains("attached_probes"), p.isRunning,
      Date() < deadline
    { usleep(10_000) }
    whileRunning()
    if interrupt, p.isRunning {
      usleep(200_000)
      kill(p.processIdentifier, SIGINT)
    }
    while p.isRunning, Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    out.fileHandleForReading.readabilityHandler = nil
    err.fileHandleForReading.readabilityHandler = nil
    collected.append(out: out.fileHandleForReading.readDataToEndOfFile())
    collected.append(err: err.fileHandleForReading.readDataToEndOfFile())
    return Result(status: p.terminationStatus, stdout: collected.stdout, stderr: collected.stderr)
  }

  /// Runs a shell command to completion (the workload).
  static func sh(_ command: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try? p.run()
    p.waitUntilExit()
  }
}

final class OutputCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var out = Data()
  private var err = Data()
  func append(out d: Data) { lock.withLock { out.append(d) } }
  func append(err d: Data) { lock.withLock { err.append(d) } }
  var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
  var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}
