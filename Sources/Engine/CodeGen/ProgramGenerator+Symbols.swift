import Glibc

/// ksym/usym (resolved in user space) and the compile-time constants kaddr, uaddr, cgroupid,
/// sizeof and offsetof.
extension ProgramGenerator {
  func symbolCall(_ name: String, _ args: [Expr], _ e: Expr) throws -> Value {
    switch name {
    case "ksym":
      return try owned(try emit(args[0]), at: e.range)
    case "usym":
      // (address, pid): user space needs the process to find the mapping.
      let off = try allocate(16, at: e.range)
      try store(try emit(args[0]), type: args[0].type, to: off, as: .uint64)
      asm.call(.getCurrentPidTgid)
      asm.emit(.alu64(.rsh, .r0, .imm(32)))
      asm.emit(.store(.dw, fp, off + 8, .r0))
      return .bytes(off, size: 16)
    case "kaddr":
      guard case .string(let symbolBytes) = args[0].kind else {
        throw fail("kaddr() expects a string literal", args[0].range)
      }
      let symbol = symbolBytes.text
      guard let address = resources.environment.kernelSymbolAddress(symbol) else {
        throw fail("Failed to resolve kernel symbol: \(symbol)", args[0].range)
      }
      return .constant(Int64(bitPattern: address))
    case "uaddr":
      return .constant(Int64(bitPattern: try userAddress(args[0])))
    case "cgroupid":
      guard case .string(let literal) = args[0].kind else {
        throw fail("cgroupid() expects a string literal", args[0].range)
      }
      let path = literal.text
      do {
        return .constant(Int64(bitPattern: try CgroupIdentity.lookup(path)))
      } catch {
        throw fail(
          "Failed to get `cgroupid` for path: \"\(path)\": \(String(cString: strerror(error.errno)))", args[0].range)
      }
    case "sizeof":
      return .constant(Int64(args[0].type.size))
    case "offsetof":
      return .constant(Int64(try offsetofConstant(args)))
    default:
      throw fail("internal: \(name) is not a symbol function", e.range)
    }
  }

  /// uaddr("sym"): the symbol's address in the traced process. Position-dependent binaries
  /// use the ELF address; a PIE binary or library needs the process (`-p PID`) to find its base.
  private func userAddress(_ arg: Expr) throws -> UInt64 {
    guard case .string(let literal) = arg.kind else { throw fail("uaddr() expects a string literal", arg.range) }
    let symbol = literal.text
    guard let path = context.binaryPath, let elf = UserSymbols.elf(path),
      let sym = UserSymbols.symbol(named: symbol, in: path)
    else { throw fail("Could not resolve symbol: \(context.binaryPath ?? "?"):\(symbol)", arg.range) }
    guard elf.isPositionIndependent else { return sym.address }
    guard let pid = resources.environment.targetPid else {
      throw fail(
        "uaddr(\"\(symbol)\"): \(path) is position-independent, so its address is only known in a running process; give one with -p PID",
        arg.range)
    }
    guard let bias = Self.loadBias(of: elf, pid: pid) else {
      throw fail("uaddr(\"\(symbol)\"): \(path) is not mapped in process \(pid)", arg.range)
    }
    return bias &+ sym.address
  }

  /// Where a position-independent file is loaded in a process: a file-backed mapping's start
  /// minus the ELF address of its file offset (also right for .bss, which has no file bytes).
  static func loadBias(of elf: ElfSymbols, pid: Int32) -> UInt64? {
    guard let text = FileIO.readText("/proc/\(pid)/maps") else { return nil }
    // maps shows the resolved path (/usr/bin/bash for /bin/bash).
    let wanted =
      realpath(elf.path, nil).map { p in
        defer { free(p) }
        return String(cString: p)
      } ?? elf.path
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 6, f[5...].joined(separator: " ") == wanted else { continue }
      let range = f[0].split(separator: "-")
      guard let start = range.first.flatMap({ UInt64($0, radix: 16) }), let off = UInt64(f[2], radix: 16),
        let vaddr = elf.address(forFileOffset: off)
      else { continue }
      return start &- vaddr
    }
    return nil
  }

  private func offsetofConstant(_ args: [Expr]) throws -> Int {
    guard let path = CTypeLayout.fieldPath(args[1]) else {
      throw fail("offsetof() expects a field name", args[1].range)
    }
    var spelled = ""
    if case .typeName(let t) = args[0].kind {
      spelled = t.base
    } else if case .record(let name, _) = args[0].type {
      spelled = name
    }
    switch CTypeLayout.offset(in: spelled, path: path, types: resources.types) {
    case .success(let off): return off
    case .failure(let m): throw fail(m.text, args[1].range)
    }
  }
}
