/// JSON rendering of single values, as upstream's `JsonOutput` emits a `Primitive`.
enum JSONValue {
  static func write(_ v: OutputValue, into w: inout ByteWriter) {
    switch v {
    case .none: w.append("null")
    case .boolean(let b): w.append(b ? "true" : "false")
    case .signed(let n): writeNumber(n, into: &w)
    case .unsigned(let n): writeNumber(n, into: &w)
    case .string(let s): writeString(s.text, into: &w)
    case .buffer(let b):
      // Upstream emits each byte as a C `char`, which is signed on x86: 0xff prints as -1.
      w.append(UInt8(ascii: "["))
      for (i, c) in b.enumerated() {
        if i > 0 { w.append(UInt8(ascii: ",")) }
        w.appendDecimal(Int64(Int8(bitPattern: c)))
      }
      w.append(UInt8(ascii: "]"))
    case .symbolic(_, let n): writeNumber(n, into: &w)
    case .pointer(let p): writeNumber(p, into: &w)
    case .tuple(let items), .array(let items):
      // Arrays are unspaced; objects below are spaced.
      w.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { w.append(UInt8(ascii: ",")) }
        write(item, into: &w)
      }
      w.append(UInt8(ascii: "]"))
    case .record(let fields):
      w.append(UInt8(ascii: "{"))
      for (i, f) in fields.enumerated() {
        if i > 0 { w.append(", ") }
        writeString(f.name, into: &w)
        w.append(": ")
        write(f.value, into: &w)
      }
      w.append(UInt8(ascii: "}"))
    case .stack(let s):
      var t = ByteWriter()
      TextValue.writeStack(s, into: &t)
      writeString(bytes: t.bytes, into: &w)
    }
  }

  /// Integers that a double cannot hold exactly are emitted as strings (RFC 8259's advice).
  static func writeNumber(_ n: Int64, into w: inout ByteWriter) {
    if Double(exactly: n) == nil {
      w.append(UInt8(ascii: "\""))
      w.appendDecimal(n)
      w.append(UInt8(ascii: "\""))
    } else {
      w.appendDecimal(n)
    }
  }

  static func writeNumber(_ n: UInt64, into w: inout ByteWriter) {
    if Double(exactly: n) == nil {
      w.append(UInt8(ascii: "\""))
      w.appendDecimal(n)
      w.append(UInt8(ascii: "\""))
    } else {
      w.appendDecimal(n)
    }
  }

  static func writeString(_ s: String, into w: inout ByteWriter) {
    var s = s
    s.withUTF8 { writeString(bytes: $0, into: &w) }
  }

  /// Upstream's escaping. Bytes are C `char`s (signed), so every byte >= 0x80 also takes the
  /// `\u` branch and prints as `\uffffffXX` (sign-extended int in hex). That is not valid JSON,
  /// but it is what bpftrace prints for non-ASCII text; kept for byte-identical output.
  static func writeString<C: Collection>(bytes: C, into w: inout ByteWriter) where C.Element == UInt8 {
    w.append(UInt8(ascii: "\""))
    var plainStart = bytes.startIndex
    var i = bytes.startIndex
    // Copy runs of bytes that need no escaping in one go.
    while i != bytes.endIndex {
      let c = bytes[i]
      if c >= 0x20 && c < 0x80 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
        i = bytes.index(after: i)
        continue
      }
      w.bytes.append(contentsOf: bytes[plainStart..<i])
      switch c {
      case UInt8(ascii: "\""): w.append("\\\"")
      case UInt8(ascii: "\\"): w.append("\\\\")
      case UInt8(ascii: "\n"): w.append("\\n")
      case UInt8(ascii: "\r"): w.append("\\r")
      case UInt8(ascii: "\t"): w.append("\\t")
      case 0..<0x20:
        w.append("\\u00")
        w.appendHexByte(c)
      default:
        w.append("\\uffffff")
        w.appendHexByte(c)
      }
      i = bytes.index(after: i)
      plainStart = i
    }
    w.bytes.append(contentsOf: bytes[plainStart..<i])
    w.append(UInt8(ascii: "\""))
  }
}
