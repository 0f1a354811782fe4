import Testing

@testable import Engine

/// `Instruction(decoding:)` must read back everything the encoder writes.
@Suite struct DumpXlatedDecoderTests {
  /// Decodes encoded words, binding a label at each jump target, and encodes the result again.
  func roundTrip(_ words: [UInt64]) throws -> [UInt64] {
    var decoded: [(Int, Instruction)] = []
    var targets = Set<Int>()
    var pc = 0
    while pc < words.count {
      let insn = try #require(
        Instruction(decoding: words[pc], next: pc + 1 < words.count ? words[pc + 1] : nil, at: pc), "pc \(pc)")
      switch insn {
      case .jump(let l), .jumpIf(_, _, _, let l), .jumpIf32(_, _, _, let l), .callLocal(let l): targets.insert(l.id)
      default: break
      }
      decoded.append((pc, insn))
      pc += insn.slotCount
    }
    var program: [Instruction] = []
    for (pc, insn) in decoded {
      if targets.contains(pc) { program.append(.bind(Label(id: pc))) }
      program.append(insn)
    }
    return try Encoder.encode(program) { Int32($0.id) }
  }

  @Test func everyGeneratedProgramRoundTrips() throws {
    for p in DumpGoldenTests.programs {
      let cell = try DumpGoldenTests.artifacts(p.text)
      for prog in cell.programs {
        let words = try Encoder.encode(prog.compiled.instructions) { Int32($0.id + 100) }
        #expect(try roundTrip(words) == words, "\(p.name) \(prog.compiled.name)")
      }
    }
  }

  @Test func handWrittenOpcodes() throws {
    let l = Label(id: 0)
    let code: [Instruction] = [
      .alu32(.add, .r1, .imm(-3)), .alu64(.sdiv, .r2, .reg(.r3)), .alu32(.smod, .r4, .imm(7)),
      .alu64(.neg, .r5, .imm(0)),
      .endian(.r1, bits: 16, toBigEndian: true), .endian(.r1, bits: 64, toBigEndian: false),
      .loadImm64(.r2, 0xdead_beef_0123_4567), .loadMapValue(.r3, MapRef(9), offset: 24),
      .loadSigned(.h, .r1, .r2, -6), .storeImm(.b, .r10, -1, 255), .atomic(.xor, .w, .r1, 4, .r2),
      .jumpIf32(.sle, .r1, .reg(.r2), l), .jumpIf(.set, .r3, .imm(8), l), .call(16), .callLocal(l), .bind(l), .exit,
    ]
    let words = try Encoder.encode(code) { Int32($0.id) }
    #expect(try roundTrip(words) == words)
  }

  @Test func kernelOnlyOpcodesAreNotGuessed() {
    // movsx (ALU64 MOV with off 8), a kfunc call (src 2), gotol (JMP32 JA).
    let movsx: UInt64 = 0xbf | 1 << 8 | 2 << 12 | 8 << 16
    let kfunc: UInt64 = 0x85 | 2 << 12 | UInt64(77) << 32
    let gotol: UInt64 = 0x06 | UInt64(5) << 32
    for w in [movsx, kfunc, gotol] { #expect(Instruction(decoding: w, next: nil, at: 0) == nil) }
    #expect(RawInsn(movsx).description == "(0xbf) code=0xbf dst=r1 src=r2 off=8 imm=0")
  }

  @Test func hexDumpHasOffsets() {
    let text = JITDump.hexDump(Array(0..<20))
    #expect(text == "0000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n0010: 10 11 12 13\n")
  }
}
