/// Programs that need more than the 512-byte BPF stack (long strings, many variables) keep their
/// whole frame in a per-CPU scratch map value instead: `fp` (r9) points at its end, so slots keep
/// their negative offsets. The real stack keeps what must be on it: the lookup key, and ctx for
/// loop callbacks (the verifier tracks a spilled ctx only in the stack, and callback contexts must
/// be stack pointers), at fixed offsets in every frame.
///
/// BPF programs do not migrate between CPUs while they run, so a callback finds the same value
/// again. A program interrupted on its CPU by another scratch-frame program (a profile probe in an
/// NMI, say) can see its frame overwritten, as with upstream's per-CPU scratch maps.
enum ScratchFrame {
  /// `*(u64 *)(r10 - 16)`: ctx.
  static let contextOffset: Int16 = -16
  /// `*(u32 *)(r10 - 4)`: the scratch map's key, 0.
  static let keyOffset: Int16 = -4
}

extension ProgramGenerator {
  /// r9 = &scratch[0] + size, the frame's end; r1-r5 are clobbered. Jumps to `onFailure` if the
  /// lookup fails (it cannot for an array map, but the verifier wants the check).
  func enterScratchFrame(onFailure: Label) {
    asm.emit(.storeImm(.w, .r10, ScratchFrame.keyOffset, 0))
    asm.emit(.loadMap(.r1, resources.scratch))
    asm.mov(.r2, .r10)
    asm.emit(.alu64(.add, .r2, .imm(Int32(ScratchFrame.keyOffset))))
    asm.call(.mapLookupElem)
    asm.emit(.jumpIf(.eq, .r0, .imm(0), onFailure))
    asm.mov(.r9, .r0)
    asm.emit(.alu64(.add, .r9, .imm(Int32(CompileResources.scratchFrameSize))))
    fp = .r9
    freeRegisters = [.r8, .r7]
    frame.limit = CompileResources.scratchFrameSize
  }

  /// What a loop passes as its callback's context: the frame itself, or with a scratch frame the
  /// real stack holding ctx.
  var callbackContext: Register { scratchFrame ? .r10 : fp }
}
