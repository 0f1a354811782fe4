/// One probe type: how its attach points expand and how its programs attach. Adding a probe type
/// means one file like the ones beside this, and one line in `ProviderRegistry.providers`.
public protocol ProbeProvider: AnyObject {
  /// Canonical name first, then aliases (e.g. ["tracepoint", "t"]).
  var names: [String] { get }
  func expand(_ ap: AttachPoint) throws -> [ProbeTarget]
  /// Attaches a loaded program; nil for probes that run on demand (BEGIN/END).
  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment?
  /// Throws `MissingKernelFeature` when this kernel cannot run the probe type at all; checked
  /// before anything of a cell is loaded, so the cell fails whole and early.
  func requireKernelSupport() throws
}

extension ProbeProvider {
  func requireKernelSupport() throws {}

  var canonicalName: String { names[0] }

  func invalid(_ ap: AttachPoint, _ message: String) -> Diagnostic {
    .error(message, at: ap.range)
  }
}

/// Providers whose probes can be limited to one process (`-p PID`, `-c CMD`).
protocol ProcessScopedProvider: AnyObject {
  var pid: Int32? { get set }
}

/// All providers, by name and alias; the compiler's `ProbeResolver`.
public final class ProviderRegistry: ProbeResolver, @unchecked Sendable {
  public let providers: [ProbeProvider] = [
    SpecialProvider(), TracepointProvider(), RawTracepointProvider(), IntervalProvider(), ProfileProvider(),
    SoftwareProvider(), UprobeProvider(), UsdtProvider(), WatchpointProvider(), IteratorProvider(), KprobeProvider(),
    FentryProvider(), HardwareProvider(),
  ]
  private var byName: [String: ProbeProvider] = [:]

  public init() {
    for p in providers { for n in p.names { byName[n] = p } }
  }

  public func provider(named name: String) -> ProbeProvider? { byName[name] }

  public func provider(for target: ProbeTarget) -> ProbeProvider? {
    byName[String(target.name.prefix { $0 != ":" })]
  }

  public func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let p = byName[ap.provider] else {
      throw Diagnostic.error("Invalid probe type: \(ap.provider)", at: ap.range)
    }
    return try p.expand(ap)
  }
}
