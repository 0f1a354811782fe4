/// Upstream standard-library functions computed in the kernel: nsecs(mode), bswap, assert,
/// percpu_kaddr, write_user, override and debugf.
extension ProgramGenerator {
  func stdlibCall(_ name: String, _ args: [Expr], _ e: Expr) throws -> Value {
    switch name {
    case "kptr", "uptr":
      return try emit(args[0])
    case "static_assert", "fail":
      return .void  // decided by Sema
    case "reg":
      guard case .string(let name) = args[0].kind, let off = PtRegs.offset(of: name.text) else {
        throw fail("reg() expects a register name", e.range)
      }
      let t = try newTemp(at: e.range)
      asm.emit(.load(.dw, .r1, .r6, off))
      setTemp(t, from: .r1)
      return t
    case "comm":
      return try commOfProcess(args[0], e)
    case "nsecs":
      var helper = BPFHelper.ktimeGetBootNs
      if case .identifier(let mode)? = args.first?.kind {
        switch mode {
        case "monotonic": helper = .ktimeGetNs
        // The kernel reads CLOCK_TAI itself (6.1+): no user-space approximation is needed for sw_tai.
        case "tai", "sw_tai": helper = .ktimeGetTaiNs
        default: break
        }
      }
      asm.call(helper)
      return try helperless(.r0, e)
    case "bswap":
      let v = try owned(try emit(args[0]), at: e.range)
      let bits = e.type.size * 8
      load(v, into: .r1)
      if bits >= 16 {
        asm.emit(.endian(.r1, bits: Int32(bits), toBigEndian: true))
      } else {
        asm.emit(.alu64(.and, .r1, .imm(0xff)))
      }
      setTemp(v, from: .r1)
      return v
    case "assert":
      try assertion(args, e)
      return .void
    case "percpu_kaddr":
      return try percpuAddress(args, e)
    case "write_user":
      return try writeUser(args, e)
    case "override":
      // bpf_override_return(ctx, rc): kprobes only (Sema checks), so loading it needs kprobe support.
      let rc = try emit(args[0])
      load(rc, into: .r2)
      release(rc)
      asm.mov(.r1, .r6)
      asm.call(.overrideReturn)
      return .void
    case "debugf":
      try debugf(args, e)
      return .void
    case "path":
      // bpf_d_path(path, buf, size) writes the NUL-terminated path into buf.
      let ptr = try spillToSlot(try owned(try emit(args[0]), at: e.range))
      let size = e.type.size
      let buf = try allocate(size, at: e.range)
      try zero(buf, size)
      asm.emit(.load(.dw, .r1, fp, ptr))
      pointer(.r2, toStack: buf)
      asm.mov(.r3, Int32(size))
      asm.call(.dPath)
      return .bytes(buf, size: size)
    case "socket_cookie":
      let sk = try emit(args[0])
      load(sk, into: .r1)
      release(sk)
      asm.call(.getSocketCookie)
      return try helperless(.r0, e)
    case "unwatch":
      throw fail(
        "unwatch() removes watchpoints, and bpfrepl has no watchpoint probes (this machine has no hardware breakpoints)",
        e.range)
    default:
      throw fail("internal: \(name) is not a stdlib function", e.range)
    }
  }

  /// assert(cond, msg): when cond is false, an error "assert failed: msg" and exit(1).
  private func assertion(_ args: [Expr], _ e: Expr) throws {
    let holds = asm.newLabel()
    // Through a register even for a constant: a folded jump would leave the failure path unreachable,
    // which the verifier rejects.
    let condition = try owned(try emit(args[0]), at: e.range)
    load(condition, into: .r1)
    release(condition)
    asm.emit(.jumpIf(.ne, .r1, .imm(0), holds))
    let message = MapDefinition.widened(args[1].type)
    let failed = resources.events.register(
      .printf(format: "assert failed: %s", argumentTypes: [message], severity: "ERROR"), payload: [message],
      range: e.range)
    try sendEvent(failed, [args[1]], at: e.range)
    let exit = resources.events.register(.exit, payload: [.int64], range: e.range)
    try sendEvent(exit, [], at: e.range, defaults: [.constant(1)])
    asm.emit(.jump(returnLabel))
    asm.bind(holds)
  }

  /// percpu_kaddr("var" [, cpu]): the address of a per-CPU kernel variable on this CPU or on
  /// `cpu` (0 for a CPU that does not exist), found by the verifier from its vmlinux BTF id.
  private func percpuAddress(_ args: [Expr], _ e: Expr) throws -> Value {
    guard case .string(let name) = args[0].kind else { throw fail("percpu_kaddr() expects a string literal", e.range) }
    guard let id = resources.types?.kernelVariableID(named: name.text) else {
      throw fail("Could not resolve variable \"\(name)\" from BTF", args[0].range)
    }
    if args.count == 2 {
      let cpu = try spillToSlot(try owned(try emit(args[1]), at: e.range))
      asm.emit(.loadKernelVariable(.r1, btfID: id))
      asm.emit(.load(.dw, .r2, fp, cpu))
      asm.call(.perCpuPtr)
    } else {
      asm.emit(.loadKernelVariable(.r1, btfID: id))
      asm.call(.thisCpuPtr)
    }
    return try helperless(.r0, e)
  }

  /// write_user(dst, src, len): bpf_probe_write_user of at most the source's bytes; true when written.
  private func writeUser(_ args: [Expr], _ e: Expr) throws -> Value {
    guard resources.environment.unsafe else {
      throw fail("write_user() is unsafe. To use you need the --unsafe flag", e.range)
    }
    let dst = try spillToSlot(try owned(try emit(args[0]), at: e.range))
    var source = try emit(args[1])
    if case .bytes = source {
    } else {
      let off = try allocate(8, at: e.range)
      try store(source, type: args[1].type, to: off, as: .uint64)
      source = .bytes(off, size: 8)
    }
    guard case .bytes(let src, let size) = source else { throw fail("internal: write_user source", e.range) }
    let length = try spillToSlot(try owned(try emit(args[2]), at: e.range))
    // The verifier needs a length bounded by the source buffer: clamp it to 1...size.
    let ok = asm.newLabel()
    let done = asm.newLabel()
    let result = try newTemp(at: e.range)
    asm.emit(.load(.dw, .r3, fp, length))
    asm.mov(.r0, -22)  // EINVAL for a zero or oversized length
    asm.emit(.jumpIf(.eq, .r3, .imm(0), done))
    asm.emit(.jumpIf(.gt, .r3, .imm(Int32(size)), done))
    asm.emit(.load(.dw, .r1, fp, dst))
    pointer(.r2, toStack: src)
    asm.call(.probeWriteUser)
    asm.bind(done)
    asm.mov(.r1, 0)
    asm.emit(.jumpIf(.ne, .r0, .imm(0), ok))
    asm.mov(.r1, 1)
    asm.bind(ok)
    setTemp(result, from: .r1)
    return result
  }

  /// debugf(fmt, args...): bpf_trace_printk to the kernel's trace buffer (tracefs `trace`).
  private func debugf(_ args: [Expr], _ e: Expr) throws {
    guard case .string(let format) = args[0].kind else { throw fail("debugf() needs a format string", e.range) }
    let bytes = format.bytes + [0]
    let fmt = try allocate(bytes.count, at: e.range)
    try storeLiteral(bytes, size: bytes.count, at: fmt)
    var slots: [Int16] = []
    for a in args.dropFirst() {
      let v = try emit(a)
      if case .bytes(let off, _) = v {
        // A string: trace_printk's %s takes its address.
        let slot = try allocate(8, at: a.range)
        pointer(.r1, toStack: off)
        asm.emit(.store(.dw, fp, slot, .r1))
        slots.append(slot)
      } else {
        slots.append(try spillToSlot(try owned(v, at: a.range)))
      }
    }
    pointer(.r1, toStack: fmt)
    asm.mov(.r2, Int32(bytes.count))
    for (slot, r) in zip(slots, [Register.r3, .r4, .r5]) { asm.emit(.load(.dw, r, fp, slot)) }
    asm.call(.tracePrintk)
  }

  /// len(kstack|ustack): bpf_get_stack into reserved ring-buffer memory (a full stack is larger
  /// than the BPF stack), which is then discarded; the byte count / 8 is the frame count.
  func stackLength(_ stack: Expr, _ e: Expr) throws -> Value {
    guard case .stack(let user, _, let depth) = stack.type else {
      throw fail("internal: len() of a non-stack", e.range)
    }
    let size = Int32(depth * 8)
    let result = try newTemp(at: e.range)
    let buffer = try allocate(8, at: e.range)
    let lost = asm.newLabel()
    let end = asm.newLabel()
    asm.emit(.loadMap(.r1, resources.ringBuffer))
    asm.mov(.r2, size)
    asm.mov(.r3, 0)
    asm.call(.ringbufReserve)
    asm.mov(.r1, 0)
    asm.emit(.jumpIf(.eq, .r0, .imm(0), lost))
    asm.emit(.store(.dw, fp, buffer, .r0))
    asm.mov(.r1, .r6)
    asm.mov(.r2, .r0)
    asm.mov(.r3, size)
    asm.mov(.r4, user ? 1 << 8 : 0)  // BPF_F_USER_STACK
    asm.call(.getStack)
    // Keep the count across the discard: r0 is clobbered, so park it in the result first.
    setTemp(result, from: .r0)
    asm.emit(.load(.dw, .r1, fp, buffer))
    asm.mov(.r2, 0)
    asm.call(.ringbufDiscard)
    load(result, into: .r1)
    asm.emit(.jumpIf(.sgt, .r1, .imm(0), end))
    asm.mov(.r1, 0)
    asm.emit(.jump(lost))
    asm.bind(end)
    asm.emit(.alu64(.rsh, .r1, .imm(3)))
    asm.bind(lost)
    setTemp(result, from: .r1)
    return result
  }

  /// comm(pid): bpf_task_from_pid (a referenced task, released after reading its comm); "N/A"
  /// when there is no such process.
  func commOfProcess(_ pid: Expr, _ e: Expr) throws -> Value {
    guard let fromPid = resources.types?.kernelFunctionID(named: "bpf_task_from_pid"),
      let releaseTask = resources.types?.kernelFunctionID(named: "bpf_task_release"),
      let comm = resources.types?.field("comm", of: "struct task_struct")
    else { throw fail("comm(PID) needs the bpf_task_from_pid kfunc, which this kernel's BTF lacks", e.range) }
    let buf = try allocate(16, at: e.range)
    let task = try allocate(8, at: e.range)
    let p = try emit(pid)
    load(p, into: .r1)
    release(p)
    asm.emit(.alu32(.mov, .r1, .reg(.r1)))
    asm.emit(.callKernelFunction(btfID: fromPid))
    let missing = asm.newLabel()
    let end = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
    asm.emit(.store(.dw, fp, task, .r0))
    try zero(buf, 16)
    pointer(.r1, toStack: buf)
    asm.mov(.r2, 16)
    asm.emit(.load(.dw, .r3, fp, task))
    asm.emit(.alu64(.add, .r3, .imm(Int32(comm.offset))))
    asm.call(.probeReadKernelStr)
    asm.emit(.load(.dw, .r1, fp, task))
    asm.emit(.callKernelFunction(btfID: releaseTask))
    asm.emit(.jump(end))
    asm.bind(missing)
    try storeLiteral(Array("N/A".utf8), size: 16, at: buf)
    asm.bind(end)
    return .bytes(buf, size: 16)
  }
}
