/// Formatting one argument the way upstream's `FormatSpec::apply` does through an iostream.
extension PrintfConversion {
  func write(_ v: OutputValue, into w: inout ByteWriter) {
    switch specifier {
    case .d, .i:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      let n: Int64
      switch castBits {
      case 8: n = Int64(Int8(truncatingIfNeeded: raw))
      case 16: n = Int64(Int16(truncatingIfNeeded: raw))
      case 32: n = Int64(Int32(truncatingIfNeeded: raw))
      default: n = Int64(bitPattern: raw)
      }
      var t = ByteWriter(capacity: 24)
      t.appendDecimal(n, plus: showSign)
      pad(t.bytes, firstToken: t.bytes.count, into: &w)
    case .u, .o, .x, .X:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      let n: UInt64
      switch castBits {
      case 8: n = UInt64(UInt8(truncatingIfNeeded: raw))
      case 16: n = UInt64(UInt16(truncatingIfNeeded: raw))
      case 32: n = UInt64(UInt32(truncatingIfNeeded: raw))
      default: n = raw
      }
      var t = ByteWriter(capacity: 24)
      let upper = specifier == .X
      switch specifier {
      case .o:
        if alternateForm && n != 0 { t.append(UInt8(ascii: "0")) }
        t.appendDigits(n, radix: 8, upper: false)
      case .x, .X:
        if alternateForm && n != 0 { t.append(upper ? "0X" : "0x") }
        t.appendDigits(n, radix: 16, upper: upper)
      default:
        t.appendDigits(n, radix: 10, upper: false)
      }
      pad(t.bytes, firstToken: t.bytes.count, into: &w)
    case .c:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      pad([UInt8(truncatingIfNeeded: raw)], firstToken: 1, into: &w)
    case .p:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      var t = ByteWriter(capacity: 20)
      if raw != 0 { t.append("0x") }
      t.appendDigits(raw, radix: 16, upper: false)
      pad(t.bytes, firstToken: t.bytes.count, into: &w)
    case .r, .rx, .rh:
      guard case .buffer(let b) = v else { return writeText(v, into: &w) }
      var t = ByteWriter(capacity: b.count * 4)
      TextValue.writeBuffer(b, keepASCII: specifier == .r, escapeHex: specifier != .rh, into: &t)
      pad(t.bytes, firstToken: t.bytes.count, into: &w)
    case .gr:
      let raw: UInt64
      switch v {
      case .signed(let n): raw = UInt64(bitPattern: n)
      case .unsigned(let n), .symbolic(_, let n), .pointer(let n): raw = n
      default: return invalid("GFP flags", v, into: &w)
      }
      var t = ByteWriter(capacity: 32)
      GFPFlags.write(raw, into: &t)
      pad(t.bytes, firstToken: t.bytes.count, into: &w)
    default:
      // %s, and conversions upstream rejects at compile time (floating point, %n).
      writeText(v, into: &w)
    }
  }

  /// Bits of the C type the length modifier names; 32 when there is none (a C `int`).
  private var castBits: Int {
    switch lengthModifier {
    case "hh": 8
    case "h": 16
    case "l", "ll", "j", "z", "t": 64
    default: 32
    }
  }

  private func writeText(_ v: OutputValue, into w: inout ByteWriter) {
    if width == 0 {
      // Fast path: nothing to pad.
      if case .string(let s) = v { return w.append(s) }
      return TextValue.write(v, into: &w, plus: showSign)
    }
    var t = ByteWriter(capacity: 32)
    TextValue.write(v, into: &t, plus: showSign)
    pad(t.bytes, firstToken: TextValue.firstTokenLength(v, rendered: t.bytes.count), into: &w)
  }

  /// iostream `setw`: pads the first `firstToken` bytes to `width`, on the left unless `-`.
  private func pad(_ bytes: [UInt8], firstToken: Int, into w: inout ByteWriter) {
    let fill = leadingZeros ? UInt8(ascii: "0") : UInt8(ascii: " ")
    let n = width - firstToken
    if n <= 0 { return w.append(contentsOf: bytes) }
    if leftAlign {
      w.append(contentsOf: Array(bytes[0..<firstToken]))
      w.append(repeating: fill, count: n)
      w.append(contentsOf: Array(bytes[firstToken...]))
    } else {
      w.append(repeating: fill, count: n)
      w.append(contentsOf: bytes)
    }
  }

  /// Upstream embeds the error instead of the value: `!{invalid integer conversion: abc}`.
  private func invalid(_ what: StaticString, _ v: OutputValue, into w: inout ByteWriter) {
    w.append("!{invalid ")
    w.append(what)
    w.append(" conversion: ")
    TextValue.write(v, into: &w)
    w.append(UInt8(ascii: "}"))
  }

  /// The value as the integer upstream casts from; nil for values that are not numbers.
  static func integerBits(_ v: OutputValue) -> UInt64? {
    switch v {
    case .signed(let n): UInt64(bitPattern: n)
    case .unsigned(let n), .symbolic(_, let n), .pointer(let n): n
    case .boolean(let b): b ? 1 : 0
    default: nil
    }
  }
}
