/// Text rendering of single values, as upstream's `TextOutput` prints a `Primitive`.
enum TextValue {
  /// `plus` is iostream `showpos`, which printf `%+s` leaves set for every signed number inside.
  static func write(_ v: OutputValue, into w: inout ByteWriter, plus: Bool = false) {
    switch v {
    case .none: w.append("null")
    case .boolean(let b): w.append(b ? "true" : "false")
    case .signed(let n): w.appendDecimal(n, plus: plus)
    case .unsigned(let n): w.appendDecimal(n)
    case .string(let s): w.append(contentsOf: s.bytes)
    case .buffer(let b): writeBuffer(b, keepASCII: true, escapeHex: true, into: &w)
    case .symbolic(let name, _): w.append(name)
    case .pointer(let p):
      w.append("0x")
      w.appendDigits(p, radix: 16, upper: false)
    case .tuple(let items):
      // Tuples get a space after each comma, arrays do not.
      w.append(UInt8(ascii: "("))
      for (i, item) in items.enumerated() {
        if i > 0 { w.append(", ") }
        write(item, into: &w, plus: plus)
      }
      w.append(UInt8(ascii: ")"))
    case .array(let items):
      w.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { w.append(UInt8(ascii: ",")) }
        write(item, into: &w, plus: plus)
      }
      w.append(UInt8(ascii: "]"))
    case .record(let fields):
      if fields.isEmpty {
        w.append("{}")
        return
      }
      w.append("{ ")
      for (i, f) in fields.enumerated() {
        if i > 0 { w.append(", ") }
        w.append(UInt8(ascii: "."))
        w.append(f.name)
        w.append(" = ")
        write(f.value, into: &w, plus: plus)
      }
      w.append(" }")
    case .stack(let s): writeStack(s, into: &w)
    }
  }

  static func string(_ v: OutputValue) -> String {
    var w = ByteWriter()
    write(v, into: &w)
    return w.string
  }

  /// Byte length of the first thing upstream streams for `v`: an iostream width pads only that.
  static func firstTokenLength(_ v: OutputValue, rendered: Int) -> Int {
    switch v {
    case .tuple, .array: return 1
    case .record: return 2  // "{ " or "{}"
    default: return rendered
    }
  }

  /// upstream `hex_format_buffer`: `%r` keeps printable ASCII and escapes the rest as `\xNN`,
  /// `%rx` escapes every byte, `%rh` prints `NN NN NN`.
  static func writeBuffer(_ b: [UInt8], keepASCII: Bool, escapeHex: Bool, into w: inout ByteWriter) {
    for (i, c) in b.enumerated() {
      if keepASCII && c >= 32 && c <= 126 {
        w.append(c)
      } else if escapeHex {
        w.append("\\x")
        w.appendHexByte(c)
      } else {
        w.appendHexByte(c)
        if i != b.count - 1 { w.append(UInt8(ascii: " ")) }
      }
    }
  }

  static let stackIndent = 8

  static func writeStack(_ s: StackTrace, into w: inout ByteWriter) {
    w.append(UInt8(ascii: "\n"))
    for f in s.frames {
      switch s.mode {
      case .raw:
        w.appendDigits(f.address, radix: 16, upper: false)
        w.append(UInt8(ascii: "\n"))
      case .bpftrace:
        for sym in f.symbols {
          w.append(repeating: UInt8(ascii: " "), count: stackIndent)
          w.append(sym)
          w.append(UInt8(ascii: "\n"))
        }
      case .perf:
        for sym in f.symbols {
          w.append(UInt8(ascii: "\t"))
          w.appendDigits(f.address, radix: 16, upper: false)
          w.append(UInt8(ascii: " "))
          w.append(sym)
          w.append(UInt8(ascii: "\n"))
        }
      }
    }
    if s.unwindFailure {
      w.append(repeating: UInt8(ascii: " "), count: stackIndent)
      w.append("<unwind failure>\n")
    }
  }
}
