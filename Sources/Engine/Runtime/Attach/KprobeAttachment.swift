#if canImport(Glibc)
import Glibc
#endif

extension BPFProgram {
  /// Attaches a `.kprobe` program to kernel function `symbol` (+`offset`) through the perf
  /// kprobe PMU. Throws `MissingKernelFeature` on kernels without kprobes (like this one).
  public func attachKprobe(
    symbol: String, offset: UInt64 = 0, retprobe: Bool = false, cookie: UInt64 = 0
  ) throws -> BPFAttachment {
    try KernelFeatures.requireKprobes()
    if ProbePMU.kprobe == nil { ProbePMU.kprobe = try ProbePMU.load(KernelFeatures.kprobePMU) }
    let pmu = ProbePMU.kprobe!
    let label = offset == 0 ? symbol : "\(symbol)+\(offset)"
    let event = try symbol.withCString { csym in
      try PerfEvent.open(
        type: pmu.type, config: retprobe ? 1 << pmu.retprobeBit : 0,
        config1: UInt64(UInt(bitPattern: csym)), config2: offset, cpu: 0,
        what: "\(retprobe ? "kretprobe" : "kprobe") \(label)")
    }
    let (fd, link) = try PerfEvent.attach(program: self, event: event, cookie: cookie, what: label)
    return BPFAttachment(kind: retprobe ? .kretprobe : .kprobe, target: label,
      cookie: link ? cookie : 0, usesLinks: link, fds: [fd])
  }

  /// fentry/fexit need BPF trampolines; throws `MissingKernelFeature` where they are absent.
  /// (Attaching on kernels that have them is future work: a `.tracing` program with
  /// `attachBTFID`, then bpf_link_create with BPF_TRACE_FENTRY.)
  public static func requireFentrySupport() throws {
    try KernelFeatures.requireFentry()
  }
}
