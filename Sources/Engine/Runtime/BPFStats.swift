import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// Turns on the kernel's per-program run-time accounting (run_time_ns / run_cnt).
public enum BPFStats {
  public enum Method: Sendable, Equatable {
    /// `bpf_enable_stats(BPF_STATS_RUN_TIME)`: on while this process holds the fd.
    case statsFD
    /// `kernel.bpf_stats_enabled=1` written to /proc/sys: global and left on.
    case sysctl
  }

  nonisolated(unsafe) private static var holder: OwnedDescriptor?
  nonisolated(unsafe) private static var enabledBy: Method?

  /// Enables stats once per process; later calls return the method that worked.
  @discardableResult
  public static func enable() throws -> Method {
    if let m = enabledBy { return m }
    let fd = bpf_enable_stats(BPF_STATS_RUN_TIME)
    if fd >= 0 {
      holder = OwnedDescriptor(adopting: fd)
      enabledBy = .statsFD
      return .statsFD
    }
    do {
      try FileIO.write("/proc/sys/kernel/bpf_stats_enabled", "1\n")
    } catch {
      throw BPFError(
        "enable bpf stats", errno: -fd,
        detail: "bpf_enable_stats failed and kernel.bpf_stats_enabled could not be set: \(error)")
    }
    enabledBy = .sysctl
    return .sysctl
  }

  /// Whether run-time accounting is on, by this process or globally.
  public static var isEnabled: Bool {
    if enabledBy != nil { return true }
    return FileIO.readLine("/proc/sys/kernel/bpf_stats_enabled") == "1"
  }
}
