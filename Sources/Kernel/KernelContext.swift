import Foundation

/// What the shell and control handlers share.
final class KernelContext: @unchecked Sendable {
  let backend: KernelBackend
  let publisher: IOPubPublisher
  let factory: MessageFactory
  let connection: ConnectionFile
  let lifecycle: Lifecycle

  init(
    backend: KernelBackend, publisher: IOPubPublisher, factory: MessageFactory, connection: ConnectionFile,
    lifecycle: Lifecycle
  ) {
    self.backend = backend
    self.publisher = publisher
    self.factory = factory
    self.connection = connection
    self.lifecycle = lifecycle
  }

  func publishStatus(_ state: String, parent: JSON) {
    publisher.publish(type: "status", content: ["execution_state": .string(state)], parent: parent)
  }

  /// Every request is bracketed by busy/idle with the request as parent; idle is
  /// queued after everything the handler published, so it marks "outputs complete".
  func busy<T>(_ request: Message, _ body: () -> T) -> T {
    publishStatus("busy", parent: request.header)
    defer { publishStatus("idle", parent: request.header) }
    return body()
  }

  /// shutdown_request, on control or (deprecated) shell: reply, then end the process.
  /// `alsoClosing`: other sockets owned by the calling thread (the shell thread's stdin),
  /// which must be closed too or terminating the context would wait for them forever.
  func shutdown(_ request: Message, on channel: RequestChannel, alsoClosing: [ZMQSocket] = []) -> Never {
    let restart = request.content["restart"]?.boolValue ?? false
    publishStatus("busy", parent: request.header)
    backend.interrupt()
    backend.shutdown()
    channel.send(
      factory.reply(to: request, type: "shutdown_reply", content: ["status": "ok", "restart": .bool(restart)]))
    publishStatus("idle", parent: request.header)
    lifecycle.finish(closing: [channel.socket] + alsoClosing)
  }
}

/// Ends the process cleanly: queued IOPub messages are flushed, every thread
/// closes its socket when the context shuts down, and libzmq delivers what is
/// still pending (bounded by linger) before exit. A watchdog guarantees exit
/// even if some thread is stuck (e.g. a backend ignoring shutdown).
final class Lifecycle: @unchecked Sendable {
  private let context: ZMQContext
  private var publisher: IOPubPublisher?
  private let lock = NSLock()
  private var finishing = false

  init(context: ZMQContext) { self.context = context }

  func attach(publisher: IOPubPublisher) { self.publisher = publisher }

  func finish(closing sockets: [ZMQSocket], exitCode: Int32 = 0) -> Never {
    lock.lock()
    let first = !finishing
    finishing = true
    lock.unlock()
    if !first {
      // Another thread is already shutting down; it will exit the process.
      sockets.forEach { $0.close() }
      while true { sleep(1000) }
    }
    let watchdog = Thread {
      sleep(3)
      KernelLog.warn("shutdown took too long; exiting")
      _exit(exitCode)
    }
    watchdog.start()
    publisher?.stop()
    sockets.forEach { $0.close() }
    context.shutdown()
    context.terminate()
    exit(exitCode)
  }
}
