import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// A kernel BPF map owned by this process.
///
/// Keys and values cross the boundary as raw bytes in the layout the BPF program uses;
/// typing them is the session's business. Per-CPU kinds return every possible CPU's value,
/// each padded to 8 bytes (the kernel's layout): see `perCPUValueStride` and `splitPerCPU`.
public final class BPFMap: @unchecked Sendable {
  public enum Kind: Sendable, CaseIterable {
    case hash, percpuHash, lruHash, lruPercpuHash, array, percpuArray, ringbuf, stackTrace,
      perfEventArray

    var kernelType: bpf_map_type {
      switch self {
      case .hash: return BPF_MAP_TYPE_HASH
      case .percpuHash: return BPF_MAP_TYPE_PERCPU_HASH
      case .lruHash: return BPF_MAP_TYPE_LRU_HASH
      case .lruPercpuHash: return BPF_MAP_TYPE_LRU_PERCPU_HASH
      case .array: return BPF_MAP_TYPE_ARRAY
      case .percpuArray: return BPF_MAP_TYPE_PERCPU_ARRAY
      case .ringbuf: return BPF_MAP_TYPE_RINGBUF
      case .stackTrace: return BPF_MAP_TYPE_STACK_TRACE
      case .perfEventArray: return BPF_MAP_TYPE_PERF_EVENT_ARRAY
      }
    }

    public var isPerCPU: Bool { self == .percpuHash || self == .percpuArray || self == .lruPercpuHash }
    /// Array kinds have every key 0..<maxEntries present and cannot delete.
    public var isArray: Bool { self == .array || self == .percpuArray }
  }

  /// Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST).
  public enum UpdateFlags: UInt64, Sendable {
    case any = 0
    case noExist = 1
    case exist = 2
  }

  /// How `entries()` reads the map: `automatic` tries the batch call and falls back.
  public enum IterationMethod: Sendable { case automatic, batch, nextKey }

  public let kind: Kind
  public let name: String
  public let keySize: Int
  public let valueSize: Int
  public let maxEntries: Int
  public let descriptor: OwnedDescriptor

  /// The map's fd, for codegen's ld_imm64 BPF_PSEUDO_MAP_FD relocations.
  public var fd: Int32 { descriptor.rawValue }

  /// Creates a map. `name` is sanitized to the kernel's 15 chars of [A-Za-z0-9_].
  /// For `.ringbuf`, key/value sizes must be 0 and `maxEntries` is the byte size
  /// (a power-of-two multiple of the page size). `flags` are BPF_F_* map flags.
  public init(
    kind: Kind, name: String, keySize: Int, valueSize: Int, maxEntries: Int, flags: UInt32 = 0
  ) throws {
    let clean = BPFMap.sanitize(name: name)
    var opts = bpf_map_create_opts()
    opts.sz = MemoryLayout<bpf_map_create_opts>.size
    opts.map_flags = flags
    let fd = bpf_map_create(
      kind.kernelType, clean, UInt32(keySize), UInt32(valueSize), UInt32(maxEntries), &opts)
    try checked("bpf_map_create(\(kind) \(clean), key \(keySize), value \(valueSize), \(maxEntries) entries)", fd)
    self.kind = kind
    self.name = clean
    self.keySize = keySize
    self.valueSize = valueSize
    self.maxEntries = maxEntries
    self.descriptor = OwnedDescriptor(adopting: fd)
  }

  /// Kernel map names: at most 15 chars of [A-Za-z0-9_] (the kernel also allows '.', which
  /// we map to '_' to keep bpftool output unambiguous).
  public static func sanitize(name: String) -> String {
    var out = ""
    for u in name.unicodeScalars {
      if out.unicodeScalars.count == 15 { break }
      let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
      out.unicodeScalars.append(ok ? u : "_")
    }
    return out
  }

  /// Number of possible CPUs (the per-CPU value count), from libbpf.
  public static let possibleCPUs: Int = {
    let n = libbpf_num_possible_cpus()
    return n > 0 ? Int(n) : 1
  }()

  /// Bytes per CPU in a per-CPU value buffer: valueSize rounded up to 8.
  public var perCPUValueStride: Int { (valueSize + 7) & ~7 }

  /// Size of the buffer `lookup` returns: valueSize, or possibleCPUs * stride for per-CPU kinds.
  public var lookupValueSize: Int {
    kind.isPerCPU ? BPFMap.possibleCPUs * perCPUValueStride : valueSize
  }

  /// Splits a per-CPU lookup result into one `valueSize`-byte value per possible CPU.
  public func splitPerCPU(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
    let stride = perCPUValueStride
    return (0..<(value.count / stride)).map { cpu in
      value[(cpu * stride)..<(cpu * stride + valueSize)]
    }
  }

  /// The kernel's id for this map (what `bpftool map show id N` takes).
  public func id() throws -> UInt32 {
    var info = bpf_map_info()
    var len = UInt32(MemoryLayout<bpf_map_info>.size)
    try checked("bpf_obj_get_info_by_fd(map \(name))", bpf_obj_get_info_by_fd(fd, &info, &len))
    return info.id
  }

  // MARK: - Element operations

  /// The value for `key`, or nil when absent. Per-CPU kinds return all CPUs' values.
  public func lookup(key: [UInt8]) throws -> [UInt8]? {
    try checkKey(key, "lookup")
    var value = [UInt8](repeating: 0, count: lookupValueSize)
    let r = key.withUnsafeBytes { k in
      value.withUnsafeMutableBytes { v in bpf_map_lookup_elem(fd, k.baseAddress, v.baseAddress) }
    }
    if r == -ENOENT { return nil }
    try checked("bpf_map_lookup_elem(\(name))", r)
    return value
  }

  /// Sets `key` to `value`. For per-CPU kinds `value` may be one value (copied to every CPU)
  /// or the full `lookupValueSize` buffer.
  public func update(key: [UInt8], value: [UInt8], flags: UpdateFlags = .any) throws {
    try checkKey(key, "update")
    var buffer = value
    if kind.isPerCPU && value.count == valueSize && lookupValueSize != valueSize {
      buffer = [UInt8](repeating: 0, count: lookupValueSize)
      for cpu in 0..<BPFMap.possibleCPUs {
        buffer.replaceSubrange((cpu * perCPUValueStride)..<(cpu * perCPUValueStride + valueSize), with: value)
      }
    }
    guard buffer.count == lookupValueSize else {
      throw BPFError(
        "update(\(name))", errno: EINVAL,
        detail: "value is \(value.count) bytes, map wants \(valueSize)")
    }
    let r = key.withUnsafeBytes { k in
      buffer.withUnsafeBytes { v in bpf_map_update_elem(fd, k.baseAddress, v.baseAddress, flags.rawValue) }
    }
    try checked("bpf_map_update_elem(\(name))", r)
  }

  /// Removes `key`; returns false when it was absent.
  @discardableResult
  public func delete(key: [UInt8]) throws -> Bool {
    try checkKey(key, "delete")
    let r = key.withUnsafeBytes { bpf_map_delete_elem(fd, $0.baseAddress) }
    if r == -ENOENT { return false }
    try checked("bpf_map_delete_elem(\(name))", r)
    return true
  }

  /// All keys, by bpf_map_get_next_key. (Array kinds: every index.)
  public func keys() throws -> [[UInt8]] {
    var result: [[UInt8]] = []
    var current = [UInt8](repeating: 0, count: keySize)
    var next = [UInt8](repeating: 0, count: keySize)
    var first = true
    while true {
      let r = next.withUnsafeMutableBytes { n in
        current.withUnsafeBytes { c in
          bpf_map_get_next_key(fd, first ? nil : c.baseAddress, n.baseAddress)
        }
      }
      if r == -ENOENT { break }
      try checked("bpf_map_get_next_key(\(name))", r)
      result.append(next)
      swap(&current, &next)
      first = false
    }
    return result
  }

  /// All (key, value) pairs. Values are as `lookup` returns them.
  /// The batch path reads the map in a few syscalls; `nextKey` does one lookup per key.
  public func entries(method: IterationMethod = .automatic) throws -> [(key: [UInt8], value: [UInt8])] {
    switch method {
    case .nextKey:
      return try entriesByNextKey()
    case .batch:
      return try entriesByBatch()
    case .automatic:
      if BPFMap.batchUnsupported.contains(kind) { return try entriesByNextKey() }
      do {
        return try entriesByBatch()
      } catch let e as BPFError where BPFMap.meansUnsupported(e.errno) {
        BPFMap.batchUnsupported.insert(kind)
        return try entriesByNextKey()
      }
    }
  }

  /// Removes every entry. Array kinds cannot delete: their values are zeroed instead.
  public func clear() throws {
    if kind.isArray {
      let zero = [UInt8](repeating: 0, count: lookupValueSize)
      for i in 0..<maxEntries {
        var key = [UInt8](repeating: 0, count: keySize)
        withUnsafeBytes(of: UInt32(i).littleEndian) { key.replaceSubrange(0..<4, with: $0) }
        try update(key: key, value: zero)
      }
      return
    }
    // Deleting while walking with get_next_key can restart the walk; collect first.
    for key in try keys() { try delete(key: key) }
  }

  /// Sets every value to zero, keeping the keys (upstream `zero()`); keys deleted meanwhile
  /// are skipped.
  public func zeroValues() throws {
    if kind.isArray { return try clear() }
    let zero = [UInt8](repeating: 0, count: lookupValueSize)
    for key in try keys() {
      do {
        try update(key: key, value: zero, flags: .exist)
      } catch let e as BPFError where e.errno == ENOENT {
        continue
      }
    }
  }

  // MARK: - Private

  private func checkKey(_ key: [UInt8], _ op: String) throws {
    if key.count != keySize {
      throw BPFError(
        "\(op)(\(name))", errno: EINVAL,
        detail: "key is \(key.count) bytes, map wants \(keySize)")
    }
  }

  private func entriesByNextKey() throws -> [(key: [UInt8], value: [UInt8])] {
    var out: [(key: [UInt8], value: [UInt8])] = []
    for key in try keys() {
      // A key can vanish between get_next_key and lookup (a concurrent delete): skip it.
      if let value = try lookup(key: key) { out.append((key, value)) }
    }
    return out
  }

  // Kinds whose batch lookup failed as unsupported; the process stops trying.
  nonisolated(unsafe) private static var batchUnsupported: Set<Kind> = []

  private static func meansUnsupported(_ e: Int32) -> Bool {
    e == EINVAL || e == EOPNOTSUPP || e == 524 /* ENOTSUPP */ || e == ENOSYS
  }

  private func entriesByBatch() throws -> [(key: [UInt8], value: [UInt8])] {
    var out: [(key: [UInt8], value: [UInt8])] = []
    let valueBytes = lookupValueSize
    // The batch token is a bucket index for hashes and a key for arrays: give it room for both.
    let tokenSize = max(keySize, 8)
    var inToken = [UInt8](repeating: 0, count: tokenSize)
    var outToken = [UInt8](repeating: 0, count: tokenSize)
    var chunk = min(max(maxEntries, 1), 256)
    var keys = [UInt8](repeating: 0, count: keySize * chunk)
    var values = [UInt8](repeating: 0, count: valueBytes * chunk)
    var first = true
    var opts = bpf_map_batch_opts()
    opts.sz = MemoryLayout<bpf_map_batch_opts>.size
    while true {
      var count = UInt32(chunk)
      let r = inToken.withUnsafeMutableBytes { inT in
        outToken.withUnsafeMutableBytes { outT in
          keys.withUnsafeMutableBytes { k in
            values.withUnsafeMutableBytes { v in
              bpf_map_lookup_batch(
                fd, first ? nil : inT.baseAddress, outT.baseAddress, k.baseAddress, v.baseAddress,
                &count, &opts)
            }
          }
        }
      }
      if r < 0 && r != -ENOENT {
        // ENOSPC: one hash bucket holds more entries than `chunk`; retry bigger.
        if r == -ENOSPC && chunk < 1 << 20 {
          chunk *= 4
          keys = [UInt8](repeating: 0, count: keySize * chunk)
          values = [UInt8](repeating: 0, count: valueBytes * chunk)
          continue
        }
        try checked("bpf_map_lookup_batch(\(name))", r)
      }
      for i in 0..<Int(count) {
        out.append(
          (
            Array(keys[(i * keySize)..<((i + 1) * keySize)]),
            Array(values[(i * valueBytes)..<((i + 1) * valueBytes)])
          ))
      }
      if r == -ENOENT { break }
      swap(&inToken, &outToken)
      first = false
    }
    return out
  }
}
