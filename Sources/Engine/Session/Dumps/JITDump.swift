import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// The JIT's machine code of a loaded program. bpftool disassembles it when built with a
/// disassembler; else objdump does (call targets named from kallsyms); else a hex dump.
enum JITDump {
  static func text(_ program: BPFProgram) -> String {
    let bytes: [UInt8]
    do { bytes = try program.jitedBytes() } catch { return "(cannot read the JIT code: \(error))\n" }
    if bytes.isEmpty { return "(no JIT code: the JIT is off, see net.core.bpf_jit_enable)\n" }
    if let id = try? program.info().id, let text = bpftool(id) { return text }
    let base = program.jitedSymbols().first ?? 0
    if let text = objdump(bytes, base: base) { return text }
    return hexDump(bytes)
  }

  /// `bpftool prog dump jited id N`, when that bpftool has a disassembler (many lack libbfd).
  static func bpftool(_ id: UInt32) -> String? {
    for path in ["/usr/sbin/bpftool", "/usr/bin/bpftool"] where access(path, X_OK) == 0 {
      guard let r = Command.run("\(path) prog dump jited id \(id) 2>&1"), r.status == 0, !r.output.isEmpty,
        !r.output.hasPrefix("Error")
      else { return nil }
      return r.output
    }
    return nil
  }

  /// objdump on the raw bytes, addresses shown as offsets, calls annotated with kernel symbols.
  static func objdump(_ bytes: [UInt8], base: UInt64) -> String? {
    var u = utsname()
    uname(&u)
    let machine = withUnsafeBytes(of: u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let arch: String
    switch machine {
    case "x86_64": arch = "i386:x86-64"
    case "aarch64": arch = "aarch64"
    default: return nil
    }
    guard access("/usr/bin/objdump", X_OK) == 0 else { return nil }
    var template = Array("/tmp/bpfrepl-jit-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { return nil }
    let path = String(cString: template)
    defer { unlink(path) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else { return nil }
    let vma = "0x" + String(base, radix: 16)
    guard let r = Command.run("/usr/bin/objdump -D -b binary -m \(arch) --adjust-vma=\(vma) \(path) 2>/dev/null"),
      r.status == 0
    else {
      return nil
    }
    // Keep the instruction lines ("  addr:\tbytes\tinsn"), rebased to offsets.
    var lines: [(offset: UInt64, rest: Substring)] = []
    for line in r.output.split(separator: "\n") {
      let trimmed = line.drop { $0 == " " }
      guard let colon = trimmed.firstIndex(of: ":"), let addr = UInt64(trimmed[..<colon], radix: 16),
        trimmed[trimmed.index(after: colon)...].first == "\t"
      else { continue }
      lines.append((addr &- base, trimmed[trimmed.index(after: colon)...]))
    }
    guard !lines.isEmpty else { return nil }
    // Name the targets of calls (helpers, kernel functions) when the base address is known.
    var targets: [Int: UInt64] = [:]
    if base != 0 {
      for (i, l) in lines.enumerated() where l.rest.contains("call") {
        if let hex = l.rest.split(separator: " ").last, hex.hasPrefix("0x"), let a = UInt64(hex.dropFirst(2), radix: 16)
        {
          targets[i] = a
        }
      }
    }
    let names = KernelSymbols.lookup(addresses: Set(targets.values)).names
    var out = ""
    for (i, l) in lines.enumerated() {
      let off = String(l.offset, radix: 16)
      out +=
        String(repeating: " ", count: max(0, 4 - off.count)) + off + ":"
        + rebasedJump(l.rest, base: base, size: bytes.count)
      if let a = targets[i], let name = names[a] { out += "  <\(name)>" }
      out += "\n"
    }
    return out
  }

  /// Jumps within the program show the offset they go to, like the addresses on the left.
  static func rebasedJump(_ line: Substring, base: UInt64, size: Int) -> Substring {
    guard base != 0, let space = line.lastIndex(of: " "), line[line.index(after: space)...].hasPrefix("0x"),
      let a = UInt64(line[line.index(line.index(after: space), offsetBy: 2)...], radix: 16), a >= base,
      a < base + UInt64(size)
    else { return line }
    return line[...space] + "0x" + String(a - base, radix: 16)
  }

  /// 16 bytes a line, hex offsets.
  static func hexDump(_ bytes: [UInt8]) -> String {
    var out = ""
    for start in stride(from: 0, to: bytes.count, by: 16) {
      let off = String(start, radix: 16)
      out += String(repeating: "0", count: max(0, 4 - off.count)) + off + ":"
      for b in bytes[start..<min(start + 16, bytes.count)] {
        out += " " + (b < 16 ? "0" : "") + String(b, radix: 16)
      }
      out += "\n"
    }
    return out
  }
}

extension BPFProgram {
  /// Kernel addresses of the JIT'd functions, the main program first.
  func jitedSymbols() -> [UInt64] {
    var info = bpf_prog_info()
    var len = UInt32(MemoryLayout<bpf_prog_info>.size)
    guard bpf_obj_get_info_by_fd(fd, &info, &len) == 0, info.nr_jited_ksyms > 0 else { return [] }
    var addresses = [UInt64](repeating: 0, count: Int(info.nr_jited_ksyms))
    let ok = addresses.withUnsafeMutableBufferPointer { buf -> Bool in
      var again = bpf_prog_info()
      again.nr_jited_ksyms = UInt32(buf.count)
      again.jited_ksyms = UInt64(UInt(bitPattern: buf.baseAddress))
      var len = UInt32(MemoryLayout<bpf_prog_info>.size)
      return bpf_obj_get_info_by_fd(fd, &again, &len) == 0
    }
    return ok ? addresses : []
  }
}

/// Runs a shell command and collects its standard output.
enum Command {
  static func run(_ command: String) -> (status: Int32, output: String)? {
    guard let pipe = popen(command, "r") else { return nil }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&buf, 1, buf.count, pipe)
      if n <= 0 { break }
      bytes += buf[0..<n]
    }
    let status = pclose(pipe)
    return ((status >> 8) & 0xff, String(decoding: bytes, as: UTF8.self))
  }
}
