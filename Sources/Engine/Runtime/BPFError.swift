#if canImport(Glibc)
  import Glibc
#endif

/// A failed bpf(2), perf_event_open(2) or file operation: which operation, the errno, and why.
/// Every syscall in Runtime reports failure through this type (or one of the more specific
/// errors below), so callers never see a raw `Int32`.
public struct BPFError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What was being attempted, e.g. "bpf_map_create(hash counts)".
  public var operation: String
  /// The positive errno value.
  public var errno: Int32
  /// Extra context (a path, a hint); appended to the description.
  public var detail: String?

  public init(_ operation: String, errno: Int32, detail: String? = nil) {
    self.operation = operation
    self.errno = errno < 0 ? -errno : errno
    self.detail = detail
  }

  /// strerror(3) text; kernel-internal codes get their kernel name.
  public var message: String { BPFError.describe(errno: errno) }

  public var description: String {
    var s = "\(operation): \(message)"
    if let detail { s += " (\(detail))" }
    return s
  }

  static func describe(errno: Int32) -> String {
    // Kernel-internal errno values that leak out of bpf(2) and that strerror does not know.
    switch errno {
    case 524: return "Operation not supported by the kernel (ENOTSUPP)"
    default:
      guard let p = strerror(errno) else { return "errno \(errno)" }
      return String(cString: p)
    }
  }

  /// The current thread's errno, for calls that return -1.
  static func fromErrno(_ operation: String, detail: String? = nil) -> BPFError {
    BPFError(operation, errno: Glibc.errno, detail: detail)
  }
}

/// The kernel was built without something a probe needs (kprobes, fentry...).
/// Distinct from BPFError so the session can phrase it as "not available here", not as a bug.
public struct MissingKernelFeature: Error, CustomStringConvertible, Equatable, Sendable {
  public var feature: String
  public var reason: String
  public init(feature: String, reason: String) {
    self.feature = feature
    self.reason = reason
  }
  public var description: String { "\(feature) are not supported by this kernel (\(reason))" }
}

/// The verifier refused a program. `log` is the complete verifier log (level 1 or higher).
public struct VerifierRejection: Error, CustomStringConvertible, Sendable {
  public var programName: String
  public var errno: Int32
  public var log: String
  /// True when the log did not fit in the largest buffer we tried (the kernel keeps the tail).
  public var logTruncated: Bool

  public var message: String { BPFError.describe(errno: errno) }

  /// The last non-empty lines of the log: usually the offending instruction and the reason.
  public func logTail(lines: Int = 3) -> [Substring] {
    let all = log.split(separator: "\n", omittingEmptySubsequences: true)
    return Array(all.suffix(lines))
  }

  public var description: String {
    let tail = logTail().joined(separator: "\n")
    return "verifier rejected program \(programName): \(message)" + (tail.isEmpty ? "" : "\n\(tail)")
  }
}

/// libbpf 1.x and the C shim return -errno on failure. Converts that convention into a throw.
@inline(__always)
@discardableResult
func checked(_ operation: @autoclosure () -> String, _ result: Int32) throws -> Int32 {
  if result >= 0 { return result }
  throw BPFError(operation(), errno: -result)
}

/// Plain libc calls return -1 and set errno.
@inline(__always)
@discardableResult
func checkedLibc(_ operation: @autoclosure () -> String, _ result: Int32) throws -> Int32 {
  if result >= 0 { return result }
  throw BPFError.fromErrno(operation())
}
