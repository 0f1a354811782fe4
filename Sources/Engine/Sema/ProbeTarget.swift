/// One concrete place a program attaches to, after wildcard expansion.
public struct ProbeTarget: Sendable, Equatable {
  /// How to attach; read by the provider that made it.
  public enum Spec: Sendable, Equatable {
    case begin, end
    case tracepoint(category: String, event: String)
    case rawTracepoint(event: String)
    case interval(periodNanoseconds: UInt64)
    case profile(frequency: UInt64?, periodNanoseconds: UInt64?)
    case software(event: String, config: UInt64, count: UInt64)
    case hardware(event: String, count: UInt64)
    case kprobe(function: String, offset: UInt64, isReturn: Bool)
    case fentry(function: String, isReturn: Bool)
    case uprobe(path: String, symbol: String, offset: UInt64, isReturn: Bool, pid: Int32?)
    case usdt(path: String, provider: String, name: String, locations: [UsdtLocation], pid: Int32?)
    case watchpoint(address: UInt64, length: Int, mode: String, pid: Int32?)
    case iterator(kind: String)
  }

  /// The probe's full name, as `probe` prints it, e.g. `tracepoint:syscalls:sys_exit_read`.
  public var name: String
  public var spec: Spec
  public var context: ProbeContext

  public init(name: String, spec: Spec, context: ProbeContext) {
    self.name = name
    self.spec = spec
    self.context = context
  }

  public static func == (a: ProbeTarget, b: ProbeTarget) -> Bool { a.name == b.name && a.spec == b.spec }
}

/// Expands attach points into concrete targets (wildcards, aliases, argument layouts).
public protocol ProbeResolver: AnyObject {
  /// Throws a Diagnostic (at the attach point's range) when nothing matches or the spec is invalid.
  func expand(_ attachPoint: AttachPoint) throws -> [ProbeTarget]
}
