import Testing

@testable import Engine

/// Golden encodings, checked byte for byte against what the kernel's uapi layout and
/// `llvm-objdump`/`bpftool` show for the same instructions.
@Suite struct AssemblerEncodingTests {
  func bytes(_ program: [Instruction], fds: [Int: Int32] = [:]) throws -> [UInt8] {
    let words = try Encoder.encode(program) { fds[$0.id] ?? -1 }
    return words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
  }

  @Test func movImmediateAndExit() throws {
    #expect(
      try bytes([.alu64(.mov, .r0, .imm(0)), .exit]) == [
        0xb7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      ])
  }

  @Test func registerMoveAndNegativeImmediate() throws {
    // r2 = r10; r2 += -8
    #expect(
      try bytes([.alu64(.mov, .r2, .reg(.r10)), .alu64(.add, .r2, .imm(-8))]) == [
        0xbf, 0xa2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x02, 0x00, 0x00, 0xf8, 0xff, 0xff, 0xff,
      ])
  }

  @Test func memoryLoadsAndStores() throws {
    // *(u64 *)(r10 -8) = r1 ; r0 = *(u32 *)(r1 +16) ; *(u8 *)(r10 -1) = 7 ; r3 = *(s16 *)(r2 +2)
    #expect(
      try bytes([
        .store(.dw, .r10, -8, .r1), .load(.w, .r0, .r1, 16), .storeImm(.b, .r10, -1, 7),
        .loadSigned(.h, .r3, .r2, 2),
      ]) == [
        0x7b, 0x1a, 0xf8, 0xff, 0x00, 0x00, 0x00, 0x00,
        0x61, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x72, 0x0a, 0xff, 0xff, 0x07, 0x00, 0x00, 0x00,
        0x89, 0x23, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
      ])
  }

  @Test func wideImmediateAndMapRelocation() throws {
    let map = MapRef(3)
    #expect(
      try bytes([.loadImm64(.r1, 0x1122_3344_5566_7788), .loadMap(.r1, map)], fds: [3: 42]) == [
        0x18, 0x01, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55,
        0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11,
        0x18, 0x11, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      ])
  }

  @Test func forwardAndBackwardJumpsResolveToSlotOffsets() throws {
    var asm = Assembler()
    let top = asm.newLabel()
    let out = asm.newLabel()
    asm.bind(top)
    asm.emit(.jumpIf(.eq, .r0, .imm(0), out))  // slot 0 -> slot 4: off = 3
    asm.emit(.loadImm64(.r1, 1))  // slots 1-2
    asm.emit(.jump(top))  // slot 3 -> slot 0: off = -4
    asm.bind(out)
    asm.emit(.exit)  // slot 4
    let words = try Encoder.encode(asm.instructions) { _ in 0 }
    #expect(words.count == 5)
    #expect(words[0] == 0x0003_0015)  // jeq r0, 0, +3
    #expect(words[3] == 0xfffc_0005)  // ja -4
  }

  @Test func conditionalJumpOnRegistersAnd32BitCompare() throws {
    var asm = Assembler()
    let l = asm.newLabel()
    asm.emit(.jumpIf(.sgt, .r1, .reg(.r2), l))
    asm.emit(.jumpIf32(.ne, .r3, .imm(-1), l))
    asm.bind(l)
    asm.emit(.exit)
    #expect(
      try bytes(asm.instructions) == [
        0x6d, 0x21, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x56, 0x03, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      ])
  }

  @Test func helperCallAtomicAddAndEndianness() throws {
    #expect(
      try bytes([
        .call(BPFHelper.mapLookupElem.rawValue), .atomic(.add, .dw, .r0, 0, .r1),
        .endian(.r2, bits: 16, toBigEndian: true),
      ]) == [
        0x85, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0xdb, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xdc, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
      ])
  }

  @Test func unboundLabelIsAnError() {
    var asm = Assembler()
    let l = asm.newLabel()
    asm.emit(.jump(l))
    #expect(throws: EncodingError.self) { try Encoder.encode(asm.instructions) { _ in 0 } }
  }

  @Test func pseudoInstructionsTakeNoSpace() throws {
    let words = try Encoder.encode([.comment("x"), .source(SourceRange(0, 3)), .exit]) { _ in 0 }
    #expect(words == [0x95])
  }

  @Test func disassemblyReadsLikeBpftool() {
    var asm = Assembler()
    let l = asm.newLabel()
    asm.emit([.alu64(.mov, .r1, .reg(.r10)), .alu64(.add, .r1, .imm(-8)), .store(.dw, .r10, -8, .r6)])
    asm.emit(.jumpIf(.ne, .r0, .imm(0), l))
    asm.call(.mapLookupElem)
    asm.bind(l)
    asm.emit(.exit)
    #expect(
      Disassembler.text(asm.instructions) == """
           0: r1 = r10
           1: r1 += -8
           2: *(u64 *)(r10 -8) = r6
           3: if r0 != 0x0 goto L0
           4: call mapLookupElem#1
        L0:
           5: exit

        """)
  }
}

@Suite struct StackAccessTests {
  @Test func copiesSplitIntoAlignedAccesses() {
    // 6 bytes from an 8-aligned offset to one at -18 (2-aligned): 2-byte moves only.
    #expect(ProgramGenerator.chunks(6, aligned: [-24, -18]).map(\.size) == [2, 2, 2])
    #expect(ProgramGenerator.chunks(16, aligned: [-32]).map(\.size) == [8, 8])
    #expect(ProgramGenerator.chunks(7, aligned: [-16]).map(\.size) == [4, 2, 1])
    #expect(ProgramGenerator.chunks(5, aligned: [-13]).map(\.size) == [1, 4])
  }
}
