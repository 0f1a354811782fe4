/// `iter:KIND` (task, task_file, task_vma, bpf_map, ...): a BPF iterator over kernel objects,
/// run once when its cell runs (bpftrace runs it and exits). `ctx` is `struct bpf_iter__KIND *`.
final class IteratorProvider: ProbeProvider {
  let names = ["iter", "it"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let kind = ap.parts.first, !kind.isEmpty, ap.parts.count == 1 else {
      throw invalid(ap, "iter probe needs an iterator name, e.g. iter:task or iter:task_file")
    }
    guard KernelFeatures.btf, (try? BTFTypes.vmlinux())?.functionID("bpf_iter_\(kind)") != nil else {
      throw invalid(ap, "Unknown iterator: \(kind) (the kernel has no bpf_iter_\(kind))")
    }
    var ctx = ProbeContext(kind: .tracing, provider: "iter")
    ctx.iterator = kind
    return [ProbeTarget(name: "iter:\(kind)", spec: .iterator(kind: kind), context: ctx)]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? { nil }
}
