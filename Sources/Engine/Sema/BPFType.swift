/// The type of a value in a bpftrace program, as Sema resolves it.
public indirect enum BPFType: Equatable, Sendable, CustomStringConvertible {
  /// Not yet resolved.
  case none
  case void
  case integer(bits: Int, signed: Bool)
  /// A 64-bit value of a C enum written in the program (`enum NAME`, or `enum <anon#N>`):
  /// printed as the enumerator's name when one has that value.
  case enumeration(name: String)
  case boolean
  /// A NUL-terminated string in a fixed-size buffer.
  case string(size: Int)
  case buffer(size: Int)
  /// `buf()`: a u32 length, 4 bytes of padding, then `capacity` bytes of which `length` count.
  case sizedBuffer(capacity: Int)
  case tuple([BPFType])
  /// A record (named tuple) `(a = 1, b = "x")`: laid out like the tuple of its items.
  case namedTuple(names: [String], items: [BPFType])
  /// A pointer into kernel (or user) memory; `pointee` may be a record.
  case pointer(BPFType, user: Bool)
  /// A C struct or union (from BTF, a tracepoint format or the program), by name and size.
  case record(name: String, size: Int)
  case array(BPFType, count: Int)
  /// The tracepoint `args` record: fields come from the tracefs format file.
  case tracepointArgs(category: String, event: String)
  /// A map-valued aggregation such as count(), hist(), stats().
  case aggregation(Aggregation)
  /// Symbolized values: printed through a symbol lookup in user space.
  case symbol(SymbolKind)
  case stack(user: Bool, mode: String, depth: Int)

  public static let int64 = BPFType.integer(bits: 64, signed: true)
  public static let uint64 = BPFType.integer(bits: 64, signed: false)
  public static let int32 = BPFType.integer(bits: 32, signed: true)
  public static let uint32 = BPFType.integer(bits: 32, signed: false)

  public var isInteger: Bool {
    if case .integer = self { return true }
    if case .boolean = self { return true }
    if case .enumeration = self { return true }
    return false
  }
  /// Structs and arrays read through pointers are held as their address until copied.
  public var isHeldByAddress: Bool {
    switch self {
    case .record, .array: return true
    default: return false
    }
  }

  public var isSigned: Bool {
    if case .integer(_, let s) = self { return s }
    return false
  }

  /// Size in bytes of the value when stored in a map, the stack or an event.
  public var size: Int {
    switch self {
    case .none, .void: 0
    case .integer(let bits, _): bits / 8
    case .enumeration: 8
    case .boolean: 1
    case .string(let n), .buffer(let n): n
    case .sizedBuffer(let n): 8 + n
    case .tuple(let items), .namedTuple(_, let items): TupleLayout(items).size
    case .pointer: 8
    case .record(_, let n): n
    case .array(let t, let n): t.size * n
    case .tracepointArgs: 8
    case .aggregation(let a): a.valueSize
    case .symbol(let k): k.size
    // (stack id, pid): user stacks are symbolized in the process that took them.
    case .stack: 16
    }
  }

  public var description: String {
    switch self {
    case .none: "none"
    case .void: "void"
    case .integer(let bits, let s): (s ? "int" : "uint") + "\(bits)"
    case .enumeration(let name): name
    case .boolean: "bool"
    case .string(let n): "string[\(n)]"
    case .buffer(let n): "buffer[\(n)]"
    case .sizedBuffer(let n): "buffer[\(n)]"
    case .tuple(let items): "(" + items.map(\.description).joined(separator: ", ") + ")"
    case .namedTuple(let names, let items):
      "(" + zip(names, items).map { "\($0)=\($1)" }.joined(separator: ", ") + ")"
    case .pointer(let t, _): "\(t) *"
    case .record(let name, _): name
    case .array(let t, let n): "\(t)[\(n)]"
    case .tracepointArgs(let c, let e): "struct \(c)_\(e)_args *"
    case .aggregation(let a): a.description
    case .symbol(let k): k.rawValue
    case .stack(let user, _, _): user ? "ustack" : "kstack"
    }
  }
}

/// Tuples are laid out like C structs: each element aligned to its natural alignment (max 8).
public struct TupleLayout: Sendable {
  public var offsets: [Int]
  public var size: Int

  public init(_ items: [BPFType]) {
    var offset = 0
    var offsets: [Int] = []
    var maxAlign = 1
    for t in items {
      let a = TupleLayout.alignment(of: t)
      maxAlign = max(maxAlign, a)
      offset = (offset + a - 1) / a * a
      offsets.append(offset)
      offset += t.size
    }
    self.offsets = offsets
    self.size = (offset + maxAlign - 1) / maxAlign * maxAlign
  }

  public static func alignment(of t: BPFType) -> Int {
    switch t {
    case .integer(let bits, _): max(1, bits / 8)
    case .boolean, .string, .buffer: 1
    case .tuple(let items), .namedTuple(_, let items): items.map { alignment(of: $0) }.max() ?? 1
    case .array(let e, _): alignment(of: e)
    case .record: 8
    default: 8
    }
  }
}

/// The map aggregation functions and what their per-CPU value looks like in the kernel.
public enum Aggregation: Equatable, Sendable, CustomStringConvertible {
  case count
  case sum(signed: Bool)
  case min(signed: Bool)
  case max(signed: Bool)
  case avg(signed: Bool)
  case stats(signed: Bool)
  /// Log2 histogram with `bits` linear sub-buckets per power of two (upstream's second argument).
  case hist(bits: Int)
  case lhist(min: Int64, max: Int64, step: Int64)
  /// tseries(): one map entry per bucket (epoch % intervals), keyed by (key..., bucket).
  case tseries(TimeSeriesShape)

  /// Bytes per CPU of the map value.
  public var valueSize: Int {
    switch self {
    case .count, .sum: 8
    // (value, isSet): a per-CPU slot that never saw a value must not win the merge.
    case .min, .max: 16
    // (total, count)
    case .avg, .stats: 16
    // Histograms keep one map entry per bucket, keyed by (key..., bucket): 8-byte counters.
    case .hist, .lhist: 8
    // (value, meta, epoch); meta is the update time (last value wins), the count (avg) or isSet (min, max).
    case .tseries: 24
    }
  }

  public var description: String {
    switch self {
    case .count: "count_t"
    case .sum: "sum_t"
    case .min: "min_t"
    case .max: "max_t"
    case .avg: "avg_t"
    case .stats: "stats_t"
    case .hist: "hist_t"
    case .lhist: "lhist_t"
    case .tseries: "tseries_t"
    }
  }
}

/// The literal arguments of `tseries(n, interval, intervals[, "avg"|"max"|"min"|"sum"])`.
public struct TimeSeriesShape: Hashable, Sendable {
  /// How values falling in the same interval combine; `.last` keeps the most recent one.
  public enum Reduction: String, Hashable, Sendable {
    case last, avg, max, min, sum
  }

  public var intervalNanoseconds: UInt64
  public var intervals: Int
  public var reduction: Reduction
  /// The recorded value's signedness: decides how values are merged and printed.
  public var signed: Bool

  public init(intervalNanoseconds: UInt64, intervals: Int, reduction: Reduction, signed: Bool) {
    self.intervalNanoseconds = intervalNanoseconds
    self.intervals = intervals
    self.reduction = reduction
    self.signed = signed
  }
}

public enum SymbolKind: String, Sendable {
  case ksym, usym, kaddr, probe, username, inet, macaddr
  case cgroupPath = "cgroup_path"
  case strerror, timestamp
  case signalName = "signal_name"
  case syscallName = "syscall_name"

  public var size: Int {
    switch self {
    case .inet: 24
    case .macaddr: 6
    // (address, pid): user addresses are symbolized in the process that saw them.
    case .usym: 16
    // (format id, nanoseconds since boot)
    case .timestamp: 16
    default: 8
    }
  }
}
