import Foundation

/// Shell channel requests. Runs on the shell thread (the thread that calls
/// `runKernel`), which is also where the backend executes cells.
final class ShellHandler {
  private let ctx: KernelContext
  private let channel: RequestChannel
  /// The stdin socket, also served by the shell thread: closed by it on shutdown_request.
  private let stdin: ZMQSocket?
  private var executionCount = 0
  private var unstoredCount = 0  // IDs for cells without history: -1, -2, ...
  private var history = History()

  init(ctx: KernelContext, channel: RequestChannel, stdin: ZMQSocket? = nil) {
    self.ctx = ctx
    self.channel = channel
    self.stdin = stdin
  }

  private var backend: KernelBackend { ctx.backend }

  private func reply(_ request: Message, _ type: String, _ content: JSON) {
    channel.send(ctx.factory.reply(to: request, type: type, content: content))
  }

  /// Requests that were already queued when a cell failed with stop_on_error.
  private var queuedAtFailure: [Message] = []

  /// Handles one request, then any requests a failed cell set aside (aborted if
  /// they are execute requests, handled normally otherwise).
  func handle(_ request: Message) {
    dispatch(request)
    while !queuedAtFailure.isEmpty {
      let queued = queuedAtFailure
      queuedAtFailure = []
      for r in queued { abort(r) }
    }
  }

  private func dispatch(_ request: Message) {
    switch request.msgType {
    case "execute_request":
      ctx.busy(request) { execute(request) }
    case "kernel_info_request":
      ctx.busy(request) { reply(request, "kernel_info_reply", KernelInfo.content) }
    case "is_complete_request":
      ctx.busy(request) { isComplete(request) }
    case "complete_request":
      ctx.busy(request) { complete(request) }
    case "inspect_request":
      ctx.busy(request) { inspect(request) }
    case "history_request":
      ctx.busy(request) {
        reply(request, "history_reply", ["status": "ok", "history": .array(history.query(request.content))])
      }
    case "comm_info_request":
      ctx.busy(request) { reply(request, "comm_info_reply", ["status": "ok", "comms": [:]]) }
    case "comm_open":
      // No comm targets exist: tell the frontend the comm is closed (spec).
      ctx.busy(request) {
        let id = request.content["comm_id"] ?? .string("")
        ctx.publisher.publish(type: "comm_close", content: ["comm_id": id, "data": [:]], parent: request.header)
      }
    case "comm_msg", "comm_close":
      ctx.busy(request) { KernelLog.debug("ignoring \(request.msgType) for an unknown comm") }
    case "connect_request":
      ctx.busy(request) { reply(request, "connect_reply", connectReply()) }
    case "shutdown_request":
      ctx.shutdown(request, on: channel, alsoClosing: stdin.map { [$0] } ?? [])
    default:
      // Unknown types (including subshell requests, which we do not support) get no
      // reply: the spec lets kernels ignore what they do not handle.
      ctx.busy(request) { KernelLog.warn("shell: unsupported message type \"\(request.msgType)\" ignored") }
    }
  }

  /// A request that was queued behind a failed cell (e.g. the rest of "Run All").
  private func abort(_ request: Message) {
    guard request.msgType == "execute_request" else {
      dispatch(request)
      return
    }
    ctx.busy(request) {
      reply(
        request, "execute_reply",
        [
          "status": "error", "execution_count": .int(Int64(executionCount)),
          "ename": "ExecutionAborted", "evalue": "not run: an earlier cell failed", "traceback": [],
        ])
    }
  }

  private func execute(_ request: Message) {
    let c = request.content
    let code = c["code"]?.stringValue ?? ""
    let silent = c["silent"]?.boolValue ?? false
    let storeHistory = silent ? false : (c["store_history"]?.boolValue ?? true)
    let stopOnError = c["stop_on_error"]?.boolValue ?? true
    let blank = code.allSatisfy(\.isWhitespace)

    let cellID: Int
    if storeHistory && !blank {
      executionCount += 1
      cellID = executionCount
      history.record(line: executionCount, input: code)
    } else {
      unstoredCount += 1
      cellID = -unstoredCount
    }
    if !silent {
      ctx.publisher.publish(
        type: "execute_input", content: ["code": .string(code), "execution_count": .int(Int64(executionCount))],
        parent: request.header)
    }

    var outcome = ExecuteOutcome.ok
    if !blank {
      ctx.publisher.registerCell(cellID, parentHeader: request.header, silent: silent)
      let publisher = ctx.publisher
      outcome = backend.execute(code: code, cellID: cellID) { id, chunk in publisher.output(cellID: id, chunk) }
    }

    let count = JSON.int(Int64(executionCount))
    switch outcome {
    case .ok:
      reply(
        request, "execute_reply", ["status": "ok", "execution_count": count, "user_expressions": [:], "payload": []])
    case .error(let name, let value, let traceback):
      if stopOnError { setAsideQueuedRequests() }
      sendError(request, name: name, value: value, traceback: traceback, silent: silent)
    case .aborted:
      if stopOnError { setAsideQueuedRequests() }
      sendError(
        request, name: "Interrupted", value: "cell interrupted", traceback: ["Interrupted: cell interrupted"],
        silent: silent)
    }
  }

  /// Takes what is queued *before* the error reply goes out: those requests were sent
  /// without knowing about the failure, anything later is the user's reaction to it.
  private func setAsideQueuedRequests() {
    do {
      while let r = try channel.receive(dontWait: true) { queuedAtFailure.append(r) }
    } catch {
      KernelLog.error("shell: \(error)")
    }
  }

  private func sendError(_ request: Message, name: String, value: String, traceback: [String], silent: Bool) {
    let tb = JSON.array(traceback.map { .string($0) })
    if !silent {
      ctx.publisher.publish(
        type: "error", content: ["ename": .string(name), "evalue": .string(value), "traceback": tb],
        parent: request.header)
    }
    reply(
      request, "execute_reply",
      [
        "status": "error", "execution_count": .int(Int64(executionCount)),
        "ename": .string(name), "evalue": .string(value), "traceback": tb,
      ])
  }

  private func isComplete(_ request: Message) {
    let r = backend.isComplete(request.content["code"]?.stringValue ?? "")
    let status = ["complete", "incomplete", "invalid", "unknown"].contains(r.status) ? r.status : "unknown"
    var content: [String: JSON] = ["status": .string(status)]
    if status == "incomplete" { content["indent"] = .string(r.indent) }
    reply(request, "is_complete_reply", .object(content))
  }

  private func complete(_ request: Message) {
    let code = request.content["code"]?.stringValue ?? ""
    let cursor = clampCursor(request.content["cursor_pos"]?.intValue, code)
    let r = backend.complete(code, cursor: cursor)
    reply(
      request, "complete_reply",
      [
        "status": "ok", "matches": .array(r.matches.map { .string($0) }),
        "cursor_start": .int(Int64(r.cursorStart)), "cursor_end": .int(Int64(r.cursorEnd)), "metadata": [:],
      ])
  }

  private func inspect(_ request: Message) {
    let code = request.content["code"]?.stringValue ?? ""
    let cursor = clampCursor(request.content["cursor_pos"]?.intValue, code)
    let level = request.content["detail_level"]?.intValue ?? 0
    let text = backend.inspect(code, cursor: cursor, detailLevel: level)
    reply(
      request, "inspect_reply",
      [
        "status": "ok", "found": .bool(text != nil),
        "data": text.map { ["text/plain": .string($0)] } ?? [:], "metadata": [:],
      ])
  }

  /// cursor_pos counts code points; a missing one means "end of code" (jupyter_client's default).
  private func clampCursor(_ pos: Int?, _ code: String) -> Int {
    let length = code.unicodeScalars.count
    guard let pos else { return length }
    return min(max(0, pos), length)
  }

  private func connectReply() -> JSON {
    let c = ctx.connection
    return [
      "status": "ok",
      "shell_port": .int(Int64(c.shellPort)), "iopub_port": .int(Int64(c.iopubPort)),
      "stdin_port": .int(Int64(c.stdinPort)), "hb_port": .int(Int64(c.hbPort)),
      "control_port": .int(Int64(c.controlPort)),
    ]
  }
}
