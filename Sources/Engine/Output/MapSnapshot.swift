/// The contents of one map, decoded by the runtime, ready for `TextFormatter.map` / `JSONFormatter.map`.
///
/// Order of `entries` matters only to break ties, as upstream would see them: for histogram maps
/// set `rawKey` (upstream starts from raw-key byte order); for other maps pass them in the order
/// the kernel iterates them (`bpf_map_get_next_key`).
public struct MapSnapshot: Hashable, Sendable {
  /// `@x`, or `@` for the anonymous map.
  public var name: String
  public var entries: [MapEntry]
  /// How upstream orders keys of maps sorted by key (maps whose values are not count/sum/int/
  /// min/max/avg/stats/hist/lhist). Inferred from the first key when nil; pass it when keys are
  /// integers narrower than 64 bits (upstream compares them as signed at their own width).
  public var keyOrder: KeyOrder?
  /// The map holds avg() or stats() values. Only matters when `entries` is empty: upstream's JSON
  /// still prints `{"type": "stats", "data": {"@x": {}}}` for such maps.
  public var isAverageOrStats: Bool

  public init(name: String, entries: [MapEntry], keyOrder: KeyOrder? = nil, isAverageOrStats: Bool = false) {
    self.name = name
    self.entries = entries
    self.keyOrder = keyOrder
    self.isAverageOrStats = isAverageOrStats
  }

  /// A map without keys (`@x = ...`).
  public static func scalar(_ name: String, _ value: MapValue) -> MapSnapshot {
    MapSnapshot(name: name, entries: [MapEntry(key: nil, value: value)])
  }

  public var isScalar: Bool { entries.first.map { $0.key == nil } ?? false }
}

public struct MapEntry: Hashable, Sendable {
  /// nil for scalar maps. A multi-part key `@[a, b]` is a `.tuple`.
  public var key: OutputValue?
  public var value: MapValue
  /// The key's bytes as stored in the kernel map (without the histogram bucket suffix).
  public var rawKey: [UInt8]?

  public init(key: OutputValue?, value: MapValue, rawKey: [UInt8]? = nil) {
    self.key = key
    self.value = value
    self.rawKey = rawKey
  }
}

/// A map value, reduced across CPUs by the runtime. The case decides how the map is sorted.
public enum MapValue: Hashable, Sendable {
  /// count(), sum() and plain integers (`.signed`, `.unsigned`, or `.symbolic` for enums, which
  /// upstream never divides). Sorted by value.
  case integer(OutputValue)
  /// min() and max() (`.signed` or `.unsigned`). Sorted by value seen as unsigned, like upstream.
  case minMax(OutputValue)
  /// avg(): prints the integer average. Sorted by average.
  case average(Average)
  /// stats(): prints `{ .count = 3, .average = 2, .total = 6 }`. Sorted by average.
  case stats(Average)
  /// hist(): sorted by the total count.
  case hist(Log2Histogram)
  /// lhist(): sorted by the total count.
  case lhist(LinearHistogram)
  /// tseries(): printed in raw-key order, every key over the window ending at the map's latest
  /// interval.
  case tseries(TimeSeries)
  /// Anything else (strings, tuples, records, booleans, pointers, stacks...). Sorted by key.
  case value(OutputValue)
}

/// Running total and count of an avg()/stats() map entry, summed over CPUs.
public enum Average: Hashable, Sendable {
  case signed(total: Int64, count: Int64)
  case unsigned(total: UInt64, count: UInt64)

  /// Integer average, 0 when nothing was counted (upstream: `total / count`, truncating).
  var mean: OutputValue {
    switch self {
    case .signed(let t, let c): .signed(c > 0 ? t / c : 0)
    case .unsigned(let t, let c): .unsigned(c > 0 ? t / c : 0)
    }
  }
}

/// How keys compare when a map is sorted by key (upstream `sort_by_key`).
public indirect enum KeyOrder: Hashable, Sendable {
  /// An integer of this many bytes, compared as a signed integer of that width.
  case integer(bytes: Int)
  /// A string, compared byte by byte.
  case string
  /// Not sorted: stays in kernel order.
  case unordered
  /// A multi-part key: compared field by field, skipping fields that are neither integer nor string.
  case tuple([KeyOrder])

  /// What upstream would do for keys that look like `key`, assuming 64-bit integers.
  public static func inferred(from key: OutputValue?, nested: Bool = false) -> KeyOrder {
    switch key {
    case .signed?, .unsigned?, .symbolic?: return .integer(bytes: 8)
    case .string?: return .string
    case .tuple(let items)? where !nested: return .tuple(items.map { inferred(from: $0, nested: true) })
    default: return .unordered
    }
  }
}
