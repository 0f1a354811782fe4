import CBPFShim
import Glibc

/// The `-c COMMAND` process: forked at once (so its pid is known before programs load), held
/// until the probes are attached, then let go. Like upstream, the command is split on spaces
/// and run without a shell.
public final class HeldChild {
  public let pid: Int32
  private var releaseFD: Int32
  private var status: Int32? = nil

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public init(command: String) throws {
    let words = command.split(separator: " ").map(String.init)
    guard let first = words.first else { throw Failure(description: "Empty command (No such file or directory)") }
    guard let path = HeldChild.resolve(first) else {
      throw Failure(description: "Path '\(first)' does not exist or is not executable (No such file or directory)")
    }
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { (w: String) in strdup(w) } + [nil]
    defer { argv.forEach { free($0) } }
    var fd: Int32 = -1
    let rc = argv.withUnsafeBufferPointer { bpfrepl_spawn_held(path, $0.baseAddress, &fd) }
    guard rc > 0 else { throw Failure(description: "Unable to fork child process (\(String(cString: strerror(-rc))))") }
    pid = rc
    releaseFD = fd
  }

  deinit {
    // Never released (an error before attaching): closing the pipe makes it exit unrun.
    if releaseFD >= 0 { close(releaseFD) }
    if status == nil { _ = waitpid(pid, nil, WNOHANG) }
  }

  /// Lets the command exec.
  public func release() {
    guard releaseFD >= 0 else { return }
    var go: UInt8 = 1
    _ = write(releaseFD, &go, 1)
    close(releaseFD)
    releaseFD = -1
  }

  /// Whether it has ended (reaped without waiting).
  public func hasExited() -> Bool {
    if status != nil { return true }
    var s: Int32 = 0
    if waitpid(pid, &s, WNOHANG) == pid { status = s }
    return status != nil
  }

  /// Ends a command still running when tracing stops (SIGTERM, as upstream), and reaps it.
  public func terminate() {
    if releaseFD >= 0 {
      close(releaseFD)
      releaseFD = -1
    }
    guard !hasExited() else { return }
    kill(pid, SIGTERM)
    var s: Int32 = 0
    while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
    status = s
  }

  /// A path as given (with a `/`) or the first executable of that name in $PATH.
  static func resolve(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = dir + "/" + name
      var st = stat()
      if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }
}
