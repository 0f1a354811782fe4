/// usdt `argN`: decoded from the probe's operands (registers of ctx = pt_regs, constants, user
/// memory), then sign- or zero-extended from the operand's size to 64 bits.
extension ProgramGenerator {
  func usdtArgument(_ n: Int, _ sets: UsdtArgumentSets, _ e: Expr) throws -> Value {
    let t = try newTemp(at: e.range)
    if sets.variants.count <= 1 {
      try emitUsdtOperand(sets.variants.first.flatMap { n < $0.count ? $0[n] : nil }, into: t, e)
      return t
    }
    // Several locations with different operands: the cookie's upper half says which fired.
    let variantSlot = try allocate(8, at: e.range)
    asm.mov(.r1, .r6)
    asm.call(.getAttachCookie)
    asm.emit(.alu64(.rsh, .r0, .imm(32)))
    asm.emit(.store(.dw, fp, variantSlot, .r0))
    let end = asm.newLabel()
    for (i, variant) in sets.variants.enumerated() {
      let next = asm.newLabel()
      asm.emit(.load(.dw, .r1, fp, variantSlot))
      asm.emit(.jumpIf(.ne, .r1, .imm(Int32(i)), next))
      try emitUsdtOperand(n < variant.count ? variant[n] : nil, into: t, e)
      asm.emit(.jump(end))
      asm.bind(next)
    }
    // No location has another variant; this keeps `t` initialized on every path for the verifier.
    asm.mov(.r1, 0)
    setTemp(t, from: .r1)
    asm.bind(end)
    return t
  }

  /// The operand's value into `t`; 0 for an argument this location does not have.
  private func emitUsdtOperand(_ arg: UsdtArgument?, into t: Value, _ e: Expr) throws {
    guard let arg else {
      asm.mov(.r1, 0)
      setTemp(t, from: .r1)
      return
    }
    switch arg.location {
    case .immediate(let v):
      asm.loadConstant(.r1, v)
    case .register(let offset, let highByte):
      asm.emit(.load(.dw, .r1, .r6, offset))
      if highByte { asm.emit(.alu64(.rsh, .r1, .imm(8))) }
    case .memory(let base, let index, let scale, let offset):
      asm.emit(.load(.dw, .r3, .r6, base))
      if let index {
        asm.emit(.load(.dw, .r2, .r6, index))
        if scale > 1 { asm.emit(.alu64(.mul, .r2, .imm(Int32(scale)))) }
        asm.emit(.alu64(.add, .r3, .reg(.r2)))
      }
      try readUser(addressIn: .r3, plus: offset, size: arg.size, e)
    case .undecodable(let reason):
      throw fail(reason, e.range)
    case .symbol(_, _, let fromProbe):
      guard let fromProbe else { throw fail("cannot decode USDT argument \"\(arg.text)\"", e.range) }
      asm.emit(.load(.dw, .r3, .r6, ProgramGenerator.instructionPointerOffset))
      try readUser(addressIn: .r3, plus: fromProbe, size: arg.size, e)
    }
    extend(.r1, bits: arg.size * 8, signed: arg.isSigned)
    setTemp(t, from: .r1)
  }

  /// r1 = `size` bytes of user memory at r3 + `offset` (0 when unreadable).
  private func readUser(addressIn r: Register, plus offset: Int64, size: Int, _ e: Expr) throws {
    if offset != 0 {
      if let small = Int32(exactly: offset) {
        asm.emit(.alu64(.add, r, .imm(small)))
      } else {
        asm.loadConstant(.r2, offset)
        asm.emit(.alu64(.add, r, .reg(.r2)))
      }
    }
    let buf = try allocate(8, at: e.range)
    asm.emit(.storeImm(.dw, fp, buf, 0))
    pointer(.r1, toStack: buf)
    asm.mov(.r2, Int32(size))
    asm.call(.probeReadUser)
    asm.emit(.load(.dw, .r1, fp, buf))
  }
}
