import Glibc
import Testing

@testable import Engine

@Suite struct RuntimeRingBufferTests {
  @Test func deliversRecordsInOrder() throws {
    let ring = try BPFMap(kind: .ringbuf, name: "ring", keySize: 0, valueSize: 0, maxEntries: 1 << 16)
    let p = try BPFProgram(instructions: A.ringbufWriter(ring: ring), type: .rawTracepoint, name: "ring_writer")
    var seen: [UInt64] = []
    var sizes: Set<Int> = []
    let reader = try RingBufferReader(map: ring) { rec in
      sizes.insert(rec.count)
      seen.append(readU64(rec))
    }
    #expect(reader.epollFD >= 0)
    #expect(try reader.poll(timeoutMs: 0) == 0)
    for i in 0..<500 { try p.runOnce(context: [UInt64(i) &* 0x1_0000_0001]) }
    var total = 0
    while total < 500 {
      let n = try reader.poll(timeoutMs: 1000)
      if n == 0 { break }
      total += n
    }
    #expect(total == 500)
    #expect(seen == (0..<500).map { UInt64($0) &* 0x1_0000_0001 })
    #expect(sizes == [8])
    // consume() with nothing pending delivers nothing.
    #expect(try reader.consume() == 0)
    try p.runOnce(context: [99])
    #expect(try reader.consume() == 1)
    #expect(seen.last == 99)
  }

  @Test func refusesNonRingbufMaps() throws {
    let m = try counterMap()
    #expect(throws: BPFError.self) { _ = try RingBufferReader(map: m) { _ in } }
  }
}
