/// Append-only byte output used by every formatter. Output is built as bytes (not `String`) so
/// that integer formatting allocates nothing and printf can keep up with ~1M events/s.
@usableFromInline
struct ByteWriter {
  @usableFromInline var bytes: [UInt8]

  @inlinable init(capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  /// Appends to `out` in place: its storage moves into the writer and back, never copied.
  @inlinable static func appending(to out: inout [UInt8], _ body: (inout ByteWriter) -> Void) {
    var w = ByteWriter(empty: ())
    swap(&w.bytes, &out)
    body(&w)
    swap(&w.bytes, &out)
  }

  @inlinable init(empty: Void) { bytes = [] }

  @inlinable mutating func append(_ b: UInt8) { bytes.append(b) }
  @inlinable mutating func append(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }
  @inlinable mutating func append(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }
  @inlinable mutating func append(contentsOf b: [UInt8]) { bytes.append(contentsOf: b) }
  @inlinable mutating func append(repeating b: UInt8, count: Int) {
    if count > 0 { bytes.append(contentsOf: repeatElement(b, count: count)) }
  }

  /// Decimal digits of `v`, with a `-` for negatives and a `+` when `plus` (iostream `showpos`).
  @inlinable mutating func appendDecimal(_ v: Int64, plus: Bool = false) {
    if v < 0 {
      append(UInt8(ascii: "-"))
      appendDigits(v.magnitude, radix: 10, upper: false)
    } else {
      if plus { append(UInt8(ascii: "+")) }
      appendDigits(UInt64(v), radix: 10, upper: false)
    }
  }

  @inlinable mutating func appendDecimal(_ v: UInt64) { appendDigits(v, radix: 10, upper: false) }

  @inlinable mutating func appendDigits(_ v: UInt64, radix: UInt64, upper: Bool) {
    // 64 bits in octal is 22 digits.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
      var i = 24
      var n = v
      repeat {
        let d = UInt8(truncatingIfNeeded: n % radix)
        n /= radix
        i -= 1
        buf[i] = d < 10 ? 48 + d : (upper ? 55 : 87) + d
      } while n != 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<24]))
    }
  }

  /// Two lowercase hex digits.
  @inlinable mutating func appendHexByte(_ b: UInt8) {
    let digits: StaticString = "0123456789abcdef"
    digits.withUTF8Buffer { d in
      bytes.append(d[Int(b >> 4)])
      bytes.append(d[Int(b & 15)])
    }
  }

  var string: String { String(decoding: bytes, as: UTF8.self) }
}

extension String {
  /// Number of UTF-8 bytes: iostream widths count bytes, not characters.
  @inlinable var byteCount: Int { utf8.count }
}
