import CLibbpf

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
    return BPFAttachment(
      kind: retprobe ? .kretprobe : .kprobe, target: label,
      cookie: link ? cookie : 0, usesLinks: link, fds: [fd])
  }

  /// fentry/fexit need BPF trampolines; throws `MissingKernelFeature` where they are absent.
  /// Loading fails first on such kernels; call this before loading to give the clear error.
  public static func requireFentrySupport() throws {
    try KernelFeatures.requireFentry()
  }

  /// Attaches a `.tracing` fentry/fexit program (loaded with `expectedAttachType`
  /// `.traceFentry`/`.traceFexit` and `attachBTFID` = `BTFTypes.functionID(name)`) with a cookie.
  /// Untested here: this kernel has no BPF trampolines.
  public func attachFentry(label: String, cookie: UInt64 = 0) throws -> BPFAttachment {
    try KernelFeatures.requireFentry()
    guard let type = expectedAttachType else {
      throw BPFError("attach fentry \(label)", errno: EINVAL, detail: "program has no expected attach type")
    }
    var opts = bpf_link_create_opts()
    opts.sz = MemoryLayout<bpf_link_create_opts>.size
    opts.tracing.cookie = cookie
    let fd = bpf_link_create(self.fd, 0, type.kernelType, &opts)
    try checked("bpf_link_create(fentry \(label))", fd)
    return BPFAttachment(
      kind: .fentry, target: label, cookie: cookie, usesLinks: true,
      fds: [OwnedDescriptor(adopting: fd)])
  }
}
