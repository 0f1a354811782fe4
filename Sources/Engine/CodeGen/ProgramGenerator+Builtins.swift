/// x86-64 `struct pt_regs` offsets, for arguments and return values of kprobe-like probes.
enum PtRegs {
  static let argumentOffsets: [Int16] = [112, 104, 96, 88, 72, 64]  // di, si, dx, cx, r8, r9
  static let returnValue: Int16 = 80  // ax

  /// reg("name"): where each register is saved.
  static let byName: [String: Int16] = [
    "r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56, "r9": 64, "r8": 72,
    "ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128, "cs": 136, "flags": 144,
    "sp": 152, "ss": 160,
  ]

  static func offset(of name: String) -> Int16? { byName[name] }
}

extension ProgramGenerator {
  func builtin(_ name: String, _ e: Expr) throws -> Value {
    func helper(_ h: BPFHelper, then transform: (() -> Void)? = nil) throws -> Value {
      asm.call(h)
      transform?()
      let t = try newTemp(at: e.range)
      setTemp(t, from: .r0)
      return t
    }
    switch name {
    case "pid": return try helper(.getCurrentPidTgid) { self.asm.emit(.alu64(.rsh, .r0, .imm(32))) }
    case "tid": return try helper(.getCurrentPidTgid) { self.asm.emit(.alu32(.mov, .r0, .reg(.r0))) }
    case "uid": return try helper(.getCurrentUidGid) { self.asm.emit(.alu32(.mov, .r0, .reg(.r0))) }
    case "gid": return try helper(.getCurrentUidGid) { self.asm.emit(.alu64(.rsh, .r0, .imm(32))) }
    // Upstream's nsecs is CLOCK_BOOTTIME (strftime() turns it into wall-clock time).
    case "nsecs": return try helper(.ktimeGetBootNs)
    case "cpid":
      let t = try newTemp(at: e.range)
      asm.emit(.loadMapValue(.r1, resources.globals, offset: 0))
      asm.emit(.load(.dw, .r1, .r1, GlobalsLayout.childPid))
      setTemp(t, from: .r1)
      return t
    case "elapsed":
      return try helper(.ktimeGetNs) {
        self.asm.emit(.loadMapValue(.r1, self.resources.globals, offset: 0))
        self.asm.emit(.load(.dw, .r1, .r1, GlobalsLayout.startNanoseconds))
        self.asm.emit(.alu64(.sub, .r0, .reg(.r1)))
      }
    case "cpu": return try helper(.getSmpProcessorId)
    case "ncpus": return .constant(Int64(BPFMap.possibleCPUs))
    case "cgroup": return try helper(.getCurrentCgroupId)
    case "rand": return try helper(.getPrandomU32)
    case "jiffies": return try helper(.jiffies64)
    case "numaid": return try helper(.getNumaNodeId)
    case "curtask": return try helper(.getCurrentTask)
    case "comm":
      let off = try allocate(16, at: e.range)
      asm.mov(.r1, fp)
      asm.emit(.alu64(.add, .r1, .imm(Int32(off))))
      asm.mov(.r2, 16)
      asm.call(.getCurrentComm)
      return .bytes(off, size: 16)
    case "kstack", "ustack":
      // bpf_get_stackid stores the frames in the session's stack map; the value is its id (and
      // the pid, which user stacks need to be symbolized).
      let off = try allocate(16, at: e.range)
      asm.mov(.r1, .r6)
      asm.emit(.loadMap(.r2, resources.stacks))
      asm.mov(.r3, name == "ustack" ? 1 << 8 : 0)  // BPF_F_USER_STACK
      asm.call(.getStackid)
      asm.emit(.store(.dw, fp, off, .r0))
      if name == "ustack" {
        asm.call(.getCurrentPidTgid)
        asm.emit(.alu64(.rsh, .r0, .imm(32)))
        asm.emit(.store(.dw, fp, off + 8, .r0))
      } else {
        // Kernel stacks are the same whoever took them: no pid, so equal stacks share a key.
        asm.emit(.storeImm(.dw, fp, off + 8, 0))
      }
      return .bytes(off, size: 16)
    case "func":
      return try funcBuiltin(e)
    case "ctx":
      return try helperless(.r6, e)
    case "probe":
      if let id = staticProbeID { return .constant(Int64(id)) }
      asm.mov(.r1, .r6)
      // usdt cookies carry the location's operand variant in their upper half.
      if context.usdtArguments != nil {
        return try helper(.getAttachCookie) { self.asm.emit(.alu32(.mov, .r0, .reg(.r0))) }
      }
      return try helper(.getAttachCookie)
    case "retval":
      let t = try newTemp(at: e.range)
      asm.emit(.load(.dw, .r1, .r6, PtRegs.returnValue))
      setTemp(t, from: .r1)
      return t
    default:
      if name.hasPrefix("arg"), let n = Int(name.dropFirst(3)), let usdt = context.usdtArguments {
        return try usdtArgument(n, usdt, e)
      }
      if name.hasPrefix("arg"), let n = Int(name.dropFirst(3)), n < PtRegs.argumentOffsets.count {
        let t = try newTemp(at: e.range)
        asm.emit(.load(.dw, .r1, .r6, PtRegs.argumentOffsets[n]))
        setTemp(t, from: .r1)
        return t
      }
      throw fail("The \(name) builtin is not supported yet", e.range)
    }
  }

  /// `args->name` / `args.name`: a field of the tracepoint record that ctx points to.
  func tracepointField(_ name: String, _ e: Expr) throws -> Value {
    guard let field = context.tracepointFields?.first(where: { $0.name == name }) else {
      throw fail("Can't find a field \(name) in the tracepoint's args", e.range)
    }
    let offset = Int16(field.offset)
    switch e.type {
    case .string(let size) where field.isDataLoc:
      // __data_loc: the low 16 bits locate the data relative to the record start.
      let off = try allocate(size, at: e.range)
      try zero(off, size)
      asm.emit(.load(.w, .r3, .r6, offset))
      asm.emit(.alu64(.and, .r3, .imm(0xffff)))
      asm.emit(.alu64(.add, .r3, .reg(.r6)))
      asm.mov(.r1, fp)
      asm.emit(.alu64(.add, .r1, .imm(Int32(off))))
      asm.mov(.r2, Int32(size))
      asm.call(.probeReadKernelStr)
      return .bytes(off, size: size)
    case .string(let size), .buffer(let size),
      .array(_, let size) where size > 0:
      let n = e.type.size
      _ = size
      let off = try allocate(n, at: e.range)
      if case .string = e.type { try zero(off, n) }
      asm.mov(.r1, fp)
      asm.emit(.alu64(.add, .r1, .imm(Int32(off))))
      asm.mov(.r2, Int32(n))
      asm.mov(.r3, .r6)
      asm.emit(.alu64(.add, .r3, .imm(Int32(offset))))
      // Strings stop at their NUL (the rest stays zero), so equal strings make equal map keys.
      if case .string = e.type { asm.call(.probeReadKernelStr) } else { asm.call(.probeReadKernel) }
      return .bytes(off, size: n)
    default:
      let t = try newTemp(at: e.range)
      let size = min(8, max(1, field.size))
      asm.emit(.load(MemorySize(bytes: size) ?? .dw, .r1, .r6, offset))
      if field.isSigned { extend(.r1, bits: size * 8, signed: true) }
      setTemp(t, from: .r1)
      return t
    }
  }

  /// Reads `size` bytes of kernel memory at the address in `pointer` into the integer temp `into`.
  /// `anyAddressSpace`: the address may be user memory (a user pointer, or a bare integer), read
  /// with bpf_probe_read, which picks the address space by address on x86-64.
  func readKernel(
    pointer: Value, size: Int, signed: Bool, into t: Value, at range: SourceRange, anyAddressSpace: Bool = false
  ) throws {
    let buf = try allocate(8, at: range)
    asm.emit(.storeImm(.dw, fp, buf, 0))
    load(pointer, into: .r3)
    asm.mov(.r1, fp)
    asm.emit(.alu64(.add, .r1, .imm(Int32(buf))))
    asm.mov(.r2, Int32(size))
    asm.call(anyAddressSpace ? .probeRead : .probeReadKernel)
    asm.emit(.load(MemorySize(bytes: size) ?? .dw, .r1, fp, buf))
    if signed { extend(.r1, bits: size * 8, signed: true) }
    setTemp(t, from: .r1)
  }
}

/// Reading kernel memory through pointers: struct fields found through BTF, array elements, `*p`.
extension ProgramGenerator {
  /// `base->name` / `base.name`, where `base` holds the address of a `record`.
  func recordField(_ base: Value, record: String, _ name: String, _ e: Expr) throws -> Value {
    guard let f = resources.types?.field(name, of: record) else {
      throw fail("Struct/union of type '\(record)' does not contain a field named '\(name)'", e.range)
    }
    let bitfield = f.bitfieldSize > 0 ? (f.bitOffset, f.bitfieldSize) : nil
    return try readMemory(at: base, offset: f.offset, type: e.type, bitfield: bitfield, at: e.range)
  }

  /// The value of `type` at `address + offset`: nested structs and arrays stay addresses, strings
  /// are copied to the stack, scalars read with bpf_probe_read_kernel (zero when unreadable).
  func readMemory(at address: Value, offset: Int, type: BPFType, bitfield: (Int, Int)?, at range: SourceRange) throws
    -> Value
  {
    switch type {
    case .record, .array:
      return try arithmetic(.add, address, .constant(Int64(offset)), signed: false)
    case .string(let n):
      return try readString(at: address, offset: offset, size: n, at: range)
    default:
      let t = try owned(try arithmetic(.add, address, .constant(Int64(offset)), signed: false), at: range)
      if let (bitOffset, bits) = bitfield {
        // Read the 8 bytes holding the bitfield, then shift and mask it out.
        let start = bitOffset / 8 - offset
        if start != 0 {
          load(t, into: .r1)
          asm.emit(.alu64(.add, .r1, .imm(Int32(start))))
          setTemp(t, from: .r1)
        }
        try readKernel(pointer: t, size: 8, signed: false, into: t, at: range, anyAddressSpace: context.isUserSpace)
        load(t, into: .r1)
        asm.emit(.alu64(.rsh, .r1, .imm(Int32(bitOffset % 8))))
        asm.emit(.alu64(.and, .r1, .imm(Int32(truncatingIfNeeded: (Int64(1) << Int64(bits)) - 1))))
        setTemp(t, from: .r1)
        return t
      }
      let size = max(1, min(8, type.size))
      // In uprobes a cast pointer is usually user memory; the generic helper reads either.
      try readKernel(
        pointer: t, size: size, signed: type.isSigned, into: t, at: range, anyAddressSpace: context.isUserSpace)
      return t
    }
  }

  func readString(at address: Value, offset: Int, size: Int, at range: SourceRange) throws -> Value {
    let pointerSlot = try spillToSlot(try owned(address, at: range))
    let off = try allocate(size, at: range)
    try zero(off, size)
    pointer(.r1, toStack: off)
    asm.mov(.r2, Int32(size))
    asm.emit(.load(.dw, .r3, fp, pointerSlot))
    if offset != 0 { asm.emit(.alu64(.add, .r3, .imm(Int32(offset)))) }
    // Up to the NUL only: bytes after it are leftovers that would make equal strings unequal keys.
    asm.call(context.isUserSpace ? .probeReadStr : .probeReadKernelStr)
    return .bytes(off, size: size)
  }
}

extension ProgramGenerator {
  /// A register's value as an owned temporary.
  func helperless(_ r: Register, _ e: Expr) throws -> Value {
    let t = try newTemp(at: e.range)
    setTemp(t, from: r)
    return t
  }
}
