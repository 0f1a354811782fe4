import CBPFShim
import CLibbpf
import Glibc

/// A program attached somewhere. Everything is held by file descriptors of this process: closing
/// them (on `detach()`, deinit, or process death) detaches, so nothing is ever left behind.
public final class Attachment: @unchecked Sendable {
  private var descriptors: [OwnedDescriptor]
  public let targetName: String

  init(targetName: String, descriptors: [OwnedDescriptor]) {
    self.targetName = targetName
    self.descriptors = descriptors
  }

  public func detach() { descriptors.removeAll() }

  /// Opens a perf event and links `program` to it with `cookie`.
  static func perfEvent(
    program: BPFProgram, name: String, type: UInt32, config: UInt64, config1: UInt64 = 0, config2: UInt64 = 0,
    period: UInt64 = 0, frequency: Bool = false, pid: Int32 = -1, cpus: [Int32] = [0], cookie: UInt64
  ) throws -> Attachment {
    var held: [OwnedDescriptor] = []
    for cpu in cpus {
      let fd = bpfrepl_perf_event_open(type, config, config1, config2, period, frequency ? 1 : 0, pid, cpu)
      guard fd >= 0 else { throw BPFError("perf_event_open(\(name))", errno: -fd) }
      let perf = OwnedDescriptor(adopting: fd)
      var opts = bpf_link_create_opts()
      opts.sz = MemoryLayout<bpf_link_create_opts>.size
      opts.perf_event.bpf_cookie = cookie
      let link = bpf_link_create(program.fd, fd, BPF_PERF_EVENT, &opts)
      guard link >= 0 else { throw BPFError("bpf_link_create(\(name))", errno: -link) }
      held.append(perf)
      held.append(OwnedDescriptor(adopting: link))
    }
    return Attachment(targetName: name, descriptors: held)
  }

  public static func tracepoint(program: BPFProgram, category: String, name: String, cookie: UInt64) throws -> Attachment {
    let id = try Tracefs.tracepointID(category: category, name: name)
    return try perfEvent(
      program: program, name: "tracepoint:\(category):\(name)", type: bpfrepl_perf_type_tracepoint, config: id,
      cookie: cookie)
  }

  /// Software clock events: `interval` on one CPU, `profile` on every online CPU.
  public static func softwareEvent(
    program: BPFProgram, name: String, config: UInt64, period: UInt64, frequency: Bool, allCPUs: Bool, cookie: UInt64
  ) throws -> Attachment {
    let cpus: [Int32] = allCPUs ? onlineCPUs() : [0]
    return try perfEvent(
      program: program, name: name, type: bpfrepl_perf_type_software, config: config, period: period,
      frequency: frequency, cpus: cpus, cookie: cookie)
  }

  public static func rawTracepoint(program: BPFProgram, name: String) throws -> Attachment {
    let fd = bpf_raw_tracepoint_open(name, program.fd)
    guard fd >= 0 else { throw BPFError("bpf_raw_tracepoint_open(\(name))", errno: -fd) }
    return Attachment(targetName: "rawtracepoint:\(name)", descriptors: [OwnedDescriptor(adopting: fd)])
  }

  /// Runs a raw-tracepoint program once (BEGIN, END and a cell's immediate statements).
  public static func runOnce(_ program: BPFProgram) throws {
    var ctx = [UInt64](repeating: 0, count: 8)
    var opts = bpf_test_run_opts()
    opts.sz = MemoryLayout<bpf_test_run_opts>.size
    let err = ctx.withUnsafeMutableBytes { buf -> Int32 in
      opts.ctx_in = UnsafeRawPointer(buf.baseAddress)
      opts.ctx_size_in = UInt32(buf.count)
      return bpf_prog_test_run_opts(program.fd, &opts)
    }
    guard err == 0 else { throw BPFError("bpf_prog_test_run(\(program.name))", errno: -err) }
  }

  static func onlineCPUs() -> [Int32] {
    guard let text = Tracefs.read("/sys/devices/system/cpu/online") else { return [0] }
    var cpus: [Int32] = []
    for part in text.trimmed.split(separator: ",") {
      let bounds = part.split(separator: "-").compactMap { Int32($0) }
      if bounds.count == 2 { cpus += Array(bounds[0]...bounds[1]) } else if let c = bounds.first { cpus.append(c) }
    }
    return cpus.isEmpty ? [0] : cpus
  }
}
