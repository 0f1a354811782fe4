/// What a `for ($kv : @m)` loop sees of a map: `$kv` is `(key, value)`, and the value of a
/// per-CPU aggregation is merged across CPUs, as printing the map would show it.
enum MapIteration {
  /// The type of `$kv.1`, or nil when the map's values cannot be iterated (histograms, stats).
  static func valueType(of def: MapDefinition) -> BPFType? {
    switch def.aggregation {
    case nil: def.valueType
    case .count: .uint64
    case .sum(let s), .min(let s), .max(let s), .avg(let s): .integer(bits: 64, signed: s)
    case .stats, .hist, .lhist, .tseries: nil
    }
  }
}
