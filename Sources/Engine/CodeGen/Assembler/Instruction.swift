/// BPF instructions as values. Jumps name `Label`s and map loads name `MapRef`s; both are resolved
/// only when a program is encoded, so code generation never does offset arithmetic by hand.

public enum Register: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  case r0 = 0
  case r1, r2, r3, r4, r5, r6, r7, r8, r9
  /// Read-only frame pointer.
  case r10
  public var description: String { "r\(rawValue)" }
}

/// A jump target, created by `Assembler.newLabel()` and placed with `Assembler.bind(_:)`.
public struct Label: Hashable, Sendable {
  public let id: Int
}

/// A map the program refers to; the encoder asks for its fd.
public struct MapRef: Hashable, Sendable {
  public let id: Int
  public init(_ id: Int) { self.id = id }
}

public enum Operand: Equatable, Sendable {
  case reg(Register)
  case imm(Int32)
}

public enum ALUOp: UInt8, Sendable {
  case add = 0x00
  case sub = 0x10
  case mul = 0x20
  case div = 0x30
  case or = 0x40
  case and = 0x50
  case lsh = 0x60
  case rsh = 0x70
  case neg = 0x80
  case mod = 0x90
  case xor = 0xa0
  case mov = 0xb0
  case arsh = 0xc0
  /// Signed division and modulo (kernel 6.6+): DIV/MOD with offset 1. The low bit of the raw value
  /// only tells the encoder to set that offset.
  case sdiv = 0x31
  case smod = 0x91

  var opcodeBits: UInt8 { rawValue & 0xf0 }
  var offset: Int16 { Int16(rawValue & 1) }

  var symbol: String {
    switch self {
    case .add: "+="
    case .sub: "-="
    case .mul: "*="
    case .div: "/="
    case .or: "|="
    case .and: "&="
    case .lsh: "<<="
    case .rsh: ">>="
    case .neg: "= -"
    case .mod: "%="
    case .xor: "^="
    case .mov: "="
    case .arsh: "s>>="
    case .sdiv: "s/="
    case .smod: "s%="
    }
  }
}

public enum JumpOp: UInt8, Sendable {
  case eq = 0x10
  case gt = 0x20
  case ge = 0x30
  case set = 0x40
  case ne = 0x50
  case sgt = 0x60
  case sge = 0x70
  case lt = 0xa0
  case le = 0xb0
  case slt = 0xc0
  case sle = 0xd0

  /// The condition that holds exactly when this one does not.
  public var negated: JumpOp {
    switch self {
    case .eq: .ne
    case .ne: .eq
    case .gt: .le
    case .le: .gt
    case .ge: .lt
    case .lt: .ge
    case .sgt: .sle
    case .sle: .sgt
    case .sge: .slt
    case .slt: .sge
    case .set: .set  // no single-instruction negation; callers must not ask
    }
  }

  var symbol: String {
    switch self {
    case .eq: "=="
    case .gt: ">"
    case .ge: ">="
    case .set: "&"
    case .ne: "!="
    case .sgt: "s>"
    case .sge: "s>="
    case .lt: "<"
    case .le: "<="
    case .slt: "s<"
    case .sle: "s<="
    }
  }
}

public enum MemorySize: UInt8, Sendable {
  case w = 0x00
  case h = 0x08
  case b = 0x10
  case dw = 0x18

  public var bytes: Int {
    switch self {
    case .b: 1
    case .h: 2
    case .w: 4
    case .dw: 8
    }
  }

  public init?(bytes: Int) {
    switch bytes {
    case 1: self = .b
    case 2: self = .h
    case 4: self = .w
    case 8: self = .dw
    default: return nil
    }
  }

  var cType: String {
    switch self {
    case .b: "u8"
    case .h: "u16"
    case .w: "u32"
    case .dw: "u64"
    }
  }
}

public enum AtomicOp: Int32, Sendable {
  case add = 0x00
  case or = 0x40
  case and = 0x50
  case xor = 0xa0
}

public enum Instruction: Equatable, Sendable {
  case alu64(ALUOp, Register, Operand)
  case alu32(ALUOp, Register, Operand)
  /// Byte swap / endianness conversion: `toBigEndian` selects BPF_TO_BE, width in bits.
  case endian(Register, bits: Int32, toBigEndian: Bool)
  case loadImm64(Register, UInt64)
  /// `dst = map fd` (BPF_PSEUDO_MAP_FD), relocated at encode time.
  case loadMap(Register, MapRef)
  /// `dst = &map_value[0] + offset` of an array map (BPF_PSEUDO_MAP_VALUE).
  case loadMapValue(Register, MapRef, offset: Int32)
  /// `dst = &kernel variable` by its vmlinux BTF id (BPF_PSEUDO_BTF_ID), resolved by the verifier.
  case loadKernelVariable(Register, btfID: Int32)
  /// `dst = *(size *)(src + off)`
  case load(MemorySize, Register, Register, Int16)
  /// Sign-extending load (BPF_MEMSX, kernel 6.6+).
  case loadSigned(MemorySize, Register, Register, Int16)
  /// `*(size *)(dst + off) = src`
  case store(MemorySize, Register, Int16, Register)
  /// `*(size *)(dst + off) = imm`
  case storeImm(MemorySize, Register, Int16, Int32)
  /// `lock *(size *)(dst + off) op= src`
  case atomic(AtomicOp, MemorySize, Register, Int16, Register)
  case jump(Label)
  case jumpIf(JumpOp, Register, Operand, Label)
  case jumpIf32(JumpOp, Register, Operand, Label)
  case call(Int32)
  /// Call of a kernel function (kfunc) by its vmlinux BTF id (BPF_PSEUDO_KFUNC_CALL).
  case callKernelFunction(btfID: Int32)
  /// bpf-to-bpf call of a subprogram starting at a label.
  case callLocal(Label)
  /// `dst = &subprogram` (BPF_PSEUDO_FUNC): a callback for bpf_for_each_map_elem and friends.
  case loadFunction(Register, Label)
  case exit
  /// Pseudo instruction: places a label; encodes to nothing.
  case bind(Label)
  /// Pseudo instruction: marks where the code of a source range starts (for dumps); encodes to nothing.
  case source(SourceRange)
  /// Pseudo instruction: a comment for dumps; encodes to nothing.
  case comment(String)
  /// Pseudo instruction: a subprogram (callback) starts here; encodes to nothing, but the loader
  /// describes every subprogram start to the kernel in BTF function info.
  case subprogram

  /// Number of 8-byte slots the instruction occupies when encoded.
  public var slotCount: Int {
    switch self {
    case .loadImm64, .loadMap, .loadMapValue, .loadFunction, .loadKernelVariable: 2
    case .bind, .source, .comment, .subprogram: 0
    default: 1
    }
  }
}
