/// A ROUTER socket (shell or control) with the wire format on top: receives
/// authenticated messages, sends replies. Used only by the thread that owns it.
final class RequestChannel {
  let name: String
  let socket: ZMQSocket
  private let signer: MessageSigner
  private let replay: ReplayGuard

  init(name: String, socket: ZMQSocket, signer: MessageSigner, replay: ReplayGuard) {
    self.name = name
    self.socket = socket
    self.signer = signer
    self.replay = replay
  }

  /// The next valid message, or nil when nothing is queued (with `dontWait`).
  /// Messages that fail authentication or parsing are logged and skipped: a bad
  /// client must never end the kernel. ZMQ errors (ETERM at shutdown) propagate.
  func receive(dontWait: Bool) throws -> Message? {
    while true {
      guard let frames = try socket.receive(dontWait: dontWait) else { return nil }
      do {
        let message = try WireCodec.decode(frames, signer: signer, replay: replay)
        KernelLog.debug("\(name) <- \(message.msgType) \(message.msgID)")
        return message
      } catch let e as WireError {
        if e.isAuthenticationFailure {
          KernelLog.warn("\(name): dropped a message with a \(e) (\(frames.count) frames)")
        } else {
          KernelLog.warn("\(name): dropped a malformed message: \(e)")
        }
      }
    }
  }

  func send(_ message: Message) {
    KernelLog.debug("\(name) -> \(message.msgType)")
    do {
      try socket.send(WireCodec.encode(message, signer: signer))
    } catch {
      KernelLog.error("\(name): send \(message.msgType) failed: \(error)")
    }
  }
}
