import Foundation

/// Builds the headers of messages the kernel sends: one kernel session id for the
/// whole process (clients use it to notice restarts), a fresh msg_id each time.
public struct MessageFactory: Sendable {
  public static let protocolVersion = "5.5"

  public let session: String
  public let username: String

  public init(session: String = MessageFactory.newID(), username: String = "bpfrepl") {
    self.session = session
    self.username = username
  }

  public static func newID() -> String { UUID().uuidString.lowercased() }

  public func header(_ msgType: String) -> JSON {
    [
      "msg_id": .string(MessageFactory.newID()),
      "session": .string(session),
      "username": .string(username),
      "date": .string(MessageFactory.timestamp()),
      "msg_type": .string(msgType),
      "version": .string(MessageFactory.protocolVersion),
    ]
  }

  /// A reply or side effect of `parent`; replies go back to the parent's identities.
  public func reply(to parent: Message, type: String, content: JSON, metadata: JSON = [:]) -> Message {
    Message(
      identities: parent.identities, header: header(type), parentHeader: parent.header,
      metadata: metadata, content: content)
  }

  /// An IOPub message; `parentHeader` is {} for messages with no cause.
  public func broadcast(type: String, content: JSON, parentHeader: JSON = [:], metadata: JSON = [:]) -> Message {
    Message(
      identities: [Array("kernel.\(session).\(type)".utf8)], header: header(type),
      parentHeader: parentHeader, metadata: metadata, content: content)
  }

  /// ISO 8601 UTC with microseconds, as jupyter_client writes it.
  public static func timestamp(_ date: Date = Date()) -> String {
    let t = date.timeIntervalSince1970
    var secs = time_t(t.rounded(.down))
    let micros = Int((t - Double(secs)) * 1_000_000)
    var tm = tm()
    gmtime_r(&secs, &tm)
    func pad(_ v: Int, _ w: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(Int(tm.tm_year) + 1900, 4))-\(pad(Int(tm.tm_mon) + 1, 2))-\(pad(Int(tm.tm_mday), 2))"
      + "T\(pad(Int(tm.tm_hour), 2)):\(pad(Int(tm.tm_min), 2)):\(pad(Int(tm.tm_sec), 2))"
      + ".\(pad(min(micros, 999_999), 6))Z"
  }
}
