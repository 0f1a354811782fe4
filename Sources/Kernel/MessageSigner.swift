import Crypto

/// HMAC signing of Jupyter messages: the signature is the hex digest of
/// HMAC(key, header ‖ parent_header ‖ metadata ‖ content) over the exact frame bytes.
/// An empty key means authentication is off (the signature frame is empty).
public struct MessageSigner: Sendable {
  public struct UnsupportedScheme: Error, CustomStringConvertible {
    public let scheme: String
    public var description: String {
      "unsupported signature_scheme \"\(scheme)\" (supported: hmac-sha256, hmac-sha384, hmac-sha512)"
    }
  }

  private let mac: (@Sendable ([[UInt8]]) -> [UInt8])?

  public var isEnabled: Bool { mac != nil }

  public init(key: String, scheme: String = "hmac-sha256") throws {
    guard !key.isEmpty else {
      mac = nil
      return
    }
    let symmetric = SymmetricKey(data: Array(key.utf8))
    switch scheme.lowercased() {
    case "hmac-sha256": mac = MessageSigner.macFunction(SHA256.self, symmetric)
    case "hmac-sha384": mac = MessageSigner.macFunction(SHA384.self, symmetric)
    case "hmac-sha512": mac = MessageSigner.macFunction(SHA512.self, symmetric)
    default: throw UnsupportedScheme(scheme: scheme)
    }
  }

  private static func macFunction<H: HashFunction>(_: H.Type, _ key: SymmetricKey) -> @Sendable ([[UInt8]]) -> [UInt8] {
    { parts in
      var h = HMAC<H>(key: key)
      for p in parts { h.update(data: p) }
      return Array(h.finalize())
    }
  }

  /// Lowercase hex signature of the four serialized dicts; empty when signing is off.
  public func signature(_ parts: [[UInt8]]) -> [UInt8] {
    guard let mac else { return [] }
    return MessageSigner.hex(mac(parts))
  }

  /// Checks a received signature frame in constant time (for equal-length input).
  public func verify(signature: [UInt8], parts: [[UInt8]]) -> Bool {
    guard let mac else { return true }
    guard let received = MessageSigner.unhex(signature) else { return false }
    let expected = mac(parts)
    guard received.count == expected.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<expected.count { diff |= received[i] ^ expected[i] }
    return diff == 0
  }

  static func hex(_ bytes: [UInt8]) -> [UInt8] {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0xF)])
    }
    return out
  }

  static func unhex(_ text: [UInt8]) -> [UInt8]? {
    guard text.count % 2 == 0, !text.isEmpty else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
      default: return nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(text.count / 2)
    var i = 0
    while i < text.count {
      guard let hi = nibble(text[i]), let lo = nibble(text[i + 1]) else { return nil }
      out.append(hi << 4 | lo)
      i += 2
    }
    return out
  }
}
