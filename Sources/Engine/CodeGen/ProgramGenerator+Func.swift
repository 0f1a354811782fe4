/// The `func` builtin: the traced function's address, symbolized in user space.
extension ProgramGenerator {
  /// pt_regs->ip on x86-64.
  static let instructionPointerOffset: Int16 = 128

  func funcBuiltin(_ e: Expr) throws -> Value {
    // Return probes fire after `ret`: ip is in the caller, so ask the kernel (as upstream does).
    // Entry probes read ip, which also works for probes at an offset into the function.
    if context.kind == .tracing || context.isReturnProbe {
      asm.mov(.r1, .r6)
      asm.call(.getFuncIp)
    } else {
      asm.emit(.load(.dw, .r0, .r6, ProgramGenerator.instructionPointerOffset))
    }
    guard context.isUserSpace else {
      let t = try newTemp(at: e.range)
      setTemp(t, from: .r0)
      return t
    }
    // usym: (address, pid)
    let off = try allocate(16, at: e.range)
    asm.emit(.store(.dw, fp, off, .r0))
    asm.call(.getCurrentPidTgid)
    asm.emit(.alu64(.rsh, .r0, .imm(32)))
    asm.emit(.store(.dw, fp, off + 8, .r0))
    return .bytes(off, size: 16)
  }
}
