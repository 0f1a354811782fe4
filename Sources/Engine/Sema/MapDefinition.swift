/// A map as the session knows it: typed on first definition, then reused by every later cell.
public struct MapDefinition: Equatable, Sendable {
  public enum Storage: String, Sendable {
    case hash, percpuHash, lruHash, percpuArray, array
  }

  public var name: String
  /// nil for a scalar map (`@x`); else the key type, integers widened to 64 bits.
  public var keyType: BPFType?
  /// Integers widened to 64 bits; or an aggregation.
  public var valueType: BPFType
  public var maxEntries: Int
  /// Declared `lruhash`/`percpulruhash`: the kernel evicts old entries instead of failing when full.
  public var lru = false

  public init(name: String, keyType: BPFType?, valueType: BPFType, maxEntries: Int = 4096) {
    self.name = name
    self.keyType = keyType
    self.valueType = valueType
    self.maxEntries = maxEntries
  }

  public var aggregation: Aggregation? {
    if case .aggregation(let a) = valueType { return a }
    return nil
  }

  public var isHistogram: Bool {
    switch aggregation {
    case .hist, .lhist: true
    default: false
    }
  }

  /// Histograms and time series keep one kernel entry per bucket: the user's key plus a u64 bucket.
  public var hasBucketKey: Bool {
    switch aggregation {
    case .hist, .lhist, .tseries: true
    default: false
    }
  }

  /// Aggregations are per-CPU (no atomics on the hot path) and merged when read.
  public var storage: Storage { aggregation == nil ? .hash : .percpuHash }

  /// The kernel map type.
  public var kernelKind: String {
    switch (storage == .percpuHash, lru) {
    case (false, false): "hash"
    case (true, false): "percpuHash"
    case (false, true): "lruHash"
    case (true, true): "lruPercpuHash"
    }
  }

  /// The key as stored in the kernel: scalar maps use one 8-byte zero key; histograms and time
  /// series append a u64 bucket index to the user's key.
  public var kernelKeyType: BPFType {
    let user = keyType ?? .uint64
    if hasBucketKey {
      if keyType == nil { return .uint64 }
      if case .tuple(let items) = user { return .tuple(items + [.uint64]) }
      return .tuple([user, .uint64])
    }
    return user
  }

  public var keySize: Int { max(1, kernelKeyType.size) }
  public var valueSize: Int { max(1, valueType.size) }
  public var kernelMaxEntries: Int {
    if keyType == nil, case .tseries(let shape)? = aggregation { return max(maxEntries, shape.intervals) }
    return keyType == nil && !hasBucketKey ? 1 : maxEntries
  }

  /// How `%maps` and type errors name this map's type, e.g. `@x[string[16], int64]: count_t`.
  public var signature: String {
    let key =
      keyType.map { k -> String in
        if case .tuple(let items) = k { return "[" + items.map(\.description).joined(separator: ", ") + "]" }
        return "[\(k)]"
      } ?? ""
    return "\(name)\(key): \(valueType)"
  }

  /// Integers in map keys and values are stored as 64-bit, like bpftrace, so that later cells
  /// can use a map with any integer width. A bool stays a bool (one byte), printed true/false.
  public static func widened(_ t: BPFType) -> BPFType {
    switch t {
    case .integer(_, let s): .integer(bits: 64, signed: s)
    case .tuple(let items): .tuple(items.map(widened))
    case .namedTuple(let names, let items): .namedTuple(names: names, items: items.map(widened))
    case .pointer: .uint64
    default: t
    }
  }
}

/// All maps of a compile (one-shot) or of a whole session, by name.
public final class MapTable: @unchecked Sendable {
  public private(set) var definitions: [String: MapDefinition] = [:]
  /// Maps defined in the current compile that the table did not have before (rolled back on error).
  public private(set) var pending: Set<String> = []

  public init() {}

  public subscript(name: String) -> MapDefinition? { definitions[name] }

  public func define(_ def: MapDefinition) {
    if definitions[def.name] == nil { pending.insert(def.name) }
    definitions[def.name] = def
  }

  public func remove(_ name: String) {
    definitions[name] = nil
    pending.remove(name)
  }

  /// Keeps what the compile defined.
  public func commit() { pending.removeAll() }

  /// Forgets what the compile defined: the session stays exactly as it was.
  public func rollback() {
    for name in pending { definitions[name] = nil }
    pending.removeAll()
  }

  public var names: [String] { definitions.keys.sorted() }
}
