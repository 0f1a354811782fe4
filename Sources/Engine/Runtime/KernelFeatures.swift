import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// What the running kernel can do, probed once each (lazily) and cached.
/// Each probe is a file check or one tiny load, so asking costs microseconds.
public enum KernelFeatures {
  static let kprobePMU = "/sys/bus/event_source/devices/kprobe"
  static let uprobePMU = "/sys/bus/event_source/devices/uprobe"

  /// perf kprobe PMU present (CONFIG_KPROBES and CONFIG_KPROBE_EVENTS).
  public static let kprobes: Bool = FileIO.exists(kprobePMU + "/type")

  /// perf uprobe PMU present.
  public static let uprobes: Bool = FileIO.exists(uprobePMU + "/type")

  /// Kernel BTF at /sys/kernel/btf/vmlinux.
  public static let btf: Bool = FileIO.exists("/sys/kernel/btf/vmlinux")

  public static let ringbuf: Bool = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nil) == 1

  /// `bpf_get_attach_cookie` usable from tracepoint programs.
  public static let attachCookie: Bool =
    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_attach_cookie, nil) == 1

  /// fentry/fexit (BPF_PROG_TYPE_TRACING). A TRACING load without a BTF target fails with
  /// EINVAL where the type exists; kernels that refuse tracing programs say EPERM/EOPNOTSUPP.
  public static let fentry: Bool = fentryProbeErrno == EINVAL || fentryProbeErrno == 0

  /// The errno of the fentry probe load (0 if it loaded), for error messages.
  static let fentryProbeErrno: Int32 = {
    let insns: [UInt64] = [0x0000_0000_0000_00b7, 0x0000_0000_0000_0095]  // r0 = 0; exit
    var opts = bpf_prog_load_opts()
    opts.sz = MemoryLayout<bpf_prog_load_opts>.size
    opts.expected_attach_type = BPF_TRACE_FENTRY
    let fd = insns.withUnsafeBytes {
      bpf_prog_load(
        BPF_PROG_TYPE_TRACING, "probe_fentry", "GPL",
        $0.baseAddress!.assumingMemoryBound(to: bpf_insn.self), 2, &opts)
    }
    if fd >= 0 {
      close(fd)
      return 0
    }
    return -fd
  }()

  /// Throws the clear "not supported by this kernel" error when kprobes are missing.
  public static func requireKprobes() throws {
    if !kprobes {
      throw MissingKernelFeature(
        feature: "kprobes",
        reason: "CONFIG_KPROBES is off: \(kprobePMU) is missing")
    }
  }

  public static func requireUprobes() throws {
    if !uprobes {
      throw MissingKernelFeature(
        feature: "uprobes",
        reason: "CONFIG_UPROBE_EVENTS is off: \(uprobePMU) is missing")
    }
  }

  /// fentry/fexit need BPF trampolines (BPF_PROG_TYPE_TRACING); this kernel refuses them.
  public static func requireFentry() throws {
    if !fentry {
      throw MissingKernelFeature(
        feature: "fentry/fexit probes",
        reason: "loading a BPF_PROG_TYPE_TRACING program fails with "
          + "\(BPFError.describe(errno: fentryProbeErrno)): BPF trampolines are unavailable")
    }
  }
}
