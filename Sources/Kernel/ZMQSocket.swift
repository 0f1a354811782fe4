import CZmq
import Foundation

// The only file that calls libzmq. A ZMQSocket belongs to one thread (libzmq
// sockets are not thread-safe); the context is shared.

public struct ZMQError: Error, CustomStringConvertible {
  public let code: Int32
  public let operation: String
  public var description: String { "\(operation): \(String(cString: zmq_strerror(code)))" }

  /// The context was shut down: the owning thread should close its socket and stop.
  public var isTerminated: Bool { code == ZMQError.ETERM }
  static let ETERM: Int32 = 156_384_712 + 53  // ZMQ_HAUSNUMERO + 53; function-like macro, not imported

  static func last(_ operation: String) -> ZMQError { ZMQError(code: zmq_errno(), operation: operation) }
}

public final class ZMQContext: @unchecked Sendable {
  let handle: UnsafeMutableRawPointer

  public init() throws {
    guard let h = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
    handle = h
  }

  /// Makes every blocking call on every socket of this context fail with ETERM.
  public func shutdown() { _ = zmq_ctx_shutdown(handle) }

  /// Waits until all sockets are closed and their pending messages are sent (up to linger).
  public func terminate() {
    while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
  }

  public static func hasCapability(_ name: String) -> Bool { zmq_has(name) != 0 }
}

public final class ZMQSocket {
  public enum Kind {
    case router, pub, xpub, rep, pair, dealer, sub, req
    var raw: Int32 {
      switch self {
      case .router: return ZMQ_ROUTER
      case .pub: return ZMQ_PUB
      case .xpub: return ZMQ_XPUB
      case .rep: return ZMQ_REP
      case .pair: return ZMQ_PAIR
      case .dealer: return ZMQ_DEALER
      case .sub: return ZMQ_SUB
      case .req: return ZMQ_REQ
      }
    }
  }

  private(set) var handle: UnsafeMutableRawPointer?
  public let kind: Kind

  public init(context: ZMQContext, kind: Kind) throws {
    guard let h = zmq_socket(context.handle, kind.raw) else { throw ZMQError.last("zmq_socket") }
    handle = h
    self.kind = kind
  }

  deinit { close() }

  public func close() {
    if let h = handle { _ = zmq_close(h) }
    handle = nil
  }

  public func bind(_ endpoint: String) throws {
    guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
  }

  public func connect(_ endpoint: String) throws {
    guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
  }

  public func setOption(_ option: Int32, _ value: Int32) throws {
    var v = value
    guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
      throw ZMQError.last("setsockopt \(option)")
    }
  }

  public func setOption(_ option: Int32, bytes: [UInt8]) throws {
    let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    guard rc == 0 else { throw ZMQError.last("setsockopt \(option)") }
  }

  public func setLinger(milliseconds: Int32) throws { try setOption(ZMQ_LINGER, milliseconds) }
  public func setSendHighWaterMark(_ n: Int32) throws { try setOption(ZMQ_SNDHWM, n) }
  public func setMaxMessageSize(_ bytes: Int64) throws {
    var v = bytes
    guard zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &v, MemoryLayout<Int64>.size) == 0 else {
      throw ZMQError.last("setsockopt ZMQ_MAXMSGSIZE")
    }
  }
  public func setIPv6(_ on: Bool) throws { try setOption(ZMQ_IPV6, on ? 1 : 0) }
  /// XPUB: pass every subscription to the application, not only the first per topic,
  /// so each new client gets its iopub_welcome.
  public func setXPubVerbose(_ on: Bool) throws { try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0) }

  /// Makes this socket a CurveZMQ server with the given Z85 (40 character) secret key.
  public func makeCurveServer(secretKeyZ85: String) throws {
    guard ZMQContext.hasCapability("curve") else {
      throw ZMQError(code: ENOTSUP, operation: "libzmq was built without CURVE support")
    }
    let z85 = Array(secretKeyZ85.utf8)
    guard z85.count == 40 else { throw ZMQError(code: EINVAL, operation: "CURVE secret key must be 40 Z85 characters") }
    var binary = [UInt8](repeating: 0, count: 32)
    let ok = (z85 + [0]).withUnsafeBufferPointer { src in
      src.withMemoryRebound(to: CChar.self) { zmq_z85_decode(&binary, $0.baseAddress) != nil }
    }
    guard ok else { throw ZMQError(code: EINVAL, operation: "CURVE secret key is not valid Z85") }
    try setOption(ZMQ_CURVE_SERVER, 1)
    try setOption(ZMQ_CURVE_SECRETKEY, bytes: binary)
  }

  /// Sends a multipart message. Returns false if `dontWait` and the send would block.
  @discardableResult
  public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
    for (i, frame) in frames.enumerated() {
      var flags: Int32 = i < frames.count - 1 ? ZMQ_SNDMORE : 0
      if dontWait { flags |= ZMQ_DONTWAIT }
      while true {
        let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
        if rc >= 0 { break }
        let e = zmq_errno()
        if e == EINTR { continue }
        // Only the first frame can fail with EAGAIN; later frames are queued atomically.
        if e == EAGAIN && i == 0 { return false }
        throw ZMQError(code: e, operation: "zmq_send")
      }
    }
    return true
  }

  /// Receives one multipart message; nil if `dontWait` and nothing is queued.
  public func receive(dontWait: Bool = false) throws -> [[UInt8]]? {
    var frames: [[UInt8]] = []
    while true {
      var msg = zmq_msg_t()
      zmq_msg_init(&msg)
      defer { zmq_msg_close(&msg) }
      let rc = zmq_msg_recv(&msg, handle, dontWait || !frames.isEmpty ? ZMQ_DONTWAIT : 0)
      if rc < 0 {
        let e = zmq_errno()
        if e == EINTR { continue }
        if e == EAGAIN && frames.isEmpty { return nil }
        throw ZMQError(code: e, operation: "zmq_msg_recv")
      }
      let size = zmq_msg_size(&msg)
      if size > 0, let data = zmq_msg_data(&msg) {
        frames.append([UInt8](UnsafeRawBufferPointer(start: data, count: size)))
      } else {
        frames.append([])
      }
      if zmq_msg_more(&msg) == 0 { return frames }
    }
  }
}

/// zmq_poll over sockets and plain file descriptors.
public enum ZMQPoller {
  public enum Item {
    case socket(ZMQSocket)
    case fd(Int32)
  }

  /// Returns which items are readable; timeout -1 waits forever. EINTR counts as "nothing ready".
  public static func poll(_ items: [Item], timeoutMilliseconds: Int) throws -> [Bool] {
    var raw = items.map { item -> zmq_pollitem_t in
      switch item {
      case .socket(let s): return zmq_pollitem_t(socket: s.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0)
      case .fd(let fd): return zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
      }
    }
    let rc = zmq_poll(&raw, Int32(raw.count), timeoutMilliseconds)
    if rc < 0 {
      let e = zmq_errno()
      if e == EINTR { return Array(repeating: false, count: items.count) }
      throw ZMQError(code: e, operation: "zmq_poll")
    }
    return raw.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
  }
}
