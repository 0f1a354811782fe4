import Glibc

/// User-space actions programs ask for (system, cat) and values only user space can resolve
/// (ksym, usym, strftime timestamps).
extension TraceSession {
  /// Bytes cat() prints at most, as upstream's `max_cat_bytes` default.
  static let maxCatBytes = 10240

  func runAction(_ d: EventDescriptor, _ args: [OutputValue]) {
    switch d.kind {
    case .system(let format, _):
      let command = printfFormat(ByteString(format)).format(args)
      switch SystemCommand.run(command) {
      case .success(let text):
        output(.stdout(cell: d.cell, text: json ? JSONFormatter.syscall(text) : text + "\n"))
      case .failure(let message):
        output(.stderr(cell: d.cell, text: "ERROR: \(message)\n"))
      }
    case .cat(let format, _):
      let path = printfFormat(ByteString(format)).format(args)
      guard let bytes = readPrefix(path, limit: TraceSession.maxCatBytes) else {
        let reason = String(cString: strerror(errno))
        output(.stderr(cell: d.cell, text: "ERROR: failed to open file '\(path)' (\(reason))\n"))
        return
      }
      let text = String(decoding: bytes, as: UTF8.self)
      output(.stdout(cell: d.cell, text: json ? JSONFormatter.cat(text) : text))
    default:
      break
    }
  }

  /// Up to `limit` bytes of a file (proc files too, whose size stat reports as 0).
  private func readPrefix(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return nil }
    defer { close(fd) }
    var out = [UInt8](repeating: 0, count: limit)
    var used = 0
    while used < limit {
      let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, limit - used) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      used += n
    }
    return Array(out[0..<used])
  }

  /// ksym/usym names and strftime text; nil for kinds the decoder resolves by itself.
  func symbolValue(_ kind: SymbolKind, _ bytes: UnsafeRawBufferPointer) -> OutputValue? {
    func u64(_ at: Int) -> UInt64 {
      guard bytes.count >= at + 8 else { return 0 }
      return bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)
    }
    switch kind {
    case .ksym:
      return .string(ByteString(symbolizer.kernelSymbol(u64(0), withOffset: false)))
    case .usym:
      let pid = Int32(truncatingIfNeeded: u64(8))
      return .string(ByteString(symbolizer.userSymbol(u64(0), pid: pid, withOffset: false)))
    case .timestamp:
      let format = resources.environment.timeFormat(u64(0)) ?? ""
      return .string(ByteString(Timestamp.format(bootNanoseconds: u64(8), format)))
    default:
      return nil
    }
  }
}

/// system(): `sh -c COMMAND` with stdout and stderr captured, as upstream runs it.
enum SystemCommand {
  enum Outcome { case success(String), failure(String) }

  static func run(_ command: String) -> Outcome {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return .failure("pipe() failed") }
    // Only the child's dup2'd copies may stay open across exec.
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    // The command must not inherit the signals the tracer blocks or handles.
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attr, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv: [UnsafeMutablePointer<CChar>?] = ["sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let rc = posix_spawnp(&pid, "sh", &actions, &attr, argv, environ)
    close(fds[1])
    guard rc == 0 else {
      close(fds[0])
      return .failure("fork() failed")
    }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = read(fds[0], &buf, buf.count)
      if n > 0 { out += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fds[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, which Swift can't import as macros.
    guard status & 0x7f == 0 else { return .failure("child process did not exit normally") }
    let code = (status >> 8) & 0xff
    if code != 0 { return .failure("command exited with code \(code)") }
    return .success(String(decoding: out, as: UTF8.self))
  }
}
