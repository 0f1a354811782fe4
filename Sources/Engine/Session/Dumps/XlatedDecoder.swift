/// Decodes raw `struct bpf_insn` words (as the kernel hands back its rewritten, "xlated" program)
/// into `Instruction` values, so they print like our own code. Covers the opcodes the code
/// generator emits; anything else (instructions only the kernel writes) decodes to nil.
extension Instruction {
  /// Decodes the instruction at `pc`; `next` is the following word (the second half of a 64-bit
  /// immediate load). Jump targets become `Label(id: targetPC)`. Map loads carry the map's kernel
  /// id in their `MapRef` (the kernel rewrites fds to ids when dumping).
  init?(decoding word: UInt64, next: UInt64?, at pc: Int) {
    let f = RawInsn(word)
    guard let dst = Register(rawValue: f.dst), let src = Register(rawValue: f.src) else { return nil }
    let usesReg = f.code & 0x08 != 0
    let operand: Operand = usesReg ? .reg(src) : .imm(f.imm)
    let op = f.code & 0xf0
    let size = MemorySize(rawValue: f.code & 0x18)!
    let mode = f.code & 0xe0
    switch OpClass(rawValue: f.code & 0x07)! {
    case .alu64, .alu:
      let is64 = f.code & 0x07 == OpClass.alu64.rawValue
      if op == 0xd0 {
        // BPF_END: only the ALU32 class form (BPF_TO_LE / BPF_TO_BE) is ours.
        guard !is64 else { return nil }
        self = .endian(dst, bits: f.imm, toBigEndian: usesReg)
        return
      }
      let alu: ALUOp?
      switch (op, f.off) {
      case (0x30, 1): alu = .sdiv
      case (0x90, 1): alu = .smod
      case (_, 0): alu = ALUOp(rawValue: op)
      default: alu = nil  // movsx, the kernel's per-cpu address moves
      }
      guard let alu else { return nil }
      self = is64 ? .alu64(alu, dst, operand) : .alu32(alu, dst, operand)
    case .ld:
      guard f.code == 0x18, let next else { return nil }
      let hi = RawInsn(next).imm
      switch f.src {
      case 0: self = .loadImm64(dst, UInt64(UInt32(bitPattern: f.imm)) | UInt64(UInt32(bitPattern: hi)) << 32)
      case UInt8(pseudoMapFD): self = .loadMap(dst, MapRef(Int(f.imm)))
      case UInt8(pseudoMapValue): self = .loadMapValue(dst, MapRef(Int(f.imm)), offset: hi)
      case UInt8(pseudoFunc): self = .loadFunction(dst, Label(id: pc + 1 + Int(f.imm)))
      default: return nil
      }
    case .ldx:
      switch mode {
      case modeMem: self = .load(size, dst, src, f.off)
      case modeMemSX: self = .loadSigned(size, dst, src, f.off)
      default: return nil
      }
    case .st:
      guard mode == modeMem else { return nil }
      self = .storeImm(size, dst, f.off, f.imm)
    case .stx:
      switch mode {
      case modeMem: self = .store(size, dst, f.off, src)
      case modeAtomic:
        guard let a = AtomicOp(rawValue: f.imm) else { return nil }
        self = .atomic(a, size, dst, f.off, src)
      default: return nil
      }
    case .jmp, .jmp32:
      let is32 = f.code & 0x07 == OpClass.jmp32.rawValue
      let target = Label(id: pc + 1 + Int(f.off))
      switch op {
      case 0x00:
        guard !is32 else { return nil }
        self = .jump(target)
      case 0x80:
        guard !is32, !usesReg else { return nil }
        switch f.src {
        case 0: self = .call(f.imm)
        case UInt8(pseudoCall): self = .callLocal(Label(id: pc + 1 + Int(f.imm)))
        default: return nil  // kfunc calls
        }
      case 0x90:
        guard !is32 else { return nil }
        self = .exit
      default:
        guard let j = JumpOp(rawValue: op) else { return nil }
        self = is32 ? .jumpIf32(j, dst, operand, target) : .jumpIf(j, dst, operand, target)
      }
    }
  }
}

/// The fields of one encoded instruction.
struct RawInsn {
  var code: UInt8
  var dst: UInt8
  var src: UInt8
  var off: Int16
  var imm: Int32

  init(_ w: UInt64) {
    code = UInt8(w & 0xff)
    dst = UInt8((w >> 8) & 0xf)
    src = UInt8((w >> 12) & 0xf)
    off = Int16(bitPattern: UInt16((w >> 16) & 0xffff))
    imm = Int32(bitPattern: UInt32(w >> 32))
  }

  var description: String {
    "(\(hex(code))) code=\(hex(code)) dst=r\(dst) src=r\(src) off=\(off) imm=\(imm)"
  }

  private func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16)
    return "0x" + (s.count < 2 ? "0" : "") + s
  }
}
