import Foundation

/// Control channel requests, on their own thread so interrupt and shutdown work
/// while the shell thread is inside a long cell.
final class ControlHandler: @unchecked Sendable {
  private let ctx: KernelContext
  private let channel: RequestChannel

  init(ctx: KernelContext, channel: RequestChannel) {
    self.ctx = ctx
    self.channel = channel
  }

  func start() {
    let t = Thread { [self] in run() }
    t.name = "bpfrepl-control"
    t.start()
  }

  private func run() {
    while true {
      let request: Message?
      do {
        request = try channel.receive(dontWait: false)
      } catch let e as ZMQError where e.isTerminated {
        break
      } catch {
        KernelLog.error("control: \(error)")
        usleep(10_000)
        continue
      }
      if let request { handle(request) }
    }
    channel.socket.close()
  }

  private func reply(_ request: Message, _ type: String, _ content: JSON) {
    channel.send(ctx.factory.reply(to: request, type: type, content: content))
  }

  func handle(_ request: Message) {
    switch request.msgType {
    case "interrupt_request":
      ctx.busy(request) {
        ctx.backend.interrupt()
        reply(request, "interrupt_reply", ["status": "ok"])
      }
    case "shutdown_request":
      ctx.shutdown(request, on: channel)
    case "kernel_info_request":  // allowed on control since 5.5
      ctx.busy(request) { reply(request, "kernel_info_reply", KernelInfo.content) }
    case "debug_request":
      // We advertise no debugger; answer in DAP form so a client does not hang.
      ctx.busy(request) {
        reply(
          request, "debug_reply",
          [
            "type": "response", "seq": 0,
            "request_seq": request.content["seq"] ?? 0,
            "command": request.content["command"] ?? "",
            "success": false, "message": "bpfrepl does not support debugging",
            "status": "error", "ename": "NotImplementedError",
            "evalue": "bpfrepl does not support debugging", "traceback": [],
          ])
      }
    default:
      // create/delete/list_subshell_request and anything unknown: log, no reply (spec).
      ctx.busy(request) { KernelLog.warn("control: unsupported message type \"\(request.msgType)\" ignored") }
    }
  }
}
