/// Prints symbolic instructions in the syntax of `bpftool prog dump xlated`, with labels named
/// `L<n>:` instead of pc offsets (the listing is of our code before the kernel rewrites it).
public enum Disassembler {
  public static func text(_ program: [Instruction], mapName: (MapRef) -> String = { "map\($0.id)" }) -> String {
    var lines: [String] = []
    var pc = 0
    for insn in program {
      switch insn {
      case .bind(let l): lines.append("L\(l.id):")
      case .comment(let c): lines.append("; \(c)")
      case .source: break
      default:
        let pcText = String(pc)
        lines.append(
          String(repeating: " ", count: max(0, 4 - pcText.count)) + pcText + ": " + describe(insn, mapName: mapName))
      }
      pc += insn.slotCount
    }
    return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
  }

  public static func describe(_ insn: Instruction, mapName: (MapRef) -> String = { "map\($0.id)" }) -> String {
    func operand(_ o: Operand) -> String {
      switch o {
      case .reg(let r): r.description
      case .imm(let i): String(i)
      }
    }
    func hex(_ i: Int32) -> String { "0x" + String(UInt32(bitPattern: i), radix: 16) }
    func mem(_ r: Register, _ off: Int16) -> String { "(\(r) \(off >= 0 ? "+" : "")\(off))" }
    switch insn {
    case .alu64(.neg, let d, _): return "\(d) = -\(d)"
    case .alu32(.neg, let d, _): return "w\(d.rawValue) = -w\(d.rawValue)"
    case .alu64(let op, let d, let s): return "\(d) \(op.symbol) \(operand(s))"
    case .alu32(let op, let d, let s):
      let src: String
      if case .reg(let r) = s { src = "w\(r.rawValue)" } else { src = operand(s) }
      return "w\(d.rawValue) \(op.symbol) \(src)"
    case .endian(let d, let bits, let be): return "\(d) = \(be ? "be" : "le")\(bits) \(d)"
    case .loadImm64(let d, let v): return "\(d) = 0x\(String(v, radix: 16)) ll"
    case .loadMap(let d, let m): return "\(d) = map[\(mapName(m))]"
    case .loadMapValue(let d, let m, let off): return "\(d) = map[\(mapName(m))][0]+\(off)"
    case .loadKernelVariable(let d, let id): return "\(d) = &btf_var[\(id)]"
    case .callKernelFunction(let id): return "call kfunc#\(id)"
    case .load(let sz, let d, let s, let off): return "\(d) = *(\(sz.cType) *)\(mem(s, off))"
    case .loadSigned(let sz, let d, let s, let off):
      return "\(d) = *(s\(sz.cType.dropFirst()) *)\(mem(s, off))"
    case .store(let sz, let d, let off, let s): return "*(\(sz.cType) *)\(mem(d, off)) = \(s)"
    case .storeImm(let sz, let d, let off, let i): return "*(\(sz.cType) *)\(mem(d, off)) = \(i)"
    case .atomic(let op, let sz, let d, let off, let s):
      let sym: String =
        switch op {
        case .add: "+="
        case .or: "|="
        case .and: "&="
        case .xor: "^="
        }
      return "lock *(\(sz.cType) *)\(mem(d, off)) \(sym) \(s)"
    case .jump(let l): return "goto L\(l.id)"
    case .jumpIf(let op, let d, let s, let l):
      let rhs: String
      if case .imm(let i) = s { rhs = hex(i) } else { rhs = operand(s) }
      return "if \(d) \(op.symbol) \(rhs) goto L\(l.id)"
    case .jumpIf32(let op, let d, let s, let l):
      let rhs: String
      if case .imm(let i) = s { rhs = hex(i) } else if case .reg(let r) = s { rhs = "w\(r.rawValue)" } else { rhs = "" }
      return "if w\(d.rawValue) \(op.symbol) \(rhs) goto L\(l.id)"
    case .call(let h):
      if let helper = BPFHelper(rawValue: h) { return "call \(helper)#\(h)" }
      return "call #\(h)"
    case .callLocal(let l): return "call L\(l.id)"
    case .loadFunction(let d, let l): return "\(d) = func L\(l.id)"
    case .subprogram: return "; subprogram"
    case .exit: return "exit"
    case .bind(let l): return "L\(l.id):"
    case .source: return ""
    case .comment(let c): return "; \(c)"
    }
  }
}
