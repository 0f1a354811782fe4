import Foundation

/// Echoes heartbeat pings on its own thread, so a busy shell (a long cell) never
/// makes the client believe the kernel died.
final class Heartbeat: @unchecked Sendable {
  private let socket: ZMQSocket

  init(socket: ZMQSocket) { self.socket = socket }

  func start() {
    let t = Thread { [self] in run() }
    t.name = "bpfrepl-heartbeat"
    t.start()
  }

  private func run() {
    while true {
      do {
        guard let frames = try socket.receive() else { continue }
        try socket.send(frames)
      } catch let e as ZMQError where e.isTerminated {
        break
      } catch {
        // Keep answering: a dead heartbeat makes Jupyter restart the kernel.
        KernelLog.error("heartbeat: \(error)")
        usleep(10_000)
      }
    }
    socket.close()
  }
}
