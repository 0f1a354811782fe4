import Testing

@testable import Kernel

@Suite struct WireMessageTests {
  let signer = try! MessageSigner(key: "secret")
  let factory = MessageFactory(session: "kernel-session")

  func sample() -> Message {
    var m = Message(
      identities: [[0, 1, 2], Array("client".utf8)], header: factory.header("kernel_info_request"),
      parentHeader: [:], metadata: ["m": 1], content: ["code": "x"], buffers: [[9, 9]])
    m.header = [
      "msg_id": "abc", "msg_type": "kernel_info_request", "session": "s", "username": "u", "date": "d",
      "version": "5.3",
    ]
    return m
  }

  @Test func encodesFramesInOrder() {
    let frames = WireCodec.encode(sample(), signer: signer)
    #expect(frames.count == 2 + 1 + 1 + 4 + 1)
    #expect(frames[0] == [0, 1, 2])
    #expect(frames[2] == Array("<IDS|MSG>".utf8))
    #expect(frames[3] == signer.signature(Array(frames[4..<8])))
    #expect(String(decoding: frames[7], as: UTF8.self) == #"{"code":"x"}"#)
    #expect(frames[8] == [9, 9])
  }

  @Test func roundTrips() throws {
    let m = try WireCodec.decode(WireCodec.encode(sample(), signer: signer), signer: signer, replay: ReplayGuard())
    #expect(m.identities == sample().identities)
    #expect(m.msgType == "kernel_info_request")
    #expect(m.msgID == "abc")
    #expect(m.content == ["code": "x"])
    #expect(m.metadata == ["m": 1])
    #expect(m.buffers == [[9, 9]])
  }

  @Test func verifiesReceivedBytesNotReserialized() throws {
    // A client's JSON (spacing, key order) differs from ours: the signature covers its bytes.
    let parts = [#"{ "msg_type": "x", "msg_id": "1" }"#, "{}", "{}", #"{"b": 1, "a": 2}"#].map { Array($0.utf8) }
    let frames = [Array("<IDS|MSG>".utf8), signer.signature(parts)] + parts
    let m = try WireCodec.decode(frames, signer: signer, replay: nil)
    #expect(m.msgType == "x")
    #expect(m.identities.isEmpty)
  }

  @Test func rejectsBadAndMissingSignatures() {
    var frames = WireCodec.encode(sample(), signer: signer)
    frames[3] = Array(String(repeating: "0", count: 64).utf8)
    #expect(throws: WireError.badSignature) { try WireCodec.decode(frames, signer: signer, replay: nil) }
    frames[3] = []
    #expect(throws: WireError.missingSignature) { try WireCodec.decode(frames, signer: signer, replay: nil) }
    let other = try! MessageSigner(key: "other")
    #expect(throws: WireError.badSignature) {
      try WireCodec.decode(WireCodec.encode(sample(), signer: other), signer: signer, replay: nil)
    }
  }

  @Test func rejectsReplays() throws {
    let guardSet = ReplayGuard()
    let frames = WireCodec.encode(sample(), signer: signer)
    _ = try WireCodec.decode(frames, signer: signer, replay: guardSet)
    #expect(throws: WireError.replayedSignature) { try WireCodec.decode(frames, signer: signer, replay: guardSet) }
  }

  @Test func rejectsMalformedFrames() {
    let d = Array("<IDS|MSG>".utf8)
    #expect(throws: WireError.missingDelimiter) { try WireCodec.decode([[1], [2]], signer: signer, replay: nil) }
    #expect(throws: WireError.tooFewFrames(2)) { try WireCodec.decode([d, [], []], signer: signer, replay: nil) }
    func signed(_ texts: [String]) -> [[UInt8]] {
      let parts = texts.map { Array($0.utf8) }
      return [d, signer.signature(parts)] + parts
    }
    #expect(throws: WireError.self) {
      try WireCodec.decode(signed(["nope", "{}", "{}", "{}"]), signer: signer, replay: nil)
    }
    #expect(throws: WireError.notAnObject(part: "content")) {
      try WireCodec.decode(signed([#"{"msg_type":"a"}"#, "{}", "{}", "[]"]), signer: signer, replay: nil)
    }
    #expect(throws: WireError.missingMsgType) {
      try WireCodec.decode(signed(["{}", "{}", "{}", "{}"]), signer: signer, replay: nil)
    }
  }

  @Test func emptyKeyAcceptsUnsignedMessages() throws {
    let none = try MessageSigner(key: "")
    let frames = WireCodec.encode(sample(), signer: none)
    #expect(frames[3].isEmpty)
    #expect(try WireCodec.decode(frames, signer: none, replay: ReplayGuard()).msgID == "abc")
  }

  @Test func repliesCarryParentAndIdentities() throws {
    let request = try WireCodec.decode(WireCodec.encode(sample(), signer: signer), signer: signer, replay: nil)
    let reply = factory.reply(to: request, type: "kernel_info_reply", content: ["status": "ok"])
    #expect(reply.identities == request.identities)
    #expect(reply.parentHeader == request.header)
    #expect(reply.header["session"] == "kernel-session")
    #expect(reply.header["msg_type"] == "kernel_info_reply")
    #expect(reply.header["version"] == .string(MessageFactory.protocolVersion))
    #expect(reply.header["msg_id"] != factory.header("x")["msg_id"])
  }

  @Test func timestampIsISO8601WithMicroseconds() {
    let ts = MessageFactory.timestamp()
    #expect(ts.count == 27)
    #expect(ts.hasSuffix("Z"))
    let chars = Array(ts)
    #expect(chars[4] == "-" && chars[10] == "T" && chars[19] == ".")
  }
}
