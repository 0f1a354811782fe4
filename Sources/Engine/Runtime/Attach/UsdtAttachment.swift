#if canImport(Glibc)
  import Glibc
#endif

/// One place a usdt probe attaches: a uprobe at the note's file offset, with the semaphore (if
/// any) counted by the kernel's uprobe reference counter.
public struct UsdtLocation: Sendable, Equatable {
  public var fileOffset: UInt64
  /// File offset of the probe's semaphore; 0 when it has none.
  public var semaphoreOffset: UInt64
  /// Which of the target's `UsdtArgumentSets.variants` this location's operands are.
  public var variant: Int

  public init(fileOffset: UInt64, semaphoreOffset: UInt64, variant: Int) {
    self.fileOffset = fileOffset
    self.semaphoreOffset = semaphoreOffset
    self.variant = variant
  }
}

extension BPFProgram {
  /// Attaches a `.kprobe`-type program at every location of one usdt probe of `path`; all or
  /// nothing. Each location's cookie is `cookie | variant << 32`, so the program can tell which
  /// operands to decode. The kernel bumps each semaphore while the uprobe is attached
  /// (ref_ctr_offset in the uprobe PMU's config), in processes running now and later.
  public func attachUsdt(path: String, locations: [UsdtLocation], pid: Int32 = -1, cookie: UInt64 = 0) throws
    -> BPFAttachment
  {
    try KernelFeatures.requireUprobes()
    if ProbePMU.uprobe == nil { ProbePMU.uprobe = try ProbePMU.load(KernelFeatures.uprobePMU) }
    guard let pmu = ProbePMU.uprobe else { throw BPFError("usdt \(path)", errno: ENOENT) }
    let semaphoreShift = try UsdtSemaphores.configShift(needed: locations.contains { $0.semaphoreOffset != 0 })
    var fds: [OwnedDescriptor] = []
    var allLinks = true
    for location in locations {
      let label = "\(path):0x\(String(location.fileOffset, radix: 16))"
      let event = try path.withCString { cpath in
        try PerfEvent.open(
          type: pmu.type, config: location.semaphoreOffset << semaphoreShift, config1: UInt64(UInt(bitPattern: cpath)),
          config2: location.fileOffset, pid: pid, cpu: pid == -1 ? 0 : -1, what: "usdt \(label)")
      }
      let locationCookie = cookie | UInt64(location.variant) << 32
      let (fd, link) = try PerfEvent.attach(program: self, event: event, cookie: locationCookie, what: label)
      if !link, location.variant != 0 {
        // Without bpf_link there is no cookie: the program could not tell this location's operands apart.
        throw BPFError(
          "usdt \(label)", errno: EOPNOTSUPP,
          detail: "the probe's locations have different operands, which needs BPF cookies (bpf_link for perf events)")
      }
      allLinks = allLinks && link
      fds.append(fd)
    }
    return BPFAttachment(
      kind: .uprobe, target: "\(path) usdt", cookie: allLinks ? cookie : 0, usesLinks: allLinks, fds: fds)
  }
}

/// The uprobe PMU's reference counter, which keeps USDT semaphores up while probes are attached.
enum UsdtSemaphores {
  /// The first config bit of ref_ctr_offset, from .../uprobe/format/ref_ctr_offset ("config:32-63").
  static let shift: UInt64? = {
    guard let f = FileIO.readLine(KernelFeatures.uprobePMU + "/format/ref_ctr_offset"), f.hasPrefix("config:"),
      let first = f.dropFirst(7).split(separator: "-").first, let bit = UInt64(first), bit < 64
    else { return nil }
    return bit
  }()

  static func configShift(needed: Bool) throws -> UInt64 {
    if let shift { return shift }
    if !needed { return 0 }
    throw MissingKernelFeature(
      feature: "USDT semaphores",
      reason: "the uprobe PMU has no ref_ctr_offset (\(KernelFeatures.uprobePMU)/format/ref_ctr_offset is missing)")
  }
}
