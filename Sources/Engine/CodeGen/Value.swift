/// Where the result of an expression lives while the program computes with it.
enum Value {
  /// Known at compile time.
  case constant(Int64)
  /// An integer in an owned temporary register (r7-r9), normalized to 64 bits.
  case register(Register)
  /// An integer in an 8-byte stack slot at r10+offset, normalized to 64 bits.
  case slot(Int16)
  /// Bytes in the stack (strings, tuples, records) at r10+offset.
  case bytes(Int16, size: Int)
  /// Statements and void calls.
  case void
}

extension ProgramGenerator {
  /// An owned temporary for an integer: a free callee-saved register, else a stack slot.
  func newTemp(at range: SourceRange) throws -> Value {
    if let r = freeRegisters.popLast() { return .register(r) }
    return .slot(try allocate(8, at: range))
  }

  func release(_ v: Value) {
    if case .register(let r) = v, !freeRegisters.contains(r) { freeRegisters.append(r) }
  }

  /// Loads an integer value into a scratch register.
  func load(_ v: Value, into r: Register) {
    switch v {
    case .constant(let c): asm.loadConstant(r, c)
    case .register(let src): if src != r { asm.mov(r, src) }
    case .slot(let off): asm.emit(.load(.dw, r, fp, off))
    case .bytes(let off, let size):
      // A byte buffer used as an integer: its first (up to 8) bytes.
      if let m = MemorySize(bytes: min(8, size)) { asm.emit(.load(m, r, fp, off)) } else { asm.mov(r, 0) }
    case .void: asm.mov(r, 0)
    }
  }

  /// The address of a struct or array value: where it is in memory, or in this stack frame
  /// when it was copied here (a variable or map value holding a struct).
  func address(of v: Value, at range: SourceRange) throws -> Value {
    guard case .bytes(let off, _) = v else { return v }
    let t = try newTemp(at: range)
    asm.mov(.r1, fp)
    asm.emit(.alu64(.add, .r1, .imm(Int32(off))))
    setTemp(t, from: .r1)
    return t
  }

  /// Makes sure an integer value is held in an owned temporary that can be modified.
  func owned(_ v: Value, at range: SourceRange) throws -> Value {
    switch v {
    case .register, .slot: return v
    default:
      let t = try newTemp(at: range)
      load(v, into: .r1)
      setTemp(t, from: .r1)
      return t
    }
  }

  func setTemp(_ t: Value, from r: Register) {
    switch t {
    case .register(let dst): if dst != r { asm.mov(dst, r) }
    case .slot(let off): asm.emit(.store(.dw, fp, off, r))
    default: break
    }
  }

  /// The operand form of an integer for an ALU or jump instruction, using `scratch` if needed.
  func operand(_ v: Value, scratch: Register) -> Operand {
    switch v {
    case .constant(let c):
      if let i = Int32(exactly: c) { return .imm(i) }
      asm.loadConstant(scratch, c)
      return .reg(scratch)
    case .register(let r): return .reg(r)
    default:
      load(v, into: scratch)
      return .reg(scratch)
    }
  }

  /// Spills an integer to its own stack slot (for values that must survive many helper calls).
  func spillToSlot(_ v: Value) throws -> Int16 {
    if case .slot(let off) = v { return off }
    let off = try allocate(8, at: .none)
    load(v, into: .r1)
    asm.emit(.store(.dw, fp, off, .r1))
    release(v)
    return off
  }

  /// Splits `size` bytes into the largest accesses that stay aligned at every given start offset
  /// (the verifier refuses misaligned stack accesses).
  static func chunks(_ size: Int, aligned offsets: [Int]) -> [(at: Int, size: Int)] {
    var out: [(Int, Int)] = []
    var done = 0
    while done < size {
      var chunk = 8
      while chunk > 1, chunk > size - done || offsets.contains(where: { ($0 + done) % chunk != 0 }) { chunk /= 2 }
      out.append((done, chunk))
      done += chunk
    }
    return out
  }

  /// Fills `size` bytes at r10+offset with zeros.
  func zero(_ offset: Int16, _ size: Int) throws {
    for c in ProgramGenerator.chunks(size, aligned: [Int(offset)]) {
      asm.emit(.storeImm(MemorySize(bytes: c.size)!, fp, offset + Int16(c.at), 0))
    }
  }

  /// Copies `size` bytes between two memory locations (base register + offset), through r1.
  func copy(from src: Register, _ srcOffset: Int16, to dst: Register, _ dstOffset: Int16, size: Int) {
    for c in ProgramGenerator.chunks(size, aligned: [Int(srcOffset), Int(dstOffset)]) {
      let m = MemorySize(bytes: c.size)!
      asm.emit(.load(m, .r1, src, srcOffset + Int16(c.at)))
      asm.emit(.store(m, dst, dstOffset + Int16(c.at), .r1))
    }
  }

  /// Writes a value of type `from` into stack memory at r10+offset, laid out as type `to`
  /// (integers at the width of `to`; byte buffers truncated or left zero-padded).
  func store(_ v: Value, type from: BPFType, to offset: Int16, as to: BPFType) throws {
    if case .bytes(let src, _) = v, case .namedTuple(let fromNames, let fromItems) = from,
      case .namedTuple(let toNames, let toItems) = to, fromNames != toNames
    {
      // The same record fields in another order: move each to where the target type has it.
      let (a, b) = (TupleLayout(fromItems), TupleLayout(toItems))
      for (i, name) in fromNames.enumerated() {
        guard let j = toNames.firstIndex(of: name) else { continue }
        try store(
          .bytes(src + Int16(a.offsets[i]), size: fromItems[i].size), type: fromItems[i],
          to: offset + Int16(b.offsets[j]), as: toItems[j])
      }
      return
    }
    switch v {
    case .bytes(let src, let size):
      let n = min(size, to.size)
      if src != offset { copy(from: fp, src, to: fp, offset, size: n) }
    case .void:
      break
    default:
      if from.isHeldByAddress, to.size > 0 {
        // A struct or array read through a pointer is its address: copy its bytes here.
        load(v, into: .r3)
        asm.mov(.r1, fp)
        asm.emit(.alu64(.add, .r1, .imm(Int32(offset))))
        asm.mov(.r2, Int32(to.size))
        asm.call(.probeRead)
        break
      }
      let width = to.isInteger ? to.size : 8
      load(v, into: .r1)
      asm.emit(.store(MemorySize(bytes: width) ?? .dw, fp, offset, .r1))
    }
    release(v)
  }

  /// Integer arithmetic in 64 bits, folding constants.
  func arithmetic(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, signed: Bool) throws -> Value {
    if case .constant(let a) = lhs, case .constant(let b) = rhs, let folded = fold(op, a, b, signed: signed) {
      return .constant(folded)
    }
    let alu: ALUOp
    switch op {
    case .add: alu = .add
    case .sub: alu = .sub
    case .mul: alu = .mul
    case .div: alu = signed ? .sdiv : .div
    case .mod: alu = signed ? .smod : .mod
    case .bitAnd: alu = .and
    case .bitOr: alu = .or
    case .bitXor: alu = .xor
    case .shl: alu = .lsh
    case .shr: alu = signed ? .arsh : .rsh
    default: throw fail("internal: \(op.rawValue) is not arithmetic", .none)
    }
    let dst = try owned(lhs, at: .none)
    let work: Register
    if case .register(let r) = dst {
      work = r
    } else {
      work = .r1
      load(dst, into: .r1)
    }
    let src = operand(rhs, scratch: .r2)
    asm.emit(.alu64(alu, work, src))
    if case .slot = dst { setTemp(dst, from: work) }
    release(rhs)
    return dst
  }

  private func fold(_ op: BinaryOperator, _ a: Int64, _ b: Int64, signed: Bool) -> Int64? {
    switch op {
    case .add: return a &+ b
    case .sub: return a &- b
    case .mul: return a &* b
    case .div: return b == 0 ? nil : signed ? a / b : Int64(bitPattern: UInt64(bitPattern: a) / UInt64(bitPattern: b))
    case .mod: return b == 0 ? nil : signed ? a % b : Int64(bitPattern: UInt64(bitPattern: a) % UInt64(bitPattern: b))
    case .bitAnd: return a & b
    case .bitOr: return a | b
    case .bitXor: return a ^ b
    case .shl: return b < 0 || b > 63 ? nil : a << b
    case .shr: return b < 0 || b > 63 ? nil : signed ? a >> b : Int64(bitPattern: UInt64(bitPattern: a) >> UInt64(b))
    default: return nil
    }
  }

  /// Sign- or zero-extends the low `bits` of register r to 64 bits.
  func extend(_ r: Register, bits: Int, signed: Bool) {
    guard bits < 64 else { return }
    if signed {
      asm.emit(.alu64(.lsh, r, .imm(Int32(64 - bits))))
      asm.emit(.alu64(.arsh, r, .imm(Int32(64 - bits))))
    } else if bits == 32 {
      asm.emit(.alu32(.mov, r, .reg(r)))
    } else {
      asm.emit(.alu64(.and, r, .imm(Int32((1 << bits) - 1))))
    }
  }
}
