import CLibbpf
import Synchronization
import Testing

@testable import Engine

@Suite struct RuntimeLibbpfLogTests {
  @Test func warningsReachTheHandler() throws {
    let seen = Mutex<[String]>([])
    LibbpfLog.install { _, text in seen.withLock { $0.append(text) } }
    defer { LibbpfLog.silence() }
    // libbpf itself complains when handed a map that is not a ring buffer.
    let m = try counterMap()
    let rb = ring_buffer__new(m.fd, { _, _, _ in 0 }, nil, nil)
    #expect(rb == nil)
    let messages = seen.withLock { $0 }
    #expect(messages.contains { $0.contains("ringbuf") })
  }
}
