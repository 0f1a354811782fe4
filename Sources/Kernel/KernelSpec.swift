import Foundation

/// The Jupyter kernelspec that starts this binary as a kernel.
public enum KernelSpec {
  public static let name = "bpfrepl"

  public enum Location: Equatable, Sendable {
    case user  // the user's Jupyter data dir
    case system  // /usr/local/share/jupyter
    case prefix(String)  // <prefix>/share/jupyter (a venv, conda env, or packaging root)
  }

  /// The `kernels/bpfrepl` directory for a location, following jupyter_core's rules
  /// (JUPYTER_DATA_DIR, then XDG_DATA_HOME, then ~/.local/share for the user dir).
  public static func directory(
    for location: Location, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    let dataDir: String
    switch location {
    case .user:
      if let d = environment["JUPYTER_DATA_DIR"], !d.isEmpty {
        dataDir = d
      } else if let x = environment["XDG_DATA_HOME"], !x.isEmpty {
        dataDir = x + "/jupyter"
      } else {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        dataDir = home + "/.local/share/jupyter"
      }
    case .system: dataDir = "/usr/local/share/jupyter"
    case .prefix(let p): dataDir = p + "/share/jupyter"
    }
    return dataDir + "/kernels/" + name
  }

  public static func kernelJSON(executable: String) -> JSON {
    [
      "argv": [.string(executable), "kernel", "-f", "{connection_file}"],
      "display_name": "bpftrace (bpfrepl)",
      "language": "bpftrace",
      // Interrupts arrive as interrupt_request on control, not SIGINT.
      "interrupt_mode": "message",
      "metadata": [:],
    ]
  }

  /// Absolute path of the running binary (argv[0] may be relative or a PATH lookup).
  public static func currentExecutable() -> String {
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }

  /// Writes kernel.json; returns the directory written.
  @discardableResult
  public static func install(at location: Location, executable: String = currentExecutable()) throws -> String {
    let dir = directory(for: location)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let data = Data(kernelJSON(executable: executable).serialized() + [0x0A])
    try data.write(to: URL(fileURLWithPath: dir + "/kernel.json"), options: .atomic)
    return dir
  }
}
