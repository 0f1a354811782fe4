import CBPFShim

#if canImport(Glibc)
  import Glibc
#endif

/// Software perf events (PERF_TYPE_SOFTWARE), as bpftrace's `software:` names them.
public enum SoftwareEvent: UInt64, Sendable, CaseIterable {
  case cpuClock = 0
  case taskClock, pageFaults, contextSwitches, cpuMigrations, minorFaults,
    majorFaults, alignmentFaults, emulationFaults, dummy, bpfOutput

  /// Canonical name (`cpu-clock`...).
  public var name: String {
    switch self {
    case .cpuClock: return "cpu-clock"
    case .taskClock: return "task-clock"
    case .pageFaults: return "page-faults"
    case .contextSwitches: return "context-switches"
    case .cpuMigrations: return "cpu-migrations"
    case .minorFaults: return "minor-faults"
    case .majorFaults: return "major-faults"
    case .alignmentFaults: return "alignment-faults"
    case .emulationFaults: return "emulation-faults"
    case .dummy: return "dummy"
    case .bpfOutput: return "bpf-output"
    }
  }

  /// Short aliases bpftrace accepts (`cpu`, `faults`, `cs`, `migrations`).
  public var aliases: [String] {
    switch self {
    case .cpuClock: return ["cpu"]
    case .pageFaults: return ["faults"]
    case .contextSwitches: return ["cs"]
    case .cpuMigrations: return ["migrations"]
    default: return []
    }
  }

  /// bpftrace's default count (sample period) when the probe gives none.
  public var defaultCount: UInt64 {
    switch self {
    case .cpuClock, .taskClock: return 1_000_000
    case .pageFaults, .minorFaults: return 100
    case .contextSwitches: return 1000
    default: return 1
    }
  }

  /// By name or alias.
  public init?(name: String) {
    guard let e = SoftwareEvent.allCases.first(where: { $0.name == name || $0.aliases.contains(name) })
    else { return nil }
    self = e
  }
}

extension BPFProgram {
  /// `interval:`: the cpu clock on one CPU firing every `periodNs` (a `.perfEvent` program).
  public func attachInterval(periodNs: UInt64, cpu: Int32 = 0, cookie: UInt64 = 0) throws -> BPFAttachment {
    try attachPerfEvents(
      type: bpfrepl_perf_type_software, config: bpfrepl_perf_count_sw_cpu_clock, period: periodNs,
      frequency: false, cpus: [cpu], label: "interval \(periodNs)ns", cookie: cookie)
  }

  /// `profile:hz:N`: the cpu clock sampled `hz` times a second on every online CPU.
  public func attachProfile(hz: UInt64, cookie: UInt64 = 0) throws -> BPFAttachment {
    try attachPerfEvents(
      type: bpfrepl_perf_type_software, config: bpfrepl_perf_count_sw_cpu_clock, period: hz,
      frequency: true, cpus: CPUSet.online(), label: "profile \(hz)Hz", cookie: cookie)
  }

  /// `profile:us:N` and friends: the cpu clock every `periodNs` on every online CPU.
  public func attachProfile(periodNs: UInt64, cookie: UInt64 = 0) throws -> BPFAttachment {
    try attachPerfEvents(
      type: bpfrepl_perf_type_software, config: bpfrepl_perf_count_sw_cpu_clock, period: periodNs,
      frequency: false, cpus: CPUSet.online(), label: "profile \(periodNs)ns", cookie: cookie)
  }

  /// `software:EVENT:COUNT`: fires every `count` events, on every online CPU.
  public func attachSoftware(_ event: SoftwareEvent, count: UInt64? = nil, cookie: UInt64 = 0) throws -> BPFAttachment {
    let n = count ?? event.defaultCount
    return try attachPerfEvents(
      type: bpfrepl_perf_type_software, config: event.rawValue, period: n, frequency: false,
      cpus: CPUSet.online(), label: "\(event.name):\(n)", cookie: cookie)
  }

  /// One perf event per CPU, all linked to this program; all or nothing.
  func attachPerfEvents(
    type: UInt32, config: UInt64, period: UInt64, frequency: Bool, cpus: [Int32], label: String,
    cookie: UInt64
  ) throws -> BPFAttachment {
    var fds: [OwnedDescriptor] = []
    var allLinks = true
    for cpu in cpus {
      let what = "\(label) cpu\(cpu)"
      let event = try PerfEvent.open(
        type: type, config: config, period: period, frequency: frequency, cpu: cpu, what: what)
      let (fd, link) = try PerfEvent.attach(program: self, event: event, cookie: cookie, what: what)
      allLinks = allLinks && link
      fds.append(fd)
    }
    // On a throw above, `fds` is released and every event attached so far detaches.
    return BPFAttachment(
      kind: .perfEvent, target: label, cookie: allLinks ? cookie : 0,
      usesLinks: allLinks, fds: fds)
  }
}
