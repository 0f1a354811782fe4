import Testing

@testable import Kernel

@Suite struct OutputCoalescerTests {
  let parent: JSON = ["msg_id": "req-1", "msg_type": "execute_request"]

  func make(maxPending: Int = 1 << 20, threshold: Int = 64 << 10) -> OutputCoalescer {
    var c = OutputCoalescer(
      factory: MessageFactory(session: "s"), maxPendingBytes: maxPending, flushThresholdBytes: threshold)
    c.registerCell(1, parentHeader: parent, silent: false)
    return c
  }

  @Test func mergesChunksPerCellAndStream() {
    var c = make()
    #expect(c.add(cellID: 1, output: .stdout("a\n")) == .schedule)
    #expect(c.add(cellID: 1, output: .stdout("b\n")) == .none)
    #expect(c.add(cellID: 1, output: .stderr("e\n")) == .none)
    c.movePendingToQueue()
    let q = c.takeQueue()
    #expect(q.count == 2)
    #expect(q[0].msgType == "stream")
    #expect(q[0].content == ["name": "stdout", "text": "a\nb\n"])
    #expect(q[0].parentHeader == parent)
    #expect(q[1].content == ["name": "stderr", "text": "e\n"])
    #expect(!c.hasPending)
  }

  @Test func pendingOutputGoesOutBeforeLaterMessages() {
    var c = make()
    _ = c.add(cellID: 1, output: .stdout("x"))
    c.enqueue(MessageFactory(session: "s").broadcast(type: "status", content: ["execution_state": "idle"]))
    #expect(c.takeQueue().map(\.msgType) == ["stream", "status"])
  }

  @Test func largeBufferAsksForImmediateFlush() {
    var c = make(threshold: 10)
    #expect(c.add(cellID: 1, output: .stdout("12345")) == .schedule)
    #expect(c.add(cellID: 1, output: .stdout("67890")) == .now)
  }

  @Test func silentCellsPublishNothing() {
    var c = make()
    c.registerCell(-1, parentHeader: [:], silent: true)
    #expect(c.add(cellID: -1, output: .stdout("hidden")) == .none)
    #expect(!c.hasPending)
  }

  @Test func dropsBeyondLimitAndReportsCount() {
    var c = make(maxPending: 8)
    _ = c.add(cellID: 1, output: .stdout("line1\n"))
    _ = c.add(cellID: 1, output: .stdout("line2\nline3\n"))  // over the limit: 2 lines dropped
    _ = c.add(cellID: 1, output: .stdout("partial"))  // 1 more
    c.movePendingToQueue()
    let q = c.takeQueue()
    #expect(q.count == 1)
    #expect(q[0].content["text"] == "line1\n[bpfrepl] 3 output lines dropped\n")
    // Room again after the flush.
    #expect(c.add(cellID: 1, output: .stdout("ok\n")) == .schedule)
  }

  @Test func liveDisplayUpdatesKeepOnlyTheLatest() {
    var c = make()
    let first = c.add(cellID: 1, output: .display(data: ["text/plain": "0"], displayID: "d", update: false))
    #expect(first == .now)
    _ = c.add(cellID: 1, output: .display(data: ["text/plain": "1"], displayID: "d", update: true))
    _ = c.add(cellID: 1, output: .display(data: ["text/plain": "2"], displayID: "d", update: true))
    c.movePendingToQueue()
    let q = c.takeQueue()
    #expect(q.map(\.msgType) == ["display_data", "update_display_data"])
    #expect(q[0].content["transient"] == ["display_id": "d"])
    #expect(q[1].content["data"] == ["text/plain": "2"])
    #expect(q[1].parentHeader == parent)
  }

  @Test func unknownCellGetsEmptyParent() {
    var c = make()
    _ = c.add(cellID: 99, output: .stdout("x"))
    c.movePendingToQueue()
    #expect(c.takeQueue().first?.parentHeader == .object([:]))
  }
}

@Suite struct HistoryTests {
  func sample() -> History {
    var h = History()
    for (i, s) in ["a", "b", "a", "c"].enumerated() { h.record(line: i + 1, input: s) }
    return h
  }

  func inputs(_ r: [JSON]) -> [String] { r.compactMap { $0.arrayValue?[2].stringValue } }

  @Test func tail() {
    let r = sample().query(["hist_access_type": "tail", "n": 2])
    #expect(r == [[1, 3, "a"], [1, 4, "c"]])
    #expect(sample().query(["hist_access_type": "tail", "n": 1, "output": true]) == [[1, 4, ["c", nil]]])
  }

  @Test func range() {
    #expect(inputs(sample().query(["hist_access_type": "range", "session": 1, "start": 2, "stop": 4])) == ["b", "a"])
    #expect(inputs(sample().query(["hist_access_type": "range", "session": 0, "start": 3])) == ["a", "c"])
    #expect(sample().query(["hist_access_type": "range", "session": 7]).isEmpty)
  }

  @Test func search() {
    #expect(inputs(sample().query(["hist_access_type": "search", "pattern": "a"])) == ["a", "a"])
    #expect(inputs(sample().query(["hist_access_type": "search", "pattern": "*", "unique": true])) == ["b", "a", "c"])
    #expect(inputs(sample().query(["hist_access_type": "search", "pattern": "?", "n": 2])) == ["a", "c"])
  }
}
