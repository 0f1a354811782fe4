/// The bookkeeping behind IOPub output, without threads or sockets (so it can be
/// unit-tested): an ordered queue of messages to publish, plus per (cell, stream)
/// text buffers that merge many small probe outputs into one `stream` message.
///
/// Ordering: whenever a message is queued, pending text is moved into the queue
/// first, so output produced before e.g. `status: idle` is published before it.
/// Memory is bounded: text beyond `maxPendingBytes` is dropped and counted, and the
/// count is reported in-stream once there is room again.
struct OutputCoalescer {
  struct StreamKey: Hashable {
    let cellID: Int
    let name: String
  }

  struct Cell {
    let parentHeader: JSON
    let silent: Bool
  }

  /// What the publisher thread should do after an output was added.
  enum Wakeup: Equatable {
    case none  // already scheduled
    case schedule  // first pending output: flush after the coalescing window
    case now  // a buffer is large: flush without waiting
  }

  let factory: MessageFactory
  let maxPendingBytes: Int
  let flushThresholdBytes: Int
  let maxQueuedMessages: Int

  private(set) var queue: [Message] = []
  private var cells: [Int: Cell] = [:]
  private var streams: [StreamKey: String] = [:]
  private var dropped: [StreamKey: Int] = [:]
  private var keyOrder: [StreamKey] = []  // first-arrival order, for stable output order across keys
  private var updates: [String: (cellID: Int, data: [String: String])] = [:]
  private var updateOrder: [String] = []
  private(set) var pendingBytes = 0

  init(
    factory: MessageFactory, maxPendingBytes: Int = 1 << 20, flushThresholdBytes: Int = 64 << 10,
    maxQueuedMessages: Int = 10_000
  ) {
    self.factory = factory
    self.maxPendingBytes = maxPendingBytes
    self.flushThresholdBytes = flushThresholdBytes
    self.maxQueuedMessages = maxQueuedMessages
  }

  var hasPending: Bool { !keyOrder.isEmpty || !updateOrder.isEmpty }

  /// Outputs of `cellID` will be published with `parentHeader` (its execute_request header).
  mutating func registerCell(_ cellID: Int, parentHeader: JSON, silent: Bool) {
    cells[cellID] = Cell(parentHeader: parentHeader, silent: silent)
  }

  mutating func enqueue(_ message: Message) {
    movePendingToQueue()
    queue.append(message)
  }

  mutating func takeQueue() -> [Message] {
    defer { queue = [] }
    return queue
  }

  mutating func add(cellID: Int, output: CellOutput) -> Wakeup {
    let cell = cells[cellID]
    if cell?.silent == true { return .none }  // silent cells publish nothing (spec)
    switch output {
    case .stdout(let text): return addText(StreamKey(cellID: cellID, name: "stdout"), text)
    case .stderr(let text): return addText(StreamKey(cellID: cellID, name: "stderr"), text)
    case .display(let data, let displayID, let update):
      if update, let displayID {
        // Only the latest state of a live view matters: replace an unsent update.
        let wasEmpty = !hasPending
        if updates[displayID] == nil { updateOrder.append(displayID) }
        updates[displayID] = (cellID, data)
        return wasEmpty ? .schedule : .none
      }
      guard queue.count < maxQueuedMessages else {
        return countDrop(StreamKey(cellID: cellID, name: "stdout"), lines: 1)
      }
      enqueue(displayMessage(cellID: cellID, data: data, displayID: displayID, update: false))
      return .now
    }
  }

  private mutating func addText(_ key: StreamKey, _ text: String) -> Wakeup {
    if text.isEmpty { return .none }
    let size = text.utf8.count
    if pendingBytes + size > maxPendingBytes {
      return countDrop(key, lines: max(1, text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }))
    }
    let wasEmpty = !hasPending
    if streams[key] == nil && dropped[key] == nil { keyOrder.append(key) }
    streams[key, default: ""] += text
    pendingBytes += size
    if streams[key]!.utf8.count >= flushThresholdBytes { return .now }
    return wasEmpty ? .schedule : .none
  }

  private mutating func countDrop(_ key: StreamKey, lines: Int) -> Wakeup {
    let wasEmpty = !hasPending
    if streams[key] == nil && dropped[key] == nil { keyOrder.append(key) }
    dropped[key, default: 0] += lines
    return wasEmpty ? .schedule : .none
  }

  /// Turns all buffered output into messages at the end of the queue.
  mutating func movePendingToQueue() {
    for key in keyOrder {
      var text = streams[key] ?? ""
      if let n = dropped[key], n > 0 {
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "[bpfrepl] \(n) output line\(n == 1 ? "" : "s") dropped\n"
      }
      let parent = cells[key.cellID]?.parentHeader ?? [:]
      queue.append(
        factory.broadcast(
          type: "stream", content: ["name": .string(key.name), "text": .string(text)], parentHeader: parent))
    }
    for id in updateOrder {
      if let u = updates[id] {
        queue.append(displayMessage(cellID: u.cellID, data: u.data, displayID: id, update: true))
      }
    }
    streams = [:]
    dropped = [:]
    keyOrder = []
    updates = [:]
    updateOrder = []
    pendingBytes = 0
  }

  private func displayMessage(cellID: Int, data: [String: String], displayID: String?, update: Bool) -> Message {
    var content: [String: JSON] = [
      "data": .object(data.mapValues { .string($0) }),
      "metadata": [:],
    ]
    if let displayID { content["transient"] = ["display_id": .string(displayID)] }
    return factory.broadcast(
      type: update ? "update_display_data" : "display_data", content: .object(content),
      parentHeader: cells[cellID]?.parentHeader ?? [:])
  }
}
