import CBPFShim
import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

extension BPFProgram {
  /// Attaches a `.tracepoint` program to CAT:NAME. The program sees `cookie` through
  /// bpf_get_attach_cookie (how one program serves many tracepoints of a wildcard).
  public func attachTracepoint(category: String, name: String, cookie: UInt64 = 0) throws -> BPFAttachment {
    let id = try Tracefs.tracepointID(category: category, name: name)
    return try attachTracepoint(id: id, label: "\(category):\(name)", cookie: cookie)
  }

  /// Same, by tracepoint id (when the caller already read it).
  public func attachTracepoint(id: UInt64, label: String, cookie: UInt64 = 0) throws -> BPFAttachment {
    // pid -1 / cpu 0: a tracepoint program runs for hits on every CPU; the event only needs a CPU.
    let event = try PerfEvent.open(type: bpfrepl_perf_type_tracepoint, config: id, cpu: 0, what: "tracepoint \(label)")
    let (fd, link) = try PerfEvent.attach(program: self, event: event, cookie: cookie, what: label)
    return BPFAttachment(kind: .tracepoint, target: label, cookie: link ? cookie : 0, usesLinks: link, fds: [fd])
  }

  /// Attaches a `.rawTracepoint` program to the raw tracepoint `name` (e.g. `sched_switch`).
  /// libbpf 1.1 has no cookie for raw tracepoints.
  public func attachRawTracepoint(name: String) throws -> BPFAttachment {
    let fd = bpf_raw_tracepoint_open(name, self.fd)
    try checked("bpf_raw_tracepoint_open(\(name))", fd)
    return BPFAttachment(
      kind: .rawTracepoint, target: name, cookie: 0, usesLinks: true,
      fds: [OwnedDescriptor(adopting: fd)])
  }

  /// Attaches a `.tracing` program loaded with `expectedAttachType: .traceRawTp` and
  /// `attachBTFID` = `BTFTypes.rawTracepointTypeID(name)` (bpftrace's `tp_btf`/`rawtracepoint`
  /// with typed args). The target is in the program, so no name is needed here.
  public func attachBTFTracepoint(label: String) throws -> BPFAttachment {
    let fd = bpf_raw_tracepoint_open(nil, self.fd)
    try checked("bpf_raw_tracepoint_open(tp_btf \(label))", fd)
    return BPFAttachment(
      kind: .rawTracepoint, target: label, cookie: 0, usesLinks: true,
      fds: [OwnedDescriptor(adopting: fd)])
  }
}
