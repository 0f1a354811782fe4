import Glibc
import Testing

@testable import Engine

@Suite struct RuntimeMapTests {
  @Test func nameIsSanitized() {
    #expect(BPFMap.sanitize(name: "@counts[comm, pid]") == "_counts_comm__p")
    #expect(BPFMap.sanitize(name: "ok_Name9") == "ok_Name9")
  }

  @Test func hashCRUD() throws {
    let m = try BPFMap(kind: .hash, name: "crud", keySize: 4, valueSize: 8, maxEntries: 16)
    #expect(m.fd >= 0)
    #expect(try m.id() > 0)
    #expect(try m.lookup(key: u32(1)) == nil)
    try m.update(key: u32(1), value: u64(10))
    try m.update(key: u32(2), value: u64(20))
    #expect(try m.lookup(key: u32(1)) == u64(10))
    // NOEXIST on an existing key is EEXIST, reported as a typed error.
    do {
      try m.update(key: u32(1), value: u64(11), flags: .noExist)
      Issue.record("expected EEXIST")
    } catch let e as BPFError {
      #expect(e.errno == EEXIST)
      #expect(e.description.contains("bpf_map_update_elem"))
      #expect(e.description.contains("File exists"))
    }
    try m.update(key: u32(1), value: u64(11), flags: .exist)
    #expect(try m.lookup(key: u32(1)) == u64(11))
    #expect(try m.delete(key: u32(2)) == true)
    #expect(try m.delete(key: u32(2)) == false)
    #expect(try m.keys() == [u32(1)])
    // Wrong key size is caught before the syscall.
    #expect(throws: BPFError.self) { try m.lookup(key: [1, 2]) }
    try m.clear()
    #expect(try m.keys().isEmpty)
  }

  @Test(arguments: [BPFMap.IterationMethod.batch, .nextKey, .automatic])
  func hashIteration(method: BPFMap.IterationMethod) throws {
    let m = try BPFMap(kind: .hash, name: "iter", keySize: 8, valueSize: 8, maxEntries: 2048)
    for i in 0..<1000 { try m.update(key: u64(UInt64(i)), value: u64(UInt64(i * 3))) }
    let entries = try m.entries(method: method)
    #expect(entries.count == 1000)
    let dict = Dictionary(uniqueKeysWithValues: entries.map { (readU64($0.key), readU64($0.value)) })
    #expect(dict.count == 1000)
    #expect(dict.allSatisfy { $0.value == $0.key * 3 })
  }

  @Test(arguments: [BPFMap.IterationMethod.batch, .nextKey])
  func arrayIteration(method: BPFMap.IterationMethod) throws {
    let m = try BPFMap(kind: .array, name: "arr", keySize: 4, valueSize: 4, maxEntries: 5)
    try m.update(key: u32(3), value: u32(7))
    let e = try m.entries(method: method)
    #expect(e.map { $0.key } == (0..<5).map { u32(UInt32($0)) })
    #expect(e[3].value == u32(7))
    try m.clear()
    #expect(try m.lookup(key: u32(3)) == u32(0))
  }

  @Test func emptyMapIterates() throws {
    let m = try BPFMap(kind: .hash, name: "empty", keySize: 4, valueSize: 4, maxEntries: 4)
    #expect(try m.entries(method: .batch).isEmpty)
    #expect(try m.entries(method: .nextKey).isEmpty)
  }

  @Test(arguments: [BPFMap.Kind.percpuHash, .percpuArray])
  func perCPUValues(kind: BPFMap.Kind) throws {
    let cpus = BPFMap.possibleCPUs
    #expect(cpus >= 1)
    let m = try BPFMap(kind: kind, name: "pcpu", keySize: 4, valueSize: 4, maxEntries: 4)
    #expect(m.perCPUValueStride == 8)
    #expect(m.lookupValueSize == cpus * 8)
    // One value is broadcast to every CPU.
    try m.update(key: u32(1), value: u32(5))
    let v = try #require(try m.lookup(key: u32(1)))
    #expect(v.count == cpus * 8)
    let split = m.splitPerCPU(v)
    #expect(split.count == cpus)
    #expect(split.allSatisfy { Array($0) == u32(5) })
    // A full per-CPU buffer sets each CPU separately.
    var full = [UInt8](repeating: 0, count: m.lookupValueSize)
    for c in 0..<cpus { full.replaceSubrange((c * 8)..<(c * 8 + 4), with: u32(UInt32(c + 100))) }
    try m.update(key: u32(2), value: full)
    let s2 = m.splitPerCPU(try #require(try m.lookup(key: u32(2))))
    #expect(s2.map { Array($0) } == (0..<cpus).map { u32(UInt32($0 + 100)) })
    // Batch and next-key iteration return the same per-CPU layout.
    let b = try m.entries(method: .batch).filter { $0.key == u32(2) }
    let n = try m.entries(method: .nextKey).filter { $0.key == u32(2) }
    #expect(b.first?.value == full)
    #expect(n.first?.value == full)
  }

  @Test func lruAndStackMapsCreate() throws {
    let lru = try BPFMap(kind: .lruHash, name: "lru", keySize: 4, valueSize: 4, maxEntries: 8)
    try lru.update(key: u32(1), value: u32(1))
    #expect(try lru.entries().count == 1)
    let st = try BPFMap(kind: .stackTrace, name: "stacks", keySize: 4, valueSize: 127 * 8, maxEntries: 128)
    #expect(try st.entries().isEmpty)  // falls back to next-key iteration where batch is unsupported
    let pea = try BPFMap(
      kind: .perfEventArray, name: "pea", keySize: 4, valueSize: 4,
      maxEntries: BPFMap.possibleCPUs)
    #expect(pea.fd >= 0)
  }

  @Test func badMapCreationIsATypedError() {
    do {
      _ = try BPFMap(kind: .ringbuf, name: "bad_ring", keySize: 0, valueSize: 0, maxEntries: 1000)
      Issue.record("a ring buffer that is not a power-of-two pages must fail")
    } catch let e as BPFError {
      #expect(e.errno == EINVAL)
      #expect(e.operation.contains("bpf_map_create"))
    } catch { Issue.record("unexpected \(error)") }
  }
}
