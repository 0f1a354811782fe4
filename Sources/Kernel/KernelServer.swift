import CZmq
import Dispatch
import Foundation

public struct KernelStartupError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Serves the Jupyter protocol for `backend` on the sockets described by the
/// connection file. Runs the shell loop on the calling thread; returns only by
/// throwing a startup error (bad connection file, refused empty key, bind failure).
/// Ends the process on shutdown_request.
public func runKernel(connectionFile: String, backend: KernelBackend, allowEmptyKey: Bool) throws -> Never {
  let connection: ConnectionFile
  do { connection = try ConnectionFile.load(path: connectionFile) } catch { throw KernelStartupError("\(error)") }
  let allowEmpty = allowEmptyKey || ProcessInfo.processInfo.environment["BPFREPL_ALLOW_EMPTY_KEY"] == "1"
  if connection.key.isEmpty && !allowEmpty {
    throw KernelStartupError(
      "connection file \(connectionFile) has an empty \"key\": messages would not be authenticated, "
        + "and anyone who can reach the ports could run code as this process. "
        + "Refusing to start (use --allow-empty-key or BPFREPL_ALLOW_EMPTY_KEY=1 to override).")
  }
  let signer: MessageSigner
  do { signer = try MessageSigner(key: connection.key, scheme: connection.signatureScheme) } catch {
    throw KernelStartupError("\(error)")
  }

  signal(SIGPIPE, SIG_IGN)
  let zmq: ZMQContext
  let sockets: KernelSockets
  do {
    zmq = try ZMQContext()
    sockets = try KernelSockets(context: zmq, connection: connection)
  } catch {
    throw KernelStartupError("cannot open kernel sockets: \(error)")
  }

  let factory = MessageFactory()
  let replay = ReplayGuard()
  let publisher: IOPubPublisher
  do { publisher = try IOPubPublisher(socket: sockets.iopub, signer: signer, factory: factory) } catch {
    throw KernelStartupError("\(error)")
  }
  let lifecycle = Lifecycle(context: zmq)
  lifecycle.attach(publisher: publisher)
  let ctx = KernelContext(
    backend: backend, publisher: publisher, factory: factory, connection: connection, lifecycle: lifecycle)

  publisher.start()
  Heartbeat(socket: sockets.heartbeat).start()
  publisher.publish(type: "status", content: ["execution_state": "starting"], parent: [:])
  ControlHandler(
    ctx: ctx, channel: RequestChannel(name: "control", socket: sockets.control, signer: signer, replay: replay)
  ).start()

  // interrupt_mode is "message", but a Ctrl-C reaching the kernel's process group
  // (e.g. from the terminal running Jupyter) should interrupt the cell, not kill us.
  signal(SIGINT, SIG_IGN)
  let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
  sigint.setEventHandler { backend.interrupt() }
  sigint.resume()

  KernelLog.info(
    "serving \(connection.transport.rawValue) \(connection.ip) (shell \(connection.shellPort))"
      + (connection.curveServerSecretKey != nil ? " with CurveZMQ" : ""))
  let shellChannel = RequestChannel(name: "shell", socket: sockets.shell, signer: signer, replay: replay)
  runShellLoop(
    shell: ShellHandler(ctx: ctx, channel: shellChannel, stdin: sockets.stdin), channel: shellChannel,
    stdin: sockets.stdin)
  // The context was shut down by another thread, which exits the process.
  while true {
    sleep(1000)
    withExtendedLifetime(sigint) {}
  }
}

private func runShellLoop(shell: ShellHandler, channel: RequestChannel, stdin: ZMQSocket) {
  let shellSocket = channel.socket
  defer {
    shellSocket.close()
    stdin.close()
  }
  do {
    while true {
      let ready = try ZMQPoller.poll([.socket(shellSocket), .socket(stdin)], timeoutMilliseconds: -1)
      if ready[1] {
        // We never send input_request, so nothing should arrive here.
        while let frames = try stdin.receive(dontWait: true) {
          KernelLog.warn("stdin: ignored an unexpected message (\(frames.count) frames)")
        }
      }
      guard ready[0] else { continue }
      while let request = try channel.receive(dontWait: true) { shell.handle(request) }
    }
  } catch let e as ZMQError where e.isTerminated {
    return
  } catch {
    KernelLog.error("shell loop ended: \(error)")
  }
}

/// The five sockets, bound to the connection file's addresses only.
struct KernelSockets {
  let shell: ZMQSocket
  let control: ZMQSocket
  let stdin: ZMQSocket
  let iopub: ZMQSocket
  let heartbeat: ZMQSocket

  init(context: ZMQContext, connection c: ConnectionFile) throws {
    func make(_ kind: ZMQSocket.Kind, _ port: Int) throws -> ZMQSocket {
      let s = try ZMQSocket(context: context, kind: kind)
      // Pending replies get a moment to leave at shutdown, but never block exit for long.
      try s.setLinger(milliseconds: 1000)
      if c.usesIPv6 { try s.setIPv6(true) }
      if let secret = c.curveServerSecretKey { try s.makeCurveServer(secretKeyZ85: secret) }
      if kind == .router { try s.setMaxMessageSize(256 << 20) }
      if kind == .xpub {
        try s.setXPubVerbose(true)
        try s.setSendHighWaterMark(10_000)
      }
      try s.bind(c.endpoint(port: port))
      return s
    }
    shell = try make(.router, c.shellPort)
    control = try make(.router, c.controlPort)
    stdin = try make(.router, c.stdinPort)
    iopub = try make(.xpub, c.iopubPort)
    heartbeat = try make(.rep, c.hbPort)
  }
}
