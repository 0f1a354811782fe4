/// Collects instructions for one BPF program, hands out labels, and keeps a note of which source
/// range produced which code (for `-d bpf` dumps and verifier error mapping).
public struct Assembler {
  public private(set) var instructions: [Instruction] = []
  private var nextLabel = 0

  public init() {}

  public mutating func newLabel() -> Label {
    defer { nextLabel += 1 }
    return Label(id: nextLabel)
  }

  public mutating func bind(_ label: Label) { instructions.append(.bind(label)) }

  public mutating func emit(_ insn: Instruction) { instructions.append(insn) }

  public mutating func emit(_ insns: [Instruction]) { instructions.append(contentsOf: insns) }

  public mutating func source(_ range: SourceRange) { instructions.append(.source(range)) }

  /// Swaps the instructions emitted so far for `other` (labels keep counting): a callback is
  /// generated aside, where its statement stands, and appended after the program's exit.
  public mutating func swapInstructions(_ other: inout [Instruction]) { swap(&instructions, &other) }

  // Shorthands that read like the instructions they emit.
  public mutating func mov(_ dst: Register, _ src: Register) { emit(.alu64(.mov, dst, .reg(src))) }
  public mutating func mov(_ dst: Register, _ imm: Int32) { emit(.alu64(.mov, dst, .imm(imm))) }
  public mutating func call(_ helper: BPFHelper) { emit(.call(helper.rawValue)) }

  /// Loads any 64-bit constant, using the short form when it fits a sign-extended imm32.
  public mutating func loadConstant(_ dst: Register, _ value: Int64) {
    if let small = Int32(exactly: value) {
      emit(.alu64(.mov, dst, .imm(small)))
    } else {
      emit(.loadImm64(dst, UInt64(bitPattern: value)))
    }
  }

  /// Number of encoded instruction slots so far.
  public var slotCount: Int { instructions.reduce(0) { $0 + $1.slotCount } }
}

/// The kernel helper functions the code generator calls, by their stable ids (include/uapi/linux/bpf.h).
public enum BPFHelper: Int32, Sendable {
  case mapLookupElem = 1
  case mapUpdateElem = 2
  case mapDeleteElem = 3
  case probeRead = 4
  case ktimeGetNs = 5
  case tracePrintk = 6
  case getPrandomU32 = 7
  case getSmpProcessorId = 8
  case tailCall = 12
  case getCurrentPidTgid = 14
  case getCurrentUidGid = 15
  case getCurrentComm = 16
  case perfEventOutput = 25
  case getStackid = 27
  case getCurrentTask = 35
  case probeWriteUser = 36
  case overrideReturn = 58
  case probeReadStr = 45
  case getSocketCookie = 46
  case getNumaNodeId = 42
  case getCurrentCgroupId = 80
  case sendSignal = 109
  case probeReadUser = 112
  case probeReadKernel = 113
  case probeReadUserStr = 114
  case probeReadKernelStr = 115
  case sendSignalThread = 117
  case jiffies64 = 118
  case ktimeGetBootNs = 125
  case ringbufOutput = 130
  case ringbufReserve = 131
  case ringbufSubmit = 132
  case ringbufDiscard = 133
  case getTaskStack = 141
  case perCpuPtr = 153
  case thisCpuPtr = 154
  case dPath = 147
  case getCurrentTaskBtf = 158
  case ktimeGetCoarseNs = 160
  case getFuncIp = 173
  case getAttachCookie = 174
  case getStack = 67
  case forEachMapElem = 164
  case loop = 181
  case strncmp = 182
  case getFuncArg = 183
  case getFuncRet = 184
  case getFuncArgCnt = 185
  case mapLookupPercpuElem = 195
  case ktimeGetTaiNs = 208
}
