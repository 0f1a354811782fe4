/// One conversion ready to format, the way upstream's `FormatSpec::apply` does through an
/// iostream. Numbers are rendered into a stack buffer and padded straight into the output: no
/// allocation or reference counting per argument on the common paths.
struct PrintfPlan {
  let specifier: PrintfSpecifier
  let leftAlign: Bool
  let showSign: Bool
  let alternateForm: Bool
  let leadingZeros: Bool
  let width: Int
  /// Bits of the C integer type the length modifier names; 32 (a C `int`) for none or others.
  let castBits: Int

  init(_ c: PrintfConversion) {
    specifier = c.specifier
    leftAlign = c.leftAlign
    showSign = c.showSign
    alternateForm = c.alternateForm
    leadingZeros = c.leadingZeros
    width = c.width
    castBits = PrintfConversion.castBits(c.lengthModifier)
  }

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
      let sign: StaticString = n < 0 ? "-" : (showSign ? "+" : "")
      writeNumber(n.magnitude, radix: 10, upper: false, prefix: sign, into: &w)
    case .u, .o, .x, .X:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      let n: UInt64
      switch castBits {
      case 8: n = UInt64(UInt8(truncatingIfNeeded: raw))
      case 16: n = UInt64(UInt16(truncatingIfNeeded: raw))
      case 32: n = UInt64(UInt32(truncatingIfNeeded: raw))
      default: n = raw
      }
      switch specifier {
      case .o: writeNumber(n, radix: 8, upper: false, prefix: alternateForm && n != 0 ? "0" : "", into: &w)
      case .x: writeNumber(n, radix: 16, upper: false, prefix: alternateForm && n != 0 ? "0x" : "", into: &w)
      case .X: writeNumber(n, radix: 16, upper: true, prefix: alternateForm && n != 0 ? "0X" : "", into: &w)
      default: writeNumber(n, radix: 10, upper: false, prefix: "", into: &w)
      }
    case .c:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      padBefore(1, into: &w)
      w.append(UInt8(truncatingIfNeeded: raw))
      padAfter(1, into: &w)
    case .p:
      guard let raw = Self.integerBits(v) else { return invalid("integer", v, into: &w) }
      writeNumber(raw, radix: 16, upper: false, prefix: raw != 0 ? "0x" : "", into: &w)
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

  /// prefix (sign or base) + digits, padded as one field: the fill goes outside the prefix.
  private func writeNumber(_ n: UInt64, radix: UInt64, upper: Bool, prefix: StaticString, into w: inout ByteWriter) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
      var i = 24
      var x = n
      repeat {
        let d = UInt8(truncatingIfNeeded: x % radix)
        x /= radix
        i -= 1
        buf[i] = d < 10 ? 48 + d : (upper ? 55 : 87) + d
      } while x != 0
      let length = prefix.utf8CodeUnitCount + 24 - i
      padBefore(length, into: &w)
      w.append(prefix)
      w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<24]))
      padAfter(length, into: &w)
    }
  }

  private func writeText(_ v: OutputValue, into w: inout ByteWriter) {
    if case .string(let s) = v {
      if width == 0 { return w.append(contentsOf: s.bytes) }
      let n = s.count
      padBefore(n, into: &w)
      w.append(contentsOf: s.bytes)
      padAfter(n, into: &w)
      return
    }
    if width == 0 { return TextValue.write(v, into: &w, plus: showSign) }
    var t = ByteWriter(capacity: 32)
    TextValue.write(v, into: &t, plus: showSign)
    pad(t.bytes, firstToken: TextValue.firstTokenLength(v, rendered: t.bytes.count), into: &w)
  }

  /// iostream `setw`: the fill goes before the field, or after it with `-`.
  @inline(__always) private func padBefore(_ length: Int, into w: inout ByteWriter) {
    if !leftAlign && width > length { w.append(repeating: fill, count: width - length) }
  }

  @inline(__always) private func padAfter(_ length: Int, into w: inout ByteWriter) {
    if leftAlign && width > length { w.append(repeating: fill, count: width - length) }
  }

  private var fill: UInt8 { leadingZeros ? UInt8(ascii: "0") : UInt8(ascii: " ") }

  /// Pads only the first `firstToken` bytes, as a width applies to the first thing streamed.
  private func pad(_ bytes: [UInt8], firstToken: Int, into w: inout ByteWriter) {
    padBefore(firstToken, into: &w)
    w.bytes.append(contentsOf: bytes[0..<firstToken])
    padAfter(firstToken, into: &w)
    w.bytes.append(contentsOf: bytes[firstToken...])
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
