/// String and byte functions computed in the kernel: str, strncmp, strcontains, buf, macaddr, pton,
/// and the values user space formats later (strerror, strftime).
extension ProgramGenerator {
  func stringCall(_ name: String, _ args: [Expr], _ e: Expr) throws -> Value {
    switch name {
    case "str": return try str(args, e)
    case "strncmp": return try strncmp(args, e)
    case "strcontains": return try strcontains(args, e)
    case "buf": return try buf(args, e)
    case "macaddr": return try macaddr(args, e)
    case "strlen": return try strlen(args, e)
    case "pton":
      guard case .string(let text) = args[0].kind, let bytes = InternetAddress.parse(text.text) else {
        throw fail("pton() expects an IPv4 or IPv6 address literal", args[0].range)
      }
      let off = try allocate(bytes.count, at: e.range)
      try storeLiteral(bytes, size: bytes.count, at: off)
      return .bytes(off, size: bytes.count)
    case "signal_name", "syscall_name":
      return try owned(try emit(args[0]), at: e.range)
    case "strstr": return try strstr(args, e)
    case "str_concat": return try strConcat(args, e)
    case "memcmp": return try memcmp(args, e)
    case "strerror":
      // Integers are 64-bit (sign-extended) in registers: user space takes the magnitude.
      return try owned(try emit(args[0]), at: e.range)
    case "strftime":
      guard case .string(let formatBytes) = args[0].kind else {
        throw fail("strftime() expects a string literal", args[0].range)
      }
      let format = formatBytes.text
      let off = try allocate(16, at: e.range)
      asm.emit(.storeImm(.dw, fp, off, Int32(resources.environment.timeFormatID(format))))
      try store(try emit(args[1]), type: args[1].type, to: off + 8, as: .uint64)
      return .bytes(off, size: 16)
    default:
      throw fail("internal: \(name) is not a string function", e.range)
    }
  }

  /// The probe_read helper for memory at an address of `type`: user memory in uprobes and for
  /// `__user` pointers; otherwise the compat helper, which on x86-64 reads user or kernel memory
  /// by the address (syscall tracepoint arguments such as `args->buf` are user pointers that
  /// their format files do not mark).
  func readHelper(for type: BPFType, string: Bool) -> BPFHelper {
    var user = context.isUserSpace
    if case .pointer(_, let u) = type { user = u || context.isUserSpace }
    if string { return user ? .probeReadUserStr : .probeReadStr }
    return user ? .probeReadUser : .probeRead
  }

  /// str(ptr [, n]): at most n - 1 characters and a NUL (upstream's bpf_probe_read_str size is
  /// min(n, max)); a string argument is returned as it is.
  private func str(_ args: [Expr], _ e: Expr) throws -> Value {
    let source = try emit(args[0])
    let size = e.type.size
    if case .bytes(let src, let srcSize) = source {
      // Already a string: only a literal length shortens it (to n - 1 characters).
      // (Sema keeps the string's own type when the length does not shorten it.)
      guard args.count == 2, isLiteral(args[1]), size < srcSize else { return source }
      let off = try allocate(size, at: e.range)
      try zero(off, size)
      copy(from: fp, src, to: fp, off, size: max(0, size - 2))
      return .bytes(off, size: size)
    }
    let ptr = try spillToSlot(try owned(source, at: e.range))
    var length: Int16? = nil
    if args.count == 2, !isLiteral(args[1]) { length = try spillToSlot(try owned(try emit(args[1]), at: e.range)) }
    let off = try allocate(size, at: e.range)
    try zero(off, size)
    pointer(.r1, toStack: off)
    if let length {
      try clampedLength(from: length, max: Int32(size), into: .r2)
    } else if args.count == 2, case .integer(let n, _) = args[1].kind {
      // n bytes: n - 1 characters and the NUL (the buffer has room for n + 1, capped).
      asm.mov(.r2, Int32(min(Int(n), size)))
    } else {
      asm.mov(.r2, Int32(size))
    }
    asm.emit(.load(.dw, .r3, fp, ptr))
    asm.call(.probeReadStr)
    return .bytes(off, size: size)
  }

  private func isLiteral(_ e: Expr) -> Bool {
    if case .integer = e.kind { return true }
    return false
  }

  /// r = min(value at slot, max) as an unsigned bound the verifier can see.
  private func clampedLength(from slot: Int16, max: Int32, into r: Register) throws {
    let ok = asm.newLabel()
    asm.emit(.load(.dw, r, fp, slot))
    asm.emit(.jumpIf(.le, r, .imm(max), ok))
    asm.mov(r, max)
    asm.bind(ok)
  }

  /// strncmp(a, b, n): 0 when the first n characters match (up to a common NUL), else 1.
  private func strncmp(_ args: [Expr], _ e: Expr) throws -> Value {
    guard case .integer(let n, _) = args[2].kind else { throw fail("strncmp() needs a literal length", args[2].range) }
    let va = try emit(args[0])
    let vb = try emit(args[1])
    guard case .bytes(let oa, let sa) = va, case .bytes(let ob, let sb) = vb else {
      throw fail("internal: string not in memory", e.range)
    }
    let count = Int(min(n, UInt64(min(sa, sb))))
    if count == 0 { return .constant(0) }
    let result = try newTemp(at: e.range)
    let differ = asm.newLabel()
    let same = asm.newLabel()
    let end = asm.newLabel()
    for i in 0..<count {
      asm.emit(.load(.b, .r1, fp, oa + Int16(i)))
      asm.emit(.load(.b, .r2, fp, ob + Int16(i)))
      asm.emit(.jumpIf(.ne, .r1, .reg(.r2), differ))
      asm.emit(.jumpIf(.eq, .r1, .imm(0), same))
    }
    return flag(zeroAt: same, oneAt: differ, end: end, into: result)
  }

  /// strcontains(haystack, "needle"): tries each start before the haystack's NUL.
  private func strcontains(_ args: [Expr], _ e: Expr) throws -> Value {
    guard case .string(let needleText) = args[1].kind else { return try strcontainsRuntime(args, e) }
    let needle = needleText.bytes
    if needle.isEmpty { return .constant(1) }
    // No room for it: known now (and code for it would be unreachable, which the verifier rejects).
    if needle.count > args[0].type.size { return .constant(0) }
    let hay = try emit(args[0])
    guard case .bytes(let off, let size) = hay, needle.count <= size else {
      throw fail("internal: string not in memory", e.range)
    }
    let result = try newTemp(at: e.range)
    let found = asm.newLabel()
    let missing = asm.newLabel()
    let end = asm.newLabel()
    for start in 0...(size - needle.count) {
      let next = asm.newLabel()
      for (k, byte) in needle.enumerated() {
        asm.emit(.load(.b, .r1, fp, off + Int16(start + k)))
        // The haystack ends before a match could start here.
        if k == 0 { asm.emit(.jumpIf(.eq, .r1, .imm(0), missing)) }
        asm.emit(.jumpIf(.ne, .r1, .imm(Int32(byte)), next))
      }
      asm.emit(.jump(found))
      asm.bind(next)
    }
    return flag(zeroAt: missing, oneAt: found, end: end, into: result)
  }

  /// buf(data, n) / buf(array): a u32 length, padding, then the bytes (see BPFType.sizedBuffer).
  private func buf(_ args: [Expr], _ e: Expr) throws -> Value {
    guard case .sizedBuffer(let capacity) = e.type else { throw fail("internal: buf() without a buffer type", e.range) }
    let off = try allocate(8 + capacity, at: e.range)
    try zero(off, 8 + capacity)
    let source = try emit(args[0])
    if case .bytes(let src, let size) = source {
      // Already in memory (an array or a string): copy what fits.
      let n = min(size, capacity)
      copy(from: fp, src, to: fp, off + 8, size: n)
      asm.emit(.storeImm(.w, fp, off, Int32(n)))
      return .bytes(off, size: 8 + capacity)
    }
    let ptr = try spillToSlot(try owned(source, at: e.range))
    if args.count == 2, case .integer(let n, _) = args[1].kind {
      asm.mov(.r2, Int32(min(Int(n), capacity)))
    } else if args.count == 2 {
      let length = try spillToSlot(try owned(try emit(args[1]), at: e.range))
      try clampedLength(from: length, max: Int32(capacity), into: .r2)
    } else {
      asm.mov(.r2, Int32(capacity))
    }
    asm.emit(.store(.w, fp, off, .r2))
    pointer(.r1, toStack: off + 8)
    asm.emit(.load(.dw, .r3, fp, ptr))
    asm.call(readHelper(for: args[0].type, string: false))
    return .bytes(off, size: 8 + capacity)
  }

  /// macaddr(x): six bytes, from memory already read or from the address x.
  private func macaddr(_ args: [Expr], _ e: Expr) throws -> Value {
    let off = try allocate(8, at: e.range)
    asm.emit(.storeImm(.dw, fp, off, 0))
    let source = try emit(args[0])
    if case .bytes(let src, let size) = source {
      copy(from: fp, src, to: fp, off, size: min(6, size))
      return .bytes(off, size: 6)
    }
    let ptr = try spillToSlot(try owned(source, at: e.range))
    pointer(.r1, toStack: off)
    asm.mov(.r2, 6)
    asm.emit(.load(.dw, .r3, fp, ptr))
    asm.call(readHelper(for: args[0].type, string: false))
    return .bytes(off, size: 6)
  }
}

extension ProgramGenerator {
  /// Ends a two-way branch as a 0/1 temporary: the code before jumps to `zeroAt` or `oneAt`.
  func flag(zeroAt: Label, oneAt: Label, end: Label, into result: Value) -> Value {
    asm.bind(zeroAt)
    asm.mov(.r1, 0)
    asm.emit(.jump(end))
    asm.bind(oneAt)
    asm.mov(.r1, 1)
    asm.bind(end)
    setTemp(result, from: .r1)
    return result
  }
}
