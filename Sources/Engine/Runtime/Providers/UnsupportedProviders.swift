/// Probe types that compile everywhere but need kernel features some kernels lack. They expand and
/// type-check normally; `requireKernelSupport` fails with one clear message where the feature is missing.

/// `kprobe:FUNC[+OFFSET]`, `kretprobe:FUNC`.
final class KprobeProvider: ProbeProvider {
  let names = ["kprobe", "k", "kretprobe", "kr"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let spec = ap.parts.last, !spec.isEmpty else {
      throw invalid(ap, "kprobe needs a function name, e.g. kprobe:vfs_read")
    }
    let isReturn = ap.provider == "kretprobe" || ap.provider == "kr"
    let pieces = spec.split(separator: "+", maxSplits: 1)
    let function = String(pieces[0])
    let offset = pieces.count > 1 ? UInt64(pieces[1]) ?? 0 : 0
    var ctx = ProbeContext(kind: .kprobe, provider: isReturn ? "kretprobe" : "kprobe")
    ctx.hasRegisterArguments = true
    ctx.isReturnProbe = isReturn
    return [
      ProbeTarget(
        name: "\(isReturn ? "kretprobe" : "kprobe"):\(spec)",
        spec: .kprobe(function: function, offset: offset, isReturn: isReturn),
        context: ctx)
    ]
  }

  func requireKernelSupport() throws { try KernelFeatures.requireKprobes() }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .kprobe(let function, let offset, let isReturn) = target.spec else { return nil }
    return try program.attachKprobe(symbol: function, offset: offset, retprobe: isReturn, cookie: cookie)
  }
}

/// `fentry:FUNC`/`fexit:FUNC` (aliases kfunc/kretfunc, f/fr).
final class FentryProvider: ProbeProvider {
  let names = ["fentry", "fexit", "kfunc", "kretfunc", "f", "fr"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let function = ap.parts.last, !function.isEmpty else {
      throw invalid(ap, "\(ap.provider) needs a function name")
    }
    let isReturn = ["fexit", "kretfunc", "fr"].contains(ap.provider)
    var ctx = ProbeContext(kind: .tracing, provider: isReturn ? "fexit" : "fentry")
    ctx.isReturnProbe = isReturn
    return [
      ProbeTarget(
        name: "\(isReturn ? "fexit" : "fentry"):\(function)", spec: .fentry(function: function, isReturn: isReturn),
        context: ctx)
    ]
  }

  func requireKernelSupport() throws { try KernelFeatures.requireFentry() }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .fentry(let function, _) = target.spec else { return nil }
    return try program.attachFentry(label: function, cookie: cookie)
  }
}

/// `hardware:EVENT[:COUNT]` (alias `h`).
final class HardwareProvider: ProbeProvider {
  let names = ["hardware", "h"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let event = ap.parts.first, !event.isEmpty else {
      throw invalid(ap, "hardware probe needs an event, e.g. hardware:cache-misses:1000000")
    }
    let count = ap.parts.count > 1 ? UInt64(ap.parts[1]) ?? 1_000_000 : 1_000_000
    return [
      ProbeTarget(
        name: "hardware:" + ap.parts.joined(separator: ":"), spec: .hardware(event: event, count: count),
        context: ProbeContext(kind: .perfEvent, provider: "hardware"))
    ]
  }

  /// Hardware counters need a PMU; virtual machines often have none.
  func requireKernelSupport() throws {
    if !FileIO.exists("/sys/bus/event_source/devices/cpu/type") {
      throw MissingKernelFeature(
        feature: "hardware events",
        reason: "this machine has no hardware PMU: /sys/bus/event_source/devices/cpu is missing")
    }
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    throw MissingKernelFeature(
      feature: "hardware events", reason: "hardware counters are not implemented by bpfrepl yet")
  }
}
