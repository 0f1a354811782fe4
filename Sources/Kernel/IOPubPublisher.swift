import Foundation

/// Owns the IOPub socket on a dedicated thread. Any thread may publish; publishing
/// only appends to a locked queue and pokes a pipe, so request handling never waits
/// for serialization, signing or a slow subscriber, and a probe flood cannot starve
/// the shell. Probe output is coalesced for `window` before it is sent.
public final class IOPubPublisher: @unchecked Sendable {
  private let socket: ZMQSocket
  private let signer: MessageSigner
  private let factory: MessageFactory
  private let window: TimeInterval
  private let lock = NSCondition()
  private var state: OutputCoalescer
  private var firstPendingAt: Date?
  private var flushNow = false
  private var stopping = false
  private var stopped = false
  private let wakeRead: Int32
  private let wakeWrite: Int32
  private var thread: Thread?

  init(socket: ZMQSocket, signer: MessageSigner, factory: MessageFactory, window: TimeInterval = 0.03) throws {
    self.socket = socket
    self.signer = signer
    self.factory = factory
    self.window = window
    state = OutputCoalescer(factory: factory)
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw ZMQError(code: errno, operation: "pipe") }
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    wakeRead = fds[0]
    wakeWrite = fds[1]
  }

  public func start() {
    let t = Thread { [self] in run() }
    t.name = "bpfrepl-iopub"
    thread = t
    t.start()
  }

  // MARK: producer side (any thread)

  /// Queues a message; never dropped.
  public func publish(_ message: Message) {
    lock.lock()
    state.enqueue(message)
    lock.unlock()
    wake()
  }

  /// Convenience: a broadcast caused by `parent` (a request header, or {}).
  public func publish(type: String, content: JSON, parent: JSON) {
    publish(factory.broadcast(type: type, content: content, parentHeader: parent))
  }

  public func registerCell(_ cellID: Int, parentHeader: JSON, silent: Bool) {
    lock.lock()
    state.registerCell(cellID, parentHeader: parentHeader, silent: silent)
    lock.unlock()
  }

  /// The backend's output callback lands here, from any thread, at any rate.
  public func output(cellID: Int, _ chunk: CellOutput) {
    lock.lock()
    let w = state.add(cellID: cellID, output: chunk)
    if w == .schedule && firstPendingAt == nil { firstPendingAt = Date() }
    if w == .now { flushNow = true }
    lock.unlock()
    if w != .none { wake() }
  }

  /// Sends what is queued, closes the socket and ends the thread.
  public func stop(timeout: TimeInterval = 2) {
    lock.lock()
    stopping = true
    lock.unlock()
    wake()
    lock.lock()
    let deadline = Date().addingTimeInterval(timeout)
    while !stopped {
      if !lock.wait(until: deadline) { break }
    }
    lock.unlock()
  }

  private func wake() {
    var b: UInt8 = 1
    _ = write(wakeWrite, &b, 1)  // EAGAIN means a wakeup is already pending
  }

  // MARK: publisher thread

  private func run() {
    var buf = [UInt8](repeating: 0, count: 256)
    while true {
      lock.lock()
      var timeout = -1
      if flushNow || stopping {
        timeout = 0
      } else if let first = firstPendingAt {
        timeout = max(0, Int((first.addingTimeInterval(window).timeIntervalSinceNow * 1000).rounded(.up)))
      }
      lock.unlock()

      let ready: [Bool]
      do {
        ready = try ZMQPoller.poll([.socket(socket), .fd(wakeRead)], timeoutMilliseconds: timeout)
      } catch let e as ZMQError where e.isTerminated {
        break
      } catch {
        KernelLog.error("iopub poll failed: \(error)")
        usleep(10_000)
        continue
      }
      if ready[1] { while read(wakeRead, &buf, buf.count) > 0 {} }
      if ready[0] { handleSubscriptions() }

      lock.lock()
      let due = firstPendingAt.map { Date() >= $0.addingTimeInterval(window) } ?? false
      if flushNow || stopping || due {
        state.movePendingToQueue()
        firstPendingAt = nil
        flushNow = false
      }
      let batch = state.takeQueue()
      let finishing = stopping
      lock.unlock()

      var terminated = false
      for message in batch {
        handleSubscriptions()
        do {
          try socket.send(WireCodec.encode(message, signer: signer))
        } catch let e as ZMQError where e.isTerminated {
          terminated = true
          break
        } catch {
          KernelLog.error("iopub send failed: \(error)")
        }
      }

      lock.lock()
      lock.broadcast()
      let done = terminated || (finishing && state.queue.isEmpty && !state.hasPending)
      lock.unlock()
      if done { break }
    }
    socket.close()
    lock.lock()
    stopped = true
    lock.broadcast()
    lock.unlock()
  }

  /// XPUB hands us subscription frames (0x01 + topic); each new subscriber gets an
  /// `iopub_welcome` (protocol 5.5) so it knows its subscription is live. Called
  /// before every send, so a new subscriber sees the welcome before anything else.
  private func handleSubscriptions() {
    while true {
      let frames: [[UInt8]]?
      do { frames = try socket.receive(dontWait: true) } catch { return }
      guard let frames, let frame = frames.first else { return }
      guard frame.first == 1 else { continue }  // 0 = unsubscribe
      let topic = Array(frame.dropFirst())
      var welcome = factory.broadcast(
        type: "iopub_welcome", content: ["subscription": .string(String(decoding: topic, as: UTF8.self))])
      welcome.identities = [topic]
      do { try socket.send(WireCodec.encode(welcome, signer: signer)) } catch {
        KernelLog.error("iopub welcome failed: \(error)")
      }
    }
  }
}
