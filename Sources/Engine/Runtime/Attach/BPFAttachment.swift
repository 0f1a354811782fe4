import CBPFShim
import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// A program attached somewhere: a set of link (or perf event) fds. Closing them detaches,
/// so `detach()`, deinit and the death of the process all undo the attachment.
/// Nothing is pinned.
public final class BPFAttachment: CustomStringConvertible, @unchecked Sendable {
  public enum Kind: String, Sendable {
    case tracepoint, rawTracepoint, perfEvent, uprobe, uretprobe, kprobe, kretprobe, fentry
  }

  public let kind: Kind
  /// What it is attached to, e.g. `syscalls:sys_enter_getpid`, `cpu-clock/cpu0`, `/bin/bash:0x1234`.
  public let target: String
  /// The BPF cookie the program sees through `bpf_get_attach_cookie` (0 when not supported).
  public let cookie: UInt64
  /// False when the kernel had no bpf_link for perf events and PERF_EVENT_IOC_SET_BPF was
  /// used (then the cookie is not delivered).
  public let usesLinks: Bool
  private var fds: [OwnedDescriptor]

  init(kind: Kind, target: String, cookie: UInt64, usesLinks: Bool, fds: [OwnedDescriptor]) {
    self.kind = kind
    self.target = target
    self.cookie = cookie
    self.usesLinks = usesLinks
    self.fds = fds
  }

  /// The held link fds (perf event fds on the fallback path).
  public var descriptors: [Int32] { fds.map(\.rawValue) }
  public var isAttached: Bool { !fds.isEmpty }

  /// Detaches now, blocking until the kernel has let go. Idempotent.
  /// Tracepoint links cost ~40-80 ms each to release on this kernel; see `detachInBackground`.
  public func detach() {
    for fd in fds { fd.close() }
    fds = []
  }

  /// Hands the fds to `BackgroundCloser.shared` and returns at once. The program keeps
  /// running at not-yet-released attach points for a while, so callers that need it silent
  /// at once must gate it (e.g. an "enabled" flag map the program checks).
  public func detachInBackground() {
    BackgroundCloser.shared.close(fds)
    fds = []
  }

  public var description: String { "\(kind.rawValue) \(target)" + (cookie != 0 ? " cookie \(cookie)" : "") }

  deinit { detach() }
}

/// perf_event_open(2) and attaching a program to the resulting event.
enum PerfEvent {
  /// Opens one perf event (enabled on open). `pid == -1` with `cpu >= 0` is system-wide on
  /// that CPU.
  static func open(
    type: UInt32, config: UInt64, config1: UInt64 = 0, config2: UInt64 = 0,
    period: UInt64 = 0, frequency: Bool = false, pid: Int32 = -1, cpu: Int32, what: String
  ) throws -> OwnedDescriptor {
    var fd = bpfrepl_perf_event_open(
      type, config, config1, config2, period, frequency ? 1 : 0, pid, cpu)
    if fd == -EMFILE && ResourceLimits.raiseFileLimit() {
      fd = bpfrepl_perf_event_open(type, config, config1, config2, period, frequency ? 1 : 0, pid, cpu)
    }
    try checked("perf_event_open(\(what), pid \(pid), cpu \(cpu))", fd)
    return OwnedDescriptor(adopting: fd)
  }

  /// Attaches `program` to `event` with a bpf_link carrying `cookie`. The link holds the
  /// event, so the returned single fd keeps everything alive. Falls back to
  /// PERF_EVENT_IOC_SET_BPF (no cookie) where BPF_LINK_CREATE for perf events is missing.
  /// `forceIoctl` exercises the fallback path in tests.
  static func attach(
    program: BPFProgram, event: OwnedDescriptor, cookie: UInt64, what: String, forceIoctl: Bool = false
  ) throws -> (fd: OwnedDescriptor, usesLink: Bool) {
    if !linkUnsupported && !forceIoctl {
      var opts = bpf_link_create_opts()
      opts.sz = MemoryLayout<bpf_link_create_opts>.size
      opts.perf_event.bpf_cookie = cookie
      let link = bpf_link_create(program.fd, event.rawValue, BPF_PERF_EVENT, &opts)
      if link >= 0 {
        // The link references the perf event: drop our fd to halve fd use per attach point.
        event.close()
        return (OwnedDescriptor(adopting: link), true)
      }
      let e = -link
      guard e == EINVAL || e == EOPNOTSUPP || e == 524 || e == ENOSYS else {
        throw BPFError("bpf_link_create(\(program.name) -> \(what))", errno: e)
      }
      // Try the old way; if it works, remember that links are unavailable.
      let r = bpfrepl_perf_event_set_bpf(event.rawValue, program.fd)
      if r < 0 { throw BPFError("bpf_link_create(\(program.name) -> \(what))", errno: e) }
      linkUnsupported = true
      return (event, false)
    }
    try checked(
      "PERF_EVENT_IOC_SET_BPF(\(program.name) -> \(what))",
      bpfrepl_perf_event_set_bpf(event.rawValue, program.fd))
    return (event, false)
  }

  nonisolated(unsafe) static var linkUnsupported = false
}

/// CPU sets from sysfs (`0-3,5` lists).
public enum CPUSet {
  /// Online CPUs, from /sys/devices/system/cpu/online.
  public static func online() -> [Int32] {
    guard let text = FileIO.readLine("/sys/devices/system/cpu/online") else { return [0] }
    let cpus = parse(text)
    return cpus.isEmpty ? [0] : cpus
  }

  /// Parses a kernel CPU list like `0-3,6,8-9`.
  public static func parse(_ list: String) -> [Int32] {
    var out: [Int32] = []
    for part in list.split(separator: ",") {
      let bounds = part.split(separator: "-").compactMap { Int32(FileIO.trim($0)) }
      if bounds.count == 1 {
        out.append(bounds[0])
      } else if bounds.count == 2, bounds[0] <= bounds[1] {
        out.append(contentsOf: bounds[0]...bounds[1])
      }
    }
    return out
  }
}

/// Process resource limits that attaching many probes runs into.
public enum ResourceLimits {
  /// Raises the soft RLIMIT_NOFILE to the hard limit (a wildcard probe can hold hundreds of
  /// fds). Returns true if the limit went up.
  @discardableResult
  public static func raiseFileLimit() -> Bool {
    var lim = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < lim.rlim_max else {
      return false
    }
    lim.rlim_cur = lim.rlim_max
    return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0
  }
}
