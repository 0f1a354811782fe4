/// Reads a session map from the kernel and merges per-CPU values into printable entries.
struct MapReader {
  let decoder: ValueDecoder

  func entries(_ def: MapDefinition, _ map: BPFMap) throws -> [MapFormatter.Entry] {
    let raw = try map.entries()
    let cpus = def.storage == .percpuHash ? BPFMap.possibleCPUs : 1
    let stride = map.perCPUValueStride
    func perCPU(_ value: [UInt8]) -> [[UInt8]] {
      cpus == 1 ? [value] : (0..<cpus).map { Array(value[($0 * stride)..<min(value.count, $0 * stride + def.valueSize)]) }
    }
    func u64(_ b: [UInt8], _ off: Int) -> UInt64 {
      var v: UInt64 = 0
      for i in 0..<8 where off + i < b.count { v |= UInt64(b[off + i]) << (8 * UInt64(i)) }
      return v
    }
    func key(_ bytes: [UInt8], _ type: BPFType?) -> OutputValue? {
      guard let type else { return nil }
      return bytes.withUnsafeBytes { decoder.decode($0, type) }
    }
    switch def.aggregation {
    case nil:
      return raw.map { e in
        MapFormatter.Entry(key: key(e.key, def.keyType), value: .plain(e.value.withUnsafeBytes { decoder.decode($0, def.valueType) }))
      }
    case .count?, .sum?:
      let signed: Bool = { if case .sum(let s)? = def.aggregation { return s } else { return false } }()
      return raw.map { e in
        let total = perCPU(e.value).reduce(UInt64(0)) { $0 &+ u64($1, 0) }
        return MapFormatter.Entry(key: key(e.key, def.keyType), value: .plain(signed ? .signed(Int64(bitPattern: total)) : .unsigned(total)))
      }
    case .min(let signed)?, .max(let signed)?:
      let isMin: Bool = { if case .min? = def.aggregation { return true } else { return false } }()
      return raw.map { e in
        var best: Int64? = nil
        for v in perCPU(e.value) where u64(v, 8) != 0 {
          let x = Int64(bitPattern: u64(v, 0))
          func less(_ a: Int64, _ b: Int64) -> Bool { signed ? a < b : UInt64(bitPattern: a) < UInt64(bitPattern: b) }
          if best == nil || (isMin ? less(x, best!) : less(best!, x)) { best = x }
        }
        let b = best ?? 0
        return MapFormatter.Entry(key: key(e.key, def.keyType), value: .plain(signed ? .signed(b) : .unsigned(UInt64(bitPattern: b))))
      }
    case .avg?, .stats?:
      let showAll: Bool = { if case .stats? = def.aggregation { return true } else { return false } }()
      return raw.map { e in
        var total: Int64 = 0
        var count: Int64 = 0
        for v in perCPU(e.value) {
          total &+= Int64(bitPattern: u64(v, 0))
          count &+= Int64(bitPattern: u64(v, 8))
        }
        return MapFormatter.Entry(key: key(e.key, def.keyType), value: .stats(count: count, total: total, showAll: showAll))
      }
    case .hist?, .lhist?:
      // Kernel keys are (user key..., bucket); group by the user key.
      var groups: [[UInt8]: [Int: UInt64]] = [:]
      var order: [[UInt8]] = []
      let bucketOffset = def.keySize - 8
      for e in raw {
        let userKey = Array(e.key[0..<bucketOffset])
        let bucket = Int(u64(e.key, bucketOffset))
        let count = perCPU(e.value).reduce(UInt64(0)) { $0 &+ u64($1, 0) }
        if groups[userKey] == nil { order.append(userKey) }
        groups[userKey, default: [:]][bucket, default: 0] += count
      }
      return order.map { k in
        MapFormatter.Entry(key: def.keyType == nil ? nil : key(k, def.keyType), value: .histogram(groups[k]!, def.aggregation!))
      }
    }
  }
}
