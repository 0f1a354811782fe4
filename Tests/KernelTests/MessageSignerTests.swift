import Testing

@testable import Kernel

@Suite struct MessageSignerTests {
  // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
  static let rfcDigest = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
  static let rfcParts = ["what do ", "ya want ", "for ", "nothing?"].map { Array($0.utf8) }

  @Test func knownVectorOverConcatenatedParts() throws {
    let signer = try MessageSigner(key: "Jefe")
    #expect(String(decoding: signer.signature(Self.rfcParts), as: UTF8.self) == Self.rfcDigest)
  }

  @Test func otherSchemes() throws {
    // RFC 4231 test case 2, SHA-512.
    let s512 = try MessageSigner(key: "Jefe", scheme: "hmac-sha512")
    #expect(
      String(decoding: s512.signature(Self.rfcParts), as: UTF8.self)
        == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
    )
    #expect(throws: MessageSigner.UnsupportedScheme.self) { try MessageSigner(key: "k", scheme: "hmac-md5") }
  }

  @Test func verifies() throws {
    let signer = try MessageSigner(key: "Jefe")
    #expect(signer.verify(signature: Array(Self.rfcDigest.utf8), parts: Self.rfcParts))
    #expect(signer.verify(signature: Array(Self.rfcDigest.uppercased().utf8), parts: Self.rfcParts))
    var flipped = Array(Self.rfcDigest.utf8)
    flipped[10] = flipped[10] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
    #expect(!signer.verify(signature: flipped, parts: Self.rfcParts))
    #expect(!signer.verify(signature: Array(Self.rfcDigest.utf8.dropLast(2)), parts: Self.rfcParts))
    #expect(!signer.verify(signature: [], parts: Self.rfcParts))
    #expect(!signer.verify(signature: Array("zz".utf8), parts: Self.rfcParts))
    #expect(!signer.verify(signature: Array(Self.rfcDigest.utf8), parts: Self.rfcParts.reversed()))
  }

  @Test func emptyKeyDisablesSigning() throws {
    let signer = try MessageSigner(key: "")
    #expect(!signer.isEnabled)
    #expect(signer.signature(Self.rfcParts).isEmpty)
    #expect(signer.verify(signature: [], parts: Self.rfcParts))
  }
}

@Suite struct ReplayGuardTests {
  @Test func rejectsRepeats() {
    let g = ReplayGuard(capacity: 10)
    #expect(g.admit([1]))
    #expect(g.admit([2]))
    #expect(!g.admit([1]))
    #expect(g.count == 2)
  }

  @Test func isBoundedAndForgetsOldestFirst() {
    let g = ReplayGuard(capacity: 3)
    for i: UInt8 in 1...3 { #expect(g.admit([i])) }
    #expect(g.admit([4]))  // evicts [1]
    #expect(g.count == 3)
    #expect(!g.admit([2]))
    #expect(!g.admit([4]))
    #expect(g.admit([1]))  // forgotten, so admitted again (evicts [2])
    #expect(g.admit([2]))
    for i: UInt8 in 10...200 { _ = g.admit([i]) }
    #expect(g.count == 3)
  }
}
