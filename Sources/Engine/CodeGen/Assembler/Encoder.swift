/// Turns symbolic instructions into the kernel's `struct bpf_insn` array.
///
/// Each encoded slot is a little-endian `bpf_insn` as one UInt64:
/// `code | dst << 8 | src << 12 | off << 16 | imm << 32`.
public struct EncodingError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

enum OpClass: UInt8 {
  case ld = 0x00
  case ldx = 0x01
  case st = 0x02
  case stx = 0x03
  case alu = 0x04
  case jmp = 0x05
  case jmp32 = 0x06
  case alu64 = 0x07
}

let sourceRegFlag: UInt8 = 0x08  // BPF_X
let modeImm: UInt8 = 0x00
let modeMem: UInt8 = 0x60
let modeMemSX: UInt8 = 0x80
let modeAtomic: UInt8 = 0xc0
let pseudoMapFD: UInt8 = 1
let pseudoMapValue: UInt8 = 2
let pseudoBTFID: UInt8 = 3
let pseudoCall: UInt8 = 1
let pseudoFunc: UInt8 = 4
let pseudoKernelFunctionCall: UInt8 = 2

public enum Encoder {
  /// Slot indices where subprograms (callbacks) start, for the kernel's BTF function info.
  public static func subprogramStarts(_ program: [Instruction]) -> [Int] {
    var starts: [Int] = []
    var slot = 0
    for insn in program {
      if case .subprogram = insn { starts.append(slot) }
      slot += insn.slotCount
    }
    return starts
  }

  /// Encodes `program`, resolving labels to relative jumps and maps to fds via `mapFD`.
  public static func encode(_ program: [Instruction], mapFD: (MapRef) -> Int32) throws -> [UInt64] {
    // Pass 1: slot index of every label.
    var labelSlot: [Label: Int] = [:]
    var slot = 0
    for insn in program {
      if case .bind(let label) = insn {
        guard labelSlot[label] == nil else { throw EncodingError(message: "label \(label.id) bound twice") }
        labelSlot[label] = slot
      }
      slot += insn.slotCount
    }
    // Pass 2: encode.
    var out: [UInt64] = []
    out.reserveCapacity(slot)
    func raw(_ code: UInt8, _ dst: UInt8, _ src: UInt8, _ off: Int16, _ imm: Int32) {
      out.append(
        UInt64(code) | UInt64(dst & 0xf) << 8 | UInt64(src & 0xf) << 12 | UInt64(UInt16(bitPattern: off)) << 16
          | UInt64(UInt32(bitPattern: imm)) << 32)
    }
    func target(_ label: Label) throws -> Int16 {
      guard let t = labelSlot[label] else { throw EncodingError(message: "label \(label.id) never bound") }
      let delta = t - (out.count + 1)
      guard let d = Int16(exactly: delta) else {
        throw EncodingError(message: "jump of \(delta) instructions is out of range")
      }
      return d
    }
    func alu(_ cls: OpClass, _ op: ALUOp, _ dst: Register, _ src: Operand) {
      switch src {
      case .reg(let s): raw(cls.rawValue | op.opcodeBits | sourceRegFlag, dst.rawValue, s.rawValue, op.offset, 0)
      case .imm(let i): raw(cls.rawValue | op.opcodeBits, dst.rawValue, 0, op.offset, i)
      }
    }
    func wide(_ dst: Register, _ src: UInt8, _ value: UInt64) {
      raw(
        OpClass.ld.rawValue | MemorySize.dw.rawValue | modeImm, dst.rawValue, src, 0, Int32(truncatingIfNeeded: value))
      raw(0, 0, 0, 0, Int32(truncatingIfNeeded: value >> 32))
    }
    for insn in program {
      switch insn {
      case .alu64(let op, let dst, let src): alu(.alu64, op, dst, src)
      case .alu32(let op, let dst, let src): alu(.alu, op, dst, src)
      case .endian(let dst, let bits, let be):
        raw(OpClass.alu.rawValue | 0xd0 | (be ? sourceRegFlag : 0), dst.rawValue, 0, 0, bits)
      case .loadImm64(let dst, let v): wide(dst, 0, v)
      case .loadMap(let dst, let m): wide(dst, pseudoMapFD, UInt64(UInt32(bitPattern: mapFD(m))))
      case .loadMapValue(let dst, let m, let off):
        wide(dst, pseudoMapValue, UInt64(UInt32(bitPattern: mapFD(m))) | UInt64(UInt32(bitPattern: off)) << 32)
      case .loadKernelVariable(let dst, let id): wide(dst, pseudoBTFID, UInt64(UInt32(bitPattern: id)))
      case .load(let size, let dst, let src, let off):
        raw(OpClass.ldx.rawValue | size.rawValue | modeMem, dst.rawValue, src.rawValue, off, 0)
      case .loadSigned(let size, let dst, let src, let off):
        raw(OpClass.ldx.rawValue | size.rawValue | modeMemSX, dst.rawValue, src.rawValue, off, 0)
      case .store(let size, let dst, let off, let src):
        raw(OpClass.stx.rawValue | size.rawValue | modeMem, dst.rawValue, src.rawValue, off, 0)
      case .storeImm(let size, let dst, let off, let imm):
        raw(OpClass.st.rawValue | size.rawValue | modeMem, dst.rawValue, 0, off, imm)
      case .atomic(let op, let size, let dst, let off, let src):
        raw(OpClass.stx.rawValue | size.rawValue | modeAtomic, dst.rawValue, src.rawValue, off, op.rawValue)
      case .jump(let l): raw(OpClass.jmp.rawValue | 0x00, 0, 0, try target(l), 0)
      case .jumpIf(let op, let dst, let src, let l), .jumpIf32(let op, let dst, let src, let l):
        var cls = OpClass.jmp
        if case .jumpIf32 = insn { cls = .jmp32 }
        let off = try target(l)
        switch src {
        case .reg(let s): raw(cls.rawValue | op.rawValue | sourceRegFlag, dst.rawValue, s.rawValue, off, 0)
        case .imm(let i): raw(cls.rawValue | op.rawValue, dst.rawValue, 0, off, i)
        }
      case .call(let helper): raw(OpClass.jmp.rawValue | 0x80, 0, 0, 0, helper)
      case .callKernelFunction(let id): raw(OpClass.jmp.rawValue | 0x80, 0, pseudoKernelFunctionCall, 0, id)
      case .callLocal(let l):
        guard let t = labelSlot[l] else { throw EncodingError(message: "label \(l.id) never bound") }
        raw(OpClass.jmp.rawValue | 0x80, 0, pseudoCall, 0, Int32(t - (out.count + 1)))
      case .loadFunction(let dst, let l):
        guard let t = labelSlot[l] else { throw EncodingError(message: "label \(l.id) never bound") }
        wide(dst, pseudoFunc, UInt64(UInt32(bitPattern: Int32(t - (out.count + 1)))))
      case .exit: raw(OpClass.jmp.rawValue | 0x90, 0, 0, 0, 0)
      case .bind, .source, .comment, .subprogram: break
      }
    }
    return out
  }
}
