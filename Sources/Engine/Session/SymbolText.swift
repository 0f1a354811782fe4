import Glibc

/// Symbolic values that need no session state to print: macaddr() and strerror().
enum SymbolText {
  static func decode(_ kind: SymbolKind, _ bytes: UnsafeRawBufferPointer) -> OutputValue {
    switch kind {
    case .macaddr:
      return .string(ByteString(macAddress(Array(bytes.prefix(6)))))
    case .strerror:
      var code: Int64 = 0
      if bytes.count >= 8 { code = bytes.loadUnaligned(as: Int64.self) }
      return .string(ByteString(errorText(code)))
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

  /// strerror(3) of an errno; negative codes (syscall returns) count as their magnitude.
  static func errorText(_ code: Int64) -> String {
    let e = code == Int64.min ? Int64.max : abs(code)
    guard e <= Int64(Int32.max) else { return "Unknown error \(e)" }
    return String(cString: strerror(Int32(e)))
  }
}
