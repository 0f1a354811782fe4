/// The kernel's rewritten program (`bpftool prog dump xlated`), decoded with our disassembler:
/// labels `L<pc>:` at jump targets, helper calls named from kallsyms, maps by id and name.
enum XlatedListing {
  static func text(_ words: [UInt64], mapName: (UInt32) -> String?) -> String {
    var decoded: [(pc: Int, insn: Instruction?, raw: RawInsn)] = []
    var pc = 0
    while pc < words.count {
      let next = pc + 1 < words.count ? words[pc + 1] : nil
      let insn = Instruction(decoding: words[pc], next: next, at: pc)
      decoded.append((pc, insn, RawInsn(words[pc])))
      // A 64-bit immediate load takes two slots, whether or not we could decode it.
      pc += RawInsn(words[pc]).code == 0x18 ? 2 : 1
    }
    var targets = Set<Int>()
    var callAddresses = Set<UInt64>()
    let base = KernelSymbols.callBase
    for d in decoded {
      switch d.insn {
      case .jump(let l), .jumpIf(_, _, _, let l), .jumpIf32(_, _, _, let l), .callLocal(let l), .loadFunction(_, let l):
        targets.insert(l.id)
      case .call(let imm): if let base { callAddresses.insert(base &+ UInt64(bitPattern: Int64(imm))) }
      default: break
      }
    }
    let symbols = KernelSymbols.lookup(addresses: callAddresses).names
    let describeMap = { (r: MapRef) -> String in
      let id = "id:\(r.id)"
      return mapName(UInt32(truncatingIfNeeded: r.id)).map { "\(id) \($0)" } ?? id
    }
    var out = ""
    for d in decoded {
      if targets.contains(d.pc) { out += "L\(d.pc):\n" }
      let n = String(d.pc)
      out += String(repeating: " ", count: max(0, 4 - n.count)) + n + ": "
      switch d.insn {
      case .call(let imm):
        let name = base.flatMap { symbols[$0 &+ UInt64(bitPattern: Int64(imm))] }
        out += name.map { "call \($0)" } ?? "call #\(imm)"
      case .some(let insn):
        out += Disassembler.describe(insn, mapName: describeMap)
      case .none:
        out += d.raw.description
      }
      out += "\n"
    }
    return out
  }
}
