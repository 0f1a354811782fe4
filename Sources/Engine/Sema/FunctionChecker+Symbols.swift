/// Symbols and compile-time constants: ksym, usym, kaddr, uaddr, cgroupid, sizeof, offsetof.
extension FunctionChecker {
  static func checkSymbolFunction(_ c: CallCheck) -> BPFType {
    switch c.name {
    case "ksym", "usym":
      guard c.arity(1...1) else { return .none }
      _ = c.address(0)
      return .symbol(c.name == "ksym" ? .ksym : .usym)
    case "kaddr":
      // Resolved by CodeGen from /proc/kallsyms (an unknown name is reported there).
      if c.arity(1...1) { _ = c.stringLiteral(0) }
      return .uint64
    case "cgroupid":
      if c.arity(1...1) { _ = c.stringLiteral(0) }
      return .uint64
    case "uaddr":
      guard c.arity(1...1), let name = c.stringLiteral(0) else { return .pointer(.uint64, user: true) }
      guard c.tc.context.isUserSpace, let path = c.tc.context.binaryPath else {
        c.error(
          "uaddr can only be used with uprobe, uretprobe and usdt probes (\(c.tc.context.provider) used here)",
          c.call.range)
        return .pointer(.uint64, user: true)
      }
      guard let sym = UserSymbols.symbol(named: name, in: path) else {
        c.error("Could not resolve symbol: \(path):\(name)", c.args[0].range)
        return .pointer(.uint64, user: true)
      }
      // The pointee is as wide as the ELF object when that is an integer size, as upstream types it.
      let bits = [1, 2, 4].contains(sym.size) ? Int(sym.size) * 8 : 64
      return .pointer(.integer(bits: bits, signed: false), user: true)
    case "sizeof":
      guard c.arity(1...1) else { return .uint64 }
      if case .typeName(let t) = c.args[0].kind {
        _ = sizeofType(t, c)
      } else {
        let t = c.tc.check(c.args[0])
        switch t {
        case .void, .aggregation: c.error("sizeof() can not be used on a value of type '\(t)'", c.args[0].range)
        default: break
        }
      }
      return .uint64
    case "offsetof":
      guard c.arity(2...2) else { return .uint64 }
      _ = offsetofValue(c)
      return .uint64
    default:
      return .none
    }
  }

  /// The size of a written type, with its type recorded on the argument for CodeGen.
  static func sizeofType(_ t: TypeName, _ c: CallCheck) -> Int? {
    guard let resolved = c.tc.resolve(t) else { return nil }
    c.args[0].type = resolved
    return resolved.size
  }

  /// offsetof(struct x, a.b) / offsetof(expr, a.b) in bytes.
  static func offsetofValue(_ c: CallCheck) -> Int? {
    guard let path = CTypeLayout.fieldPath(c.args[1]) else {
      c.error("offsetof() expects a field name, e.g. offsetof(struct task_struct, pid)", c.args[1].range)
      return nil
    }
    let spelled: String
    if case .typeName(let t) = c.args[0].kind {
      guard t.pointerDepth == 0, t.arrayLength == nil, t.base.hasPrefix("struct ") || t.base.hasPrefix("union ") else {
        c.error("offsetof() needs a struct or union type ('\(t)' given)", c.args[0].range)
        return nil
      }
      spelled = t.base
    } else {
      let t = c.tc.check(c.args[0])
      guard case .record(let name, _) = t else {
        if t != .none { c.error("offsetof() needs a struct or union value ('\(t)' given)", c.args[0].range) }
        return nil
      }
      spelled = name
    }
    switch CTypeLayout.offset(in: spelled, path: path, types: c.tc.types) {
    case .success(let off): return off
    case .failure(let m):
      c.error(m.text, c.args[1].range)
      return nil
    }
  }
}

/// ELF symbols of traced binaries, read once per path (uaddr resolves at compile time).
enum UserSymbols {
  nonisolated(unsafe) private static var cache: [String: ElfSymbols?] = [:]
  private static let lock = Lock()

  static func elf(_ path: String) -> ElfSymbols? {
    lock.locked {
      if let hit = cache[path] { return hit }
      let e = try? ElfSymbols(path: path)
      cache[path] = e
      return e
    }
  }

  /// A defined object or function named `name` (global ones first).
  static func symbol(named name: String, in path: String) -> ElfSymbol? {
    guard let elf = elf(path) else { return nil }
    let candidates = elf.symbols.filter { $0.name == name && $0.address != 0 }
    return candidates.first { $0.binding != .local } ?? candidates.first
  }
}
