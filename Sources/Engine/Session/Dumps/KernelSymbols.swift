/// Names of kernel functions by address, from /proc/kallsyms: what the xlated program's helper
/// calls and the JIT code's call targets are. One scan per lookup, keeping only what was asked.
enum KernelSymbols {
  /// Scans kallsyms once; returns the names at `addresses` and the addresses of `names`.
  static func lookup(addresses: Set<UInt64>, names: Set<String> = []) -> (
    names: [UInt64: String], addresses: [String: UInt64]
  ) {
    var byAddress: [UInt64: String] = [:]
    var byName: [String: UInt64] = [:]
    guard !addresses.isEmpty || !names.isEmpty, let bytes = FileIO.read("/proc/kallsyms") else { return ([:], [:]) }
    let wantedNames = Set(names.map { Array($0.utf8) })
    let wantedLengths = Set(wantedNames.map(\.count))
    bytes.withUnsafeBufferPointer { b in
      var i = 0
      while i < b.count {
        // "ffffffff81000000 T name\t[module]\n"
        var addr: UInt64 = 0
        while i < b.count, let d = hexDigit(b[i]) {
          addr = addr << 4 | UInt64(d)
          i += 1
        }
        i += 3  // " T "
        let start = i
        while i < b.count, b[i] != 0x0a, b[i] != 0x09 { i += 1 }
        let end = min(i, b.count)
        while i < b.count, b[i] != 0x0a { i += 1 }
        i += 1
        guard start < end else { continue }
        if addresses.contains(addr), byAddress[addr] == nil {
          byAddress[addr] = String(decoding: b[start..<end], as: UTF8.self)
        }
        if wantedLengths.contains(end - start), wantedNames.contains(Array(b[start..<end])) {
          byName[String(decoding: b[start..<end], as: UTF8.self)] = addr
        }
      }
    }
    return (byAddress, byName)
  }

  /// Helper calls in an xlated program hold `helper address - __bpf_call_base`.
  nonisolated(unsafe) private static var callBaseCache: UInt64??

  static var callBase: UInt64? {
    if let cached = callBaseCache { return cached }
    let found = lookup(addresses: [], names: ["__bpf_call_base"]).addresses["__bpf_call_base"]
    callBaseCache = .some(found == 0 ? nil : found)
    return found == 0 ? nil : found
  }

  private static func hexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x61...0x66: c - 0x61 + 10
    case 0x41...0x46: c - 0x41 + 10
    default: nil
    }
  }
}
