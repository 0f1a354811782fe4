/// Reads a session map from the kernel and merges per-CPU values into an Output snapshot.
struct MapReader {
  let decoder: ValueDecoder

  func snapshot(_ def: MapDefinition, _ map: BPFMap) throws -> MapSnapshot {
    let raw = try map.entries()
    let perCPU = def.storage == .percpuHash
    func cpus(_ value: [UInt8]) -> [ArraySlice<UInt8>] { perCPU ? map.splitPerCPU(value) : [value[...]] }
    func u64(_ b: ArraySlice<UInt8>, _ off: Int) -> UInt64 {
      var v: UInt64 = 0
      for i in 0..<8 where b.startIndex + off + i < b.endIndex {
        v |= UInt64(b[b.startIndex + off + i]) << (8 * UInt64(i))
      }
      return v
    }
    func key(_ bytes: ArraySlice<UInt8>) -> OutputValue? {
      guard let type = def.keyType else { return nil }
      return bytes.withUnsafeBytes { decoder.decode($0, type) }
    }
    var entries: [MapEntry] = []
    switch def.aggregation {
    case nil:
      for e in raw {
        let v = e.value.withUnsafeBytes { decoder.decode($0, def.valueType) }
        entries.append(MapEntry(key: key(e.key[...]), value: def.valueType.isInteger ? .integer(v) : .value(v)))
      }
    case .count?, .sum?:
      let signed: Bool = { if case .sum(let s)? = def.aggregation { return s } else { return false } }()
      for e in raw {
        let total = cpus(e.value).reduce(UInt64(0)) { $0 &+ u64($1, 0) }
        entries.append(
          MapEntry(key: key(e.key[...]), value: .integer(signed ? .signed(Int64(bitPattern: total)) : .unsigned(total)))
        )
      }
    case .min(let signed)?, .max(let signed)?:
      let isMin: Bool = { if case .min? = def.aggregation { return true } else { return false } }()
      for e in raw {
        var best: UInt64? = nil
        for v in cpus(e.value) where u64(v, 8) != 0 {
          let x = u64(v, 0)
          let less = { (a: UInt64, b: UInt64) in signed ? Int64(bitPattern: a) < Int64(bitPattern: b) : a < b }
          if best == nil || (isMin ? less(x, best!) : less(best!, x)) { best = x }
        }
        let b = best ?? 0
        entries.append(
          MapEntry(key: key(e.key[...]), value: .minMax(signed ? .signed(Int64(bitPattern: b)) : .unsigned(b))))
      }
    case .avg(let signed)?, .stats(let signed)?:
      let isStats: Bool = { if case .stats? = def.aggregation { return true } else { return false } }()
      for e in raw {
        var total: UInt64 = 0
        var count: UInt64 = 0
        for v in cpus(e.value) {
          total &+= u64(v, 0)
          count &+= u64(v, 8)
        }
        let avg: Average =
          signed
          ? .signed(total: Int64(bitPattern: total), count: Int64(bitPattern: count))
          : .unsigned(total: total, count: count)
        entries.append(MapEntry(key: key(e.key[...]), value: isStats ? .stats(avg) : .average(avg)))
      }
    case .hist(let bits)?:
      for (userKey, counts) in histogramGroups(raw, def, cpus, u64) {
        entries.append(
          MapEntry(key: key(userKey[...]), value: .hist(Log2Histogram(bits: bits, counts: counts)), rawKey: userKey))
      }
    case .lhist(let lo, let hi, let step)?:
      for (userKey, counts) in histogramGroups(raw, def, cpus, u64) {
        entries.append(
          MapEntry(
            key: key(userKey[...]), value: .lhist(LinearHistogram(min: lo, max: hi, step: step, counts: counts)),
            rawKey: userKey))
      }
    case .tseries(let shape)?:
      for (userKey, series) in timeSeriesGroups(raw, def, shape, cpus, u64) {
        entries.append(MapEntry(key: key(userKey[...]), value: .tseries(series), rawKey: userKey))
      }
    }
    var snapshot = MapSnapshot(name: def.name, entries: entries)
    if case .avg? = def.aggregation { snapshot.isAverageOrStats = true }
    if case .stats? = def.aggregation { snapshot.isAverageOrStats = true }
    return snapshot
  }

  /// Kernel keys of time series are (user key..., bucket), each bucket reduced over CPUs to its
  /// latest epoch's value; grouped by user key, in kernel order.
  private func timeSeriesGroups(
    _ raw: [(key: [UInt8], value: [UInt8])], _ def: MapDefinition, _ shape: TimeSeriesShape,
    _ cpus: ([UInt8]) -> [ArraySlice<UInt8>], _ u64: (ArraySlice<UInt8>, Int) -> UInt64
  ) -> [(key: [UInt8], series: TimeSeries)] {
    var groups: [[UInt8]: [TimeSeriesPoint]] = [:]
    var order: [[UInt8]] = []
    let bucketOffset = def.keySize - 8
    for e in raw {
      let userKey = Array(e.key[0..<bucketOffset])
      let slots = cpus(e.value).map { (value: u64($0, 0), meta: u64($0, 8), epoch: u64($0, 16)) }
      if groups[userKey] == nil { order.append(userKey) }
      groups[userKey, default: []].append(TimeSeries.reduce(slots, shape: shape))
    }
    return order.map { ($0, TimeSeries(shape: shape, points: groups[$0]!)) }
  }

  /// Kernel keys of histograms are (user key..., bucket): grouped by user key, in kernel order.
  private func histogramGroups(
    _ raw: [(key: [UInt8], value: [UInt8])], _ def: MapDefinition, _ cpus: ([UInt8]) -> [ArraySlice<UInt8>],
    _ u64: (ArraySlice<UInt8>, Int) -> UInt64
  ) -> [(key: [UInt8], counts: [(index: Int, count: UInt64)])] {
    var groups: [[UInt8]: [(index: Int, count: UInt64)]] = [:]
    var order: [[UInt8]] = []
    let bucketOffset = def.keySize - 8
    for e in raw {
      let userKey = Array(e.key[0..<bucketOffset])
      let bucket = Int(u64(e.key[...], bucketOffset))
      let count = cpus(e.value).reduce(UInt64(0)) { $0 &+ u64($1, 0) }
      if groups[userKey] == nil { order.append(userKey) }
      groups[userKey, default: []].append((bucket, count))
    }
    return order.map { ($0, groups[$0]!) }
  }
}
