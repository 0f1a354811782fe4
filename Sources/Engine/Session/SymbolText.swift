import Glibc

/// Symbolic values that need no session state to print: macaddr(), strerror() and signal_name().
enum SymbolText {
  static func decode(_ kind: SymbolKind, _ bytes: UnsafeRawBufferPointer) -> OutputValue {
    switch kind {
    case .macaddr:
      return .string(ByteString(macAddress(Array(bytes.prefix(6)))))
    case .strerror:
      var code: Int64 = 0
      if bytes.count >= 8 { code = bytes.loadUnaligned(as: Int64.self) }
      return .string(ByteString(errorText(code)))
    case .syscallName:
      var n: Int64 = 0
      if bytes.count >= 8 { n = bytes.loadUnaligned(as: Int64.self) }
      return .string(ByteString(SyscallTable.name(n)))
    case .signalName:
      var n: Int64 = 0
      if bytes.count >= 8 { n = bytes.loadUnaligned(as: Int64.self) }
      return .string(ByteString(signalText(n)))
    default:
      var v: UInt64 = 0
      for i in 0..<min(8, bytes.count) { v |= UInt64(bytes[i]) << (8 * UInt64(i)) }
      return .unsigned(v)
    }
  }

  /// `AA:BB:CC:DD:EE:FF`, upper-case hex, as upstream prints MAC addresses.
  static func macAddress(_ b: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for (i, byte) in b.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ":")) }
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// strsignal(3) of signals 0 to 64 (SIGRTMAX), "N/A" otherwise, as upstream's table has it.
  static func signalText(_ n: Int64) -> String {
    guard (0...64).contains(n), let text = strsignal(Int32(n)) else { return "N/A" }
    return String(cString: text)
  }

  /// strerror(3) of an errno; negative codes (syscall returns) count as their magnitude.
  static func errorText(_ code: Int64) -> String {
    let e = code == Int64.min ? Int64.max : abs(code)
    guard e <= Int64(Int32.max) else { return "Unknown error \(e)" }
    return String(cString: strerror(Int32(e)))
  }
}

/// Syscall names by number, from the `__NR_*` constants of the installed kernel headers
/// (linux-libc-dev, which libbpf-dev depends on); read once.
enum SyscallTable {
  static let path = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
  private static let names: [Int64: String] = {
    guard let text = FileIO.readText(path) else { return [:] }
    var out: [Int64: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("#define __NR_") {
      let f = line.split(separator: " ")
      guard f.count == 3, let n = Int64(f[2]) else { continue }
      out[n] = String(f[1].dropFirst("__NR_".count))
    }
    return out
  }()

  /// upstream's text for numbers it does not know: "Unknown syscall".
  static func name(_ n: Int64) -> String { names[n] ?? "Unknown syscall" }
}
