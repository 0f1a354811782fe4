import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// What this kernel offers bpfrepl, by section, for `bpfrepl --info` (the sections bpftrace's
/// `--info` has). Every value is detected here, not assumed.
public enum KernelFeatureReport {
  public struct Section: Sendable {
    public var title: String
    public var entries: [(String, String)]
  }

  public static func sections() -> [Section] {
    func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }
    func helper(_ h: bpf_func_id) -> String {
      yesNo(libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, h, nil) == 1)
    }
    let btf = KernelFeatures.btf ? try? BTFTypes.vmlinux() : nil
    let moduleBTF = (FileIO.listDirectory("/sys/kernel/btf") ?? []).contains { $0 != "vmlinux" }
    let iterTask = btf?.functionID("bpf_iter_task") != nil
    let kprobes = KernelFeatures.kprobes
    let notUsed = "unused"  // bpfrepl does not attach that way
    return [
      Section(
        title: "Kernel helpers",
        entries: [
          ("dpath", yesNo(KernelFeatures.fentry && btf?.functionID("bpf_d_path") != nil)),
          ("get_tai_ns", helper(BPF_FUNC_ktime_get_tai_ns)),
          ("get_func_ip", helper(BPF_FUNC_get_func_ip)),
          ("get_attach_cookie", helper(BPF_FUNC_get_attach_cookie)),
          ("lookup_percpu_elem", helper(BPF_FUNC_map_lookup_percpu_elem)),
          ("loop", helper(BPF_FUNC_loop)),
          ("get_stack", helper(BPF_FUNC_get_stack)),
          ("send_signal", helper(BPF_FUNC_send_signal)),
        ]),
      Section(
        title: "Kernel features",
        entries: [
          ("btf", yesNo(btf != nil)),
          ("module btf", yesNo(moduleBTF)),
          ("ring buffer", yesNo(KernelFeatures.ringbuf)),
          ("bpf stats", yesNo(FileIO.exists("/proc/sys/kernel/bpf_stats_enabled"))),
        ]),
      Section(
        title: "Probe types",
        entries: [
          ("tracepoint", yesNo((try? Tracefs.root()) != nil)),
          ("rawtracepoint", yesNo(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, nil) == 1)),
          ("uprobe", yesNo(KernelFeatures.uprobes)),
          ("kprobe", yesNo(kprobes)),
          ("kprobe_multi", kprobes ? notUsed : "no"),
          ("kprobe_session", kprobes ? notUsed : "no"),
          ("uprobe_multi", notUsed),
          ("fentry", yesNo(KernelFeatures.fentry)),
          ("iter", yesNo(iterTask)),
          ("hardware", yesNo(FileIO.exists("/sys/bus/event_source/devices/cpu/type"))),
        ]),
    ]
  }
}

extension KernelFeatureReport {
  /// The libbpf bpfrepl runs with, e.g. "v1.1".
  public static var libbpfVersion: String { String(cString: libbpf_version_string()) }
}
