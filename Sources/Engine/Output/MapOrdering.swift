/// Upstream's `format(BpfMap, top, div)`: the order maps print in, `top`, and `div`.
///
/// - hist/lhist maps: entries start in raw-key byte order, then sort by total count ascending.
/// - count/sum/integer maps: sort by value ascending (signed or unsigned).
/// - min/max maps: sort by value read as unsigned (so negative values sort last).
/// - avg/stats maps: sort by integer average ascending.
/// - tseries maps: raw-key byte order; `top` does not apply.
/// - anything else: stable sort by key (integers signed, strings bytewise, tuples field by field;
///   other key types keep kernel order).
/// Value sorts use libstdc++'s unstable sort, as upstream does; ties come out as bpftrace's would.
/// `top` keeps the last `top` entries (the largest); `div` divides printed values (not hist
/// buckets of lhist, not stats' count/total, not enum values); 0 means 1.
enum MapOrdering {
  static func ordered(_ m: MapSnapshot, top: Int) -> [MapEntry] {
    var entries = m.entries
    guard let first = entries.first else { return [] }
    switch first.value {
    case .hist, .lhist:
      if entries.allSatisfy({ $0.rawKey != nil }) {
        entries = stableSorted(entries) { lexicographicLess($0.rawKey!, $1.rawKey!) }
      }
      var totals = entries.map { (entry: $0, total: totalCount($0.value)) }
      LibstdcxxSort.sort(&totals) { $0.total < $1.total }
      entries = totals.map(\.entry)
    case .tseries:
      if entries.allSatisfy({ $0.rawKey != nil }) {
        entries = stableSorted(entries) { lexicographicLess($0.rawKey!, $1.rawKey!) }
      }
      // Upstream ignores top for time series, and windows every key by the map's latest epoch.
      let end = entries.map { e -> UInt64 in
        if case .tseries(let t) = e.value { return t.latestEpoch }
        return 0
      }.max()
      entries = entries.map { e in
        guard case .tseries(var t) = e.value else { return e }
        t.windowEnd = end
        return MapEntry(key: e.key, value: .tseries(t), rawKey: e.rawKey)
      }
      if m.isScalar, let only = entries.first { entries = [only] }
      return entries
    case .integer:
      LibstdcxxSort.sort(&entries) { integerLess(value($0), value($1)) }
    case .minMax:
      LibstdcxxSort.sort(&entries) { bits(value($0)) < bits(value($1)) }
    case .average, .stats:
      LibstdcxxSort.sort(&entries) { integerLess(average($0).mean, average($1).mean) }
    case .value:
      let order = m.keyOrder ?? KeyOrder.inferred(from: first.key)
      if order != .unordered {
        entries = stableSorted(entries) { keyLess($0.key, $1.key, order) }
      }
    }
    if top > 0 && entries.count > top {
      entries.removeFirst(entries.count - top)
    }
    if m.isScalar, let only = entries.first { entries = [only] }
    return entries
  }

  private static func value(_ e: MapEntry) -> OutputValue {
    switch e.value {
    case .integer(let v), .minMax(let v), .value(let v): v
    default: .none
    }
  }

  private static func average(_ e: MapEntry) -> Average {
    switch e.value {
    case .average(let a), .stats(let a): a
    default: .unsigned(total: 0, count: 0)
    }
  }

  private static func totalCount(_ v: MapValue) -> UInt64 {
    switch v {
    case .hist(let h): h.buckets.reduce(0, &+)
    case .lhist(let h): h.buckets.reduce(0, &+)
    default: 0
    }
  }

  private static func bits(_ v: OutputValue) -> UInt64 {
    switch v {
    case .signed(let n): UInt64(bitPattern: n)
    case .unsigned(let n), .symbolic(_, let n), .pointer(let n): n
    case .boolean(let b): b ? 1 : 0
    default: 0
    }
  }

  private static func integerLess(_ a: OutputValue, _ b: OutputValue) -> Bool {
    if case .signed(let x) = a, case .signed(let y) = b { return x < y }
    return bits(a) < bits(b)
  }

  /// What one entry prints as, after `div` (0 means 1).
  static func printed(_ v: MapValue, div: UInt64) -> PrintedValue {
    let d = div == 0 ? 1 : div
    switch v {
    case .integer(let x), .minMax(let x), .value(let x): return .primitive(divide(x, d))
    case .average(let a): return .primitive(divide(a.mean, d))
    case .stats(let a):
      let (count, total): (OutputValue, OutputValue) =
        switch a {
        case .signed(let t, let c): (.signed(c), .signed(t))
        case .unsigned(let t, let c): (.unsigned(c), .unsigned(t))
        }
      return .primitive(
        .record([
          RecordField("count", count), RecordField("average", divide(a.mean, d)), RecordField("total", total),
        ]))
    case .hist(let h): return .histogram(h.rows(div: d))
    case .lhist(let h): return .histogram(h.rows())
    case .tseries(let t): return .timeSeries(t.rows())
    }
  }

  /// Upstream passes `div` down through tuples, arrays and records to every plain integer.
  /// Enum values (`.symbolic`) and pointers are never divided.
  static func divide(_ v: OutputValue, _ d: UInt64) -> OutputValue {
    if d == 1 { return v }
    switch v {
    case .signed(let n): return .signed(d > UInt64(Int64.max) ? 0 : n / Int64(d))
    case .unsigned(let n): return .unsigned(n / d)
    case .tuple(let items): return .tuple(items.map { divide($0, d) })
    case .array(let items): return .array(items.map { divide($0, d) })
    case .record(let fields): return .record(fields.map { RecordField($0.name, divide($0.value, d)) })
    default: return v
    }
  }

  // MARK: key order

  private static func keyLess(_ a: OutputValue?, _ b: OutputValue?, _ order: KeyOrder) -> Bool {
    guard let a, let b else { return false }
    switch order {
    case .integer(let bytes): return narrowed(a, bytes) < narrowed(b, bytes)
    case .string: return lexicographicLess(stringBytes(a), stringBytes(b))
    case .unordered: return false
    case .tuple(let fields):
      guard case .tuple(let xs) = a, case .tuple(let ys) = b else { return false }
      for (i, f) in fields.enumerated() where i < xs.count && i < ys.count {
        switch f {
        case .integer, .string:
          if keyLess(xs[i], ys[i], f) { return true }
          if keyLess(ys[i], xs[i], f) { return false }
        case .unordered, .tuple: continue
        }
      }
      return false
    }
  }

  /// The key read as a signed integer of `bytes` bytes, as upstream's bitcast to intN_t does.
  private static func narrowed(_ v: OutputValue, _ bytes: Int) -> Int64 {
    let b = bits(v)
    switch bytes {
    case 1: return Int64(Int8(truncatingIfNeeded: b))
    case 2: return Int64(Int16(truncatingIfNeeded: b))
    case 4: return Int64(Int32(truncatingIfNeeded: b))
    default: return Int64(bitPattern: b)
    }
  }

  private static func stringBytes(_ v: OutputValue) -> [UInt8] {
    if case .string(let s) = v { return s.bytes }
    return []
  }

  static func lexicographicLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.lexicographicallyPrecedes(b)
  }

  private static func stableSorted(_ a: [MapEntry], by less: (MapEntry, MapEntry) -> Bool) -> [MapEntry] {
    // Sorting (element, original position) makes Swift's sort stable regardless of its algorithm.
    a.enumerated()
      .sorted { less($0.element, $1.element) || (!less($1.element, $0.element) && $0.offset < $1.offset) }
      .map(\.element)
  }
}

enum PrintedValue {
  case primitive(OutputValue)
  case histogram(HistogramRows)
  case timeSeries(TimeSeriesRows)
}
