import Glibc

/// Turns addresses into `function+offset` names: kernel addresses through /proc/kallsyms, user
/// addresses through the process's /proc/PID/maps and the mapped ELF files' symbol tables.
public final class Symbolizer: @unchecked Sendable {
  private var kernel: [(address: UInt64, name: String)]? = nil
  private var elfs: [String: ElfSymbols?] = [:]

  public init() {}

  /// `do_nanosleep+5`, or the hex address when no symbol covers it.
  public func kernelSymbol(_ address: UInt64, withOffset: Bool = true) -> String {
    if kernel == nil { kernel = Symbolizer.loadKallsyms() }
    guard let table = kernel, !table.isEmpty else { return hex(address) }
    var lo = 0
    var hi = table.count - 1
    guard address >= table[0].address else { return hex(address) }
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if table[mid].address <= address { lo = mid } else { hi = mid - 1 }
    }
    let s = table[lo]
    return withOffset ? "\(s.name)+\(address - s.address)" : s.name
  }

  /// A user address of process `pid`, e.g. `readline+0`; the hex address when unknown.
  public func userSymbol(_ address: UInt64, pid: Int32, withOffset: Bool = true) -> String {
    guard let mapping = mapping(of: address, pid: pid) else { return hex(address) }
    if elfs[mapping.path] == nil { elfs[mapping.path] = try? ElfSymbols(path: mapping.path) }
    // The file offset of the address, then the ELF address at that offset.
    let fileOffset = address - mapping.start + mapping.offset
    guard let elf = elfs[mapping.path] ?? nil, let vaddr = elf.address(forFileOffset: fileOffset) else {
      return hex(address)
    }
    guard let (sym, off) = elf.symbolize(address: vaddr) else { return hex(address) }
    return withOffset ? "\(sym.name)+\(off)" : sym.name
  }

  private func hex(_ a: UInt64) -> String { "0x" + String(a, radix: 16) }

  static func loadKallsyms() -> [(UInt64, String)] {
    guard let bytes = FileIO.read("/proc/kallsyms") else { return [] }
    var out: [(UInt64, String)] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      let f = line.split(separator: " ", maxSplits: 3)
      guard f.count >= 3, let a = UInt64(f[0], radix: 16), a != 0, "tTwW".contains(f[1]) else { continue }
      out.append((a, String(f[2].split(separator: "\t").first ?? f[2])))
    }
    return out.sorted { $0.0 < $1.0 }
  }

  struct Mapping {
    var start: UInt64
    var end: UInt64
    var offset: UInt64
    var path: String
  }

  /// The last file mappings read per process: events are handled after the fact, often after a
  /// short-lived process has exited, and its earlier mappings are the best answer then.
  private var lastMappings: [Int32: [Mapping]] = [:]

  func mapping(of address: UInt64, pid: Int32) -> Mapping? {
    if let fresh = Symbolizer.mappings(pid: pid) {
      if lastMappings.count > 1024 { lastMappings.removeAll() }
      lastMappings[pid] = fresh
    }
    return lastMappings[pid]?.first { address >= $0.start && address < $0.end }
  }

  static func mapping(of address: UInt64, pid: Int32) -> Mapping? {
    mappings(pid: pid)?.first { address >= $0.start && address < $0.end }
  }

  /// File-backed mappings of a process, nil when it is gone.
  static func mappings(pid: Int32) -> [Mapping]? {
    guard let bytes = FileIO.read("/proc/\(pid)/maps") else { return nil }
    var out: [Mapping] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 6 else { continue }
      let range = f[0].split(separator: "-")
      guard range.count == 2, let s = UInt64(range[0], radix: 16), let e = UInt64(range[1], radix: 16),
        let off = UInt64(f[2], radix: 16)
      else { continue }
      out.append(Mapping(start: s, end: e, offset: off, path: String(f[5...].joined(separator: " "))))
    }
    return out
  }
}
