import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// A verified, loaded BPF program owned by this process.
///
/// Instructions come in as `[UInt64]`, one `struct bpf_insn` per element in little-endian
/// memory order: `code | dst << 8 | src << 12 | off << 16 | imm << 32`.
public final class BPFProgram: @unchecked Sendable {
  public enum ProgramType: Sendable, Equatable {
    case socketFilter, kprobe, tracepoint, rawTracepoint, perfEvent, tracing
    /// Any other kernel program type, by its `enum bpf_prog_type` number.
    case other(UInt32)

    var kernelType: bpf_prog_type {
      switch self {
      case .socketFilter: return BPF_PROG_TYPE_SOCKET_FILTER
      case .kprobe: return BPF_PROG_TYPE_KPROBE
      case .tracepoint: return BPF_PROG_TYPE_TRACEPOINT
      case .rawTracepoint: return BPF_PROG_TYPE_RAW_TRACEPOINT
      case .perfEvent: return BPF_PROG_TYPE_PERF_EVENT
      case .tracing: return BPF_PROG_TYPE_TRACING
      case .other(let n): return bpf_prog_type(rawValue: n)
      }
    }
  }

  /// `expected_attach_type` values the engine uses.
  public enum AttachType: Sendable, Equatable {
    case perfEvent, traceFentry, traceFexit, traceRawTp, traceIter, kprobeMulti
    case other(UInt32)

    var kernelType: bpf_attach_type {
      switch self {
      case .perfEvent: return BPF_PERF_EVENT
      case .traceFentry: return BPF_TRACE_FENTRY
      case .traceFexit: return BPF_TRACE_FEXIT
      case .traceRawTp: return BPF_TRACE_RAW_TP
      case .traceIter: return BPF_TRACE_ITER
      case .kprobeMulti: return BPF_TRACE_KPROBE_MULTI
      case .other(let n): return bpf_attach_type(rawValue: n)
      }
    }
  }

  /// When to ask the verifier for its log.
  public enum VerifierLog: Sendable, Equatable {
    /// Load without a log; on failure load again with level 1 to explain it (the fast path).
    case onFailure
    /// Always capture the log at this level (1: verdicts, 2: every instruction state, |4: stats),
    /// e.g. for a `-d verifier` dump. The text is in `verifierLog`.
    case always(level: UInt32)
  }

  public struct Options: Sendable {
    public var expectedAttachType: AttachType?
    /// BTF type id of the attach target (fentry/fexit/tp_btf/iter).
    public var attachBTFID: UInt32?
    public var license: String
    public var verifierLog: VerifierLog
    /// Instruction indices where callbacks start (see `Encoder.subprogramStarts`); the kernel needs
    /// BTF function info for them.
    public var subprogramStarts: [Int] = []
    public init(
      expectedAttachType: AttachType? = nil, attachBTFID: UInt32? = nil, license: String = "GPL",
      verifierLog: VerifierLog = .onFailure
    ) {
      self.expectedAttachType = expectedAttachType
      self.attachBTFID = attachBTFID
      self.license = license
      self.verifierLog = verifierLog
    }
  }

  public let type: ProgramType
  public let expectedAttachType: AttachType?
  public let name: String
  public let descriptor: OwnedDescriptor
  /// The verifier log when `.always` was requested; nil otherwise.
  public let verifierLog: String?

  public var fd: Int32 { descriptor.rawValue }

  /// Loads (and verifies) a program. Throws `VerifierRejection` with the full log when the
  /// verifier refuses it, `BPFError` for anything else (permissions, unsupported type...).
  public init(
    instructions: [UInt64], type: ProgramType, name: String, options: Options = Options()
  ) throws {
    let clean = BPFMap.sanitize(name: name)
    self.type = type
    self.expectedAttachType = options.expectedAttachType
    self.name = clean
    switch options.verifierLog {
    case .onFailure:
      let r = BPFProgram.rawLoad(instructions, type, clean, options, logLevel: 0, logSize: 0)
      if r.fd >= 0 {
        descriptor = OwnedDescriptor(adopting: r.fd)
        verifierLog = nil
        return
      }
      // Explain the failure: load again with a log.
      let again = BPFProgram.loadWithLog(instructions, type, clean, options, level: 1)
      if again.fd >= 0 {
        // Loaded the second time (a transient failure); keep it.
        descriptor = OwnedDescriptor(adopting: again.fd)
        verifierLog = nil
        return
      }
      throw BPFProgram.failure(clean, errno: -r.fd, log: again.log, truncated: again.truncated)
    case .always(let level):
      let r = BPFProgram.loadWithLog(instructions, type, clean, options, level: max(level, 1))
      if r.fd < 0 { throw BPFProgram.failure(clean, errno: -r.fd, log: r.log, truncated: r.truncated) }
      descriptor = OwnedDescriptor(adopting: r.fd)
      verifierLog = r.log
    }
  }

  private static func failure(_ name: String, errno: Int32, log: String, truncated: Bool) -> Error {
    // An empty log means the verifier never ran (EPERM, unknown type, bad attributes).
    if log.isEmpty { return BPFError("bpf_prog_load(\(name))", errno: errno) }
    return VerifierRejection(programName: name, errno: errno, log: log, logTruncated: truncated)
  }

  /// One BPF_PROG_LOAD. Returns the fd or -errno, and the log text if a buffer was given.
  private static func rawLoad(
    _ insns: [UInt64], _ type: ProgramType, _ name: String, _ options: Options,
    logLevel: UInt32, logSize: Int
  ) -> (fd: Int32, log: String) {
    var opts = bpf_prog_load_opts()
    opts.sz = MemoryLayout<bpf_prog_load_opts>.size
    opts.kern_version = 0
    if let t = options.expectedAttachType { opts.expected_attach_type = t.kernelType }
    if let id = options.attachBTFID { opts.attach_btf_id = id }
    var logBuffer = [CChar](repeating: 0, count: max(logSize, 1))
    var functions: [bpf_func_info] = []
    if !options.subprogramStarts.isEmpty {
      guard let btf = SubprogramBTF.shared else { return (-EOPNOTSUPP, "") }
      opts.prog_btf_fd = UInt32(btf.fd)
      functions = [bpf_func_info(insn_off: 0, type_id: btf.mainID)]
      functions += options.subprogramStarts.map { bpf_func_info(insn_off: UInt32($0), type_id: btf.callbackID) }
      opts.func_info_rec_size = UInt32(MemoryLayout<bpf_func_info>.stride)
      opts.func_info_cnt = UInt32(functions.count)
    }
    let fd = functions.withUnsafeBufferPointer { fi in
      opts.func_info = fi.isEmpty ? nil : UnsafeRawPointer(fi.baseAddress)
      return insns.withUnsafeBytes { raw -> Int32 in
        let p = raw.baseAddress?.assumingMemoryBound(to: bpf_insn.self)
        return logBuffer.withUnsafeMutableBufferPointer { lb -> Int32 in
          if logSize > 0 {
            opts.log_level = logLevel
            opts.log_size = UInt32(logSize)
            opts.log_buf = lb.baseAddress
          }
          return bpf_prog_load(type.kernelType, name, options.license, p, insns.count, &opts)
        }
      }
    }
    let log = logSize > 0 ? logBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : ""
    return (fd, log)
  }

  /// Loads with a log, growing the buffer while the kernel says it was too small (ENOSPC).
  private static func loadWithLog(
    _ insns: [UInt64], _ type: ProgramType, _ name: String, _ options: Options, level: UInt32
  ) -> (fd: Int32, log: String, truncated: Bool) {
    var size = level >= 2 ? 4 << 20 : 256 << 10
    let maxSize = 256 << 20  // the kernel's limit is ~1 GiB; 256 MiB of text is plenty
    while true {
      let r = rawLoad(insns, type, name, options, logLevel: level, logSize: size)
      if r.fd == -ENOSPC && size < maxSize {
        size *= 4
        continue
      }
      return (r.fd, r.log, r.fd == -ENOSPC)
    }
  }

  // MARK: - Introspection

  /// What `bpf_obj_get_info_by_fd` says about the loaded program.
  public struct Info: Sendable {
    public var id: UInt32
    public var name: String
    public var xlatedLength: Int
    public var jitedLength: Int
    /// Total time in the program and number of runs; 0 unless bpf stats are on (`BPFStats`).
    public var runTimeNs: UInt64
    public var runCount: UInt64
    public var recursionMisses: UInt64
    public var verifiedInstructions: UInt32
  }

  public func info() throws -> Info {
    var info = bpf_prog_info()
    try fetchInfo(&info)
    let name = withUnsafeBytes(of: info.name) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    return Info(
      id: info.id, name: name, xlatedLength: Int(info.xlated_prog_len),
      jitedLength: Int(info.jited_prog_len), runTimeNs: info.run_time_ns, runCount: info.run_cnt,
      recursionMisses: info.recursion_misses, verifiedInstructions: info.verified_insns)
  }

  public var id: UInt32 { (try? info().id) ?? 0 }

  /// The program as the kernel rewrote it (after verifier fixups), 8 bytes per instruction.
  public func xlatedInstructions() throws -> [UInt64] {
    let length = try info().xlatedLength
    var out = [UInt64](repeating: 0, count: length / 8)
    var info = bpf_prog_info()
    try out.withUnsafeMutableBytes { buf in
      info.xlated_prog_len = UInt32(buf.count)
      info.xlated_prog_insns = UInt64(UInt(bitPattern: buf.baseAddress))
      try fetchInfo(&info)
    }
    return out
  }

  /// The JIT-compiled machine code (empty if the JIT is off or restricted).
  public func jitedBytes() throws -> [UInt8] {
    let length = try info().jitedLength
    if length == 0 { return [] }
    var out = [UInt8](repeating: 0, count: length)
    var info = bpf_prog_info()
    try out.withUnsafeMutableBytes { buf in
      info.jited_prog_len = UInt32(buf.count)
      info.jited_prog_insns = UInt64(UInt(bitPattern: buf.baseAddress))
      try fetchInfo(&info)
    }
    return out
  }

  private func fetchInfo(_ info: inout bpf_prog_info) throws {
    var len = UInt32(MemoryLayout<bpf_prog_info>.size)
    let r = bpf_obj_get_info_by_fd(fd, &info, &len)
    try checked("bpf_obj_get_info_by_fd(program \(name))", r)
  }

  // MARK: - Run once

  /// Runs the program once in the kernel (BPF_PROG_TEST_RUN) and returns its r0.
  /// This is how BEGIN/END run: a `.rawTracepoint` program with an optional context
  /// (up to 12 u64 arguments). `cpu` pins the run to a CPU.
  @discardableResult
  public func runOnce(context: [UInt64] = [], cpu: UInt32? = nil) throws -> UInt32 {
    var opts = bpf_test_run_opts()
    opts.sz = MemoryLayout<bpf_test_run_opts>.size
    if let cpu {
      opts.cpu = cpu
      opts.flags = 1  // BPF_F_TEST_RUN_ON_CPU
    }
    var ctx = context
    let r = ctx.withUnsafeMutableBytes { raw -> Int32 in
      if !raw.isEmpty {
        opts.ctx_in = UnsafeRawPointer(raw.baseAddress)
        opts.ctx_size_in = UInt32(raw.count)
      }
      return bpf_prog_test_run_opts(fd, &opts)
    }
    try checked("bpf_prog_test_run_opts(\(name))", r)
    return opts.retval
  }
}
