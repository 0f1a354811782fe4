#if canImport(Glibc)
  import Glibc
#endif

/// A perf PMU for dynamic probes (uprobe, kprobe): its type and the retprobe config bit.
struct ProbePMU {
  let type: UInt32
  let retprobeBit: UInt64

  /// Reads /sys/bus/event_source/devices/NAME/{type,format/retprobe}.
  static func load(_ dir: String) throws -> ProbePMU {
    guard let t = FileIO.readLine(dir + "/type"), let type = UInt32(t) else {
      throw BPFError.fromErrno("read \(dir)/type")
    }
    // "config:0" names the bit that turns the probe into a return probe.
    var bit: UInt64 = 0
    if let f = FileIO.readLine(dir + "/format/retprobe"), f.hasPrefix("config:"),
      let n = UInt64(f.dropFirst(7)), n < 64
    {
      bit = n
    }
    return ProbePMU(type: type, retprobeBit: bit)
  }

  nonisolated(unsafe) static var uprobe: ProbePMU?
  nonisolated(unsafe) static var kprobe: ProbePMU?
}

extension BPFProgram {
  /// Attaches a `.kprobe`-type program at `offset` bytes into the ELF file at `path`
  /// (see `ElfSymbols` for symbol offsets). `pid` -1 traces every process.
  /// `refCounterOffset` is the file offset of a USDT semaphore, if any.
  public func attachUprobe(
    path: String, offset: UInt64, retprobe: Bool = false, pid: Int32 = -1,
    refCounterOffset: UInt64 = 0, cookie: UInt64 = 0
  ) throws -> BPFAttachment {
    try KernelFeatures.requireUprobes()
    if ProbePMU.uprobe == nil { ProbePMU.uprobe = try ProbePMU.load(KernelFeatures.uprobePMU) }
    let pmu = ProbePMU.uprobe!
    var config: UInt64 = retprobe ? 1 << pmu.retprobeBit : 0
    config |= refCounterOffset << 32  // ref_ctr_offset is config:32-63
    let label = "\(path):0x\(String(offset, radix: 16))"
    let kindName = retprobe ? "uretprobe" : "uprobe"
    // config1 carries a pointer to the path; the C string lives for the call.
    let event = try path.withCString { cpath in
      try PerfEvent.open(
        type: pmu.type, config: config, config1: UInt64(UInt(bitPattern: cpath)), config2: offset,
        pid: pid, cpu: pid == -1 ? 0 : -1, what: "\(kindName) \(label)")
    }
    let (fd, link) = try PerfEvent.attach(program: self, event: event, cookie: cookie, what: label)
    return BPFAttachment(
      kind: retprobe ? .uretprobe : .uprobe, target: label,
      cookie: link ? cookie : 0, usesLinks: link, fds: [fd])
  }

  /// Uprobe on a function by name: resolves `symbol` in `path` (a path or a library name
  /// like `libc`) to its file offset.
  public func attachUprobe(
    binary: String, symbol: String, retprobe: Bool = false, pid: Int32 = -1, cookie: UInt64 = 0
  ) throws -> BPFAttachment {
    let path = try ElfSymbols.resolveBinary(binary)
    let elf = try ElfSymbols(path: path)
    guard let sym = elf.function(named: symbol) else {
      throw BPFError("uprobe \(binary):\(symbol)", errno: ENOENT, detail: "no function \(symbol) in \(path)")
    }
    guard let offset = sym.fileOffset else {
      throw BPFError(
        "uprobe \(binary):\(symbol)", errno: EINVAL,
        detail: "\(symbol) at 0x\(String(sym.address, radix: 16)) is in no loadable segment of \(path)")
    }
    return try attachUprobe(path: path, offset: offset, retprobe: retprobe, pid: pid, cookie: cookie)
  }
}
