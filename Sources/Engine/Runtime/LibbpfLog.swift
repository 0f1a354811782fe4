import CLibbpf
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Where libbpf's own diagnostics go. By default libbpf writes warnings to stderr, which
/// would scribble over a REPL prompt; the session installs a handler (or silences it) once.
public enum LibbpfLog {
  public enum Level: Int, Sendable, Comparable {
    case warning = 0, info = 1, debug = 2
    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
  }

  private struct State {
    var minimum: Level = .warning
    var handler: (@Sendable (Level, String) -> Void)?
  }
  private static let state = Mutex(State())

  /// Sends libbpf messages at or above `minimum` (warning is the highest priority) to `handler`.
  public static func install(minimum: Level = .warning, handler: @escaping @Sendable (Level, String) -> Void) {
    state.withLock { $0 = State(minimum: minimum, handler: handler) }
    _ = libbpf_set_print(forward)
  }

  /// Drops every libbpf message.
  public static func silence() {
    state.withLock { $0.handler = nil }
    _ = libbpf_set_print(nil)
  }

  private static let forward: libbpf_print_fn_t = { level, format, args in
    let lvl = Level(rawValue: Int(level.rawValue)) ?? .debug
    guard let format, let args,
      let (minimum, handler) = LibbpfLog.state.withLock({ s in s.handler.map { (s.minimum, $0) } }),
      lvl <= minimum
    else { return 0 }
    // va_list can be walked once: format into a fixed buffer, truncating long messages.
    var buffer = [CChar](repeating: 0, count: 1024)
    let n = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
    var text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    while text.last == "\n" { text.removeLast() }
    handler(lvl, text)
    return n
  }
}
