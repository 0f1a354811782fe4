/// One Jupyter message, as the handlers see it.
public struct Message: Sendable {
  /// ZeroMQ routing prefix (ROUTER identities), or the topic for IOPub.
  public var identities: [[UInt8]]
  public var header: JSON
  public var parentHeader: JSON
  public var metadata: JSON
  public var content: JSON
  public var buffers: [[UInt8]]

  public init(
    identities: [[UInt8]] = [], header: JSON, parentHeader: JSON = [:], metadata: JSON = [:],
    content: JSON = [:], buffers: [[UInt8]] = []
  ) {
    self.identities = identities
    self.header = header
    self.parentHeader = parentHeader
    self.metadata = metadata
    self.content = content
    self.buffers = buffers
  }

  public var msgType: String { header["msg_type"]?.stringValue ?? "" }
  public var msgID: String { header["msg_id"]?.stringValue ?? "" }
}

public enum WireError: Error, Equatable, CustomStringConvertible {
  case missingDelimiter
  case tooFewFrames(Int)
  case missingSignature
  case badSignature
  case replayedSignature
  case badJSON(part: String, reason: String)
  case notAnObject(part: String)
  case missingMsgType

  public var description: String {
    switch self {
    case .missingDelimiter: return "no <IDS|MSG> delimiter"
    case .tooFewFrames(let n): return "only \(n) frames after the delimiter (need signature + 4 dicts)"
    case .missingSignature: return "missing signature"
    case .badSignature: return "bad signature"
    case .replayedSignature: return "replayed signature"
    case .badJSON(let part, let reason): return "\(part) is not valid JSON: \(reason)"
    case .notAnObject(let part): return "\(part) is not a JSON object"
    case .missingMsgType: return "header has no msg_type"
    }
  }

  /// Authentication failures, as opposed to malformed messages.
  public var isAuthenticationFailure: Bool {
    switch self {
    case .missingSignature, .badSignature, .replayedSignature: return true
    default: return false
    }
  }
}

/// The wire format: `ids… <IDS|MSG> signature header parent metadata content buffers…`.
public enum WireCodec {
  public static let delimiter: [UInt8] = Array("<IDS|MSG>".utf8)

  /// Authenticates, then parses. Signatures are checked over the received bytes, before any
  /// JSON parsing, so unauthenticated input never reaches the parser.
  public static func decode(_ frames: [[UInt8]], signer: MessageSigner, replay: ReplayGuard?) throws -> Message {
    guard let d = frames.firstIndex(of: delimiter) else { throw WireError.missingDelimiter }
    let rest = frames.count - d - 1
    guard rest >= 5 else { throw WireError.tooFewFrames(rest) }
    let signature = frames[d + 1]
    let parts = Array(frames[(d + 2)..<(d + 6)])
    if signer.isEnabled {
      guard !signature.isEmpty else { throw WireError.missingSignature }
      guard signer.verify(signature: signature, parts: parts) else { throw WireError.badSignature }
      if let replay, !replay.admit(signature) { throw WireError.replayedSignature }
    }
    let names = ["header", "parent_header", "metadata", "content"]
    var dicts: [JSON] = []
    for (name, bytes) in zip(names, parts) {
      let v: JSON
      do { v = try JSON.parse(bytes) } catch { throw WireError.badJSON(part: name, reason: "\(error)") }
      guard case .object = v else { throw WireError.notAnObject(part: name) }
      dicts.append(v)
    }
    guard dicts[0]["msg_type"]?.stringValue != nil else { throw WireError.missingMsgType }
    return Message(
      identities: Array(frames[..<d]), header: dicts[0], parentHeader: dicts[1], metadata: dicts[2],
      content: dicts[3], buffers: Array(frames[(d + 6)...]))
  }

  public static func encode(_ message: Message, signer: MessageSigner) -> [[UInt8]] {
    let parts = [
      message.header.serialized(), message.parentHeader.serialized(),
      message.metadata.serialized(), message.content.serialized(),
    ]
    return message.identities + [delimiter, signer.signature(parts)] + parts + message.buffers
  }
}
