/// Map reads, writes and the aggregation updates (count, sum, min, max, avg, stats, hist, lhist).
extension ProgramGenerator {
  /// Builds the kernel key of `def` on the stack; `bucket` is appended for histograms.
  func buildKey(_ def: MapDefinition, _ keys: [Expr], bucket: Value? = nil, at range: SourceRange) throws -> Int16 {
    let keyType = def.kernelKeyType
    let off = try allocate(def.keySize, at: range)
    try zero(off, def.keySize)
    var slots: [(offset: Int, type: BPFType)] = []
    if case .tuple(let items) = keyType, def.keyType != nil || def.hasBucketKey {
      let layout = TupleLayout(items)
      slots = Array(zip(layout.offsets, items))
    } else {
      slots = [(0, keyType)]
    }
    if def.keyType != nil {
      var userSlots = slots
      if def.hasBucketKey { userSlots.removeLast() }
      if keys.count == 1, userSlots.count > 1 {
        // A single tuple-valued key expression: copy it whole.
        try store(try emit(keys[0]), type: keys[0].type, to: off, as: def.keyType!)
      } else {
        for (k, slot) in zip(keys, userSlots) {
          try store(try emit(k), type: k.type, to: off + Int16(slot.offset), as: slot.type)
        }
      }
    }
    if let bucket {
      let last = slots.last!
      try store(bucket, type: .uint64, to: off + Int16(last.offset), as: .uint64)
    }
    return off
  }

  func pointer(_ r: Register, toStack off: Int16) {
    asm.mov(r, fp)
    asm.emit(.alu64(.add, r, .imm(Int32(off))))
  }

  /// r0 = bpf_map_lookup_elem(map, &key)
  func lookup(_ def: MapDefinition, key: Int16) {
    asm.emit(.loadMap(.r1, resources.ref(def.name)))
    pointer(.r2, toStack: key)
    asm.call(.mapLookupElem)
  }

  /// bpf_map_update_elem(map, &key, &value, flags); a failure (the map is full) is counted for
  /// user space to report.
  func update(_ def: MapDefinition, key: Int16, value: Int16, flags: Int32 = 0) {
    asm.emit(.loadMap(.r1, resources.ref(def.name)))
    pointer(.r2, toStack: key)
    pointer(.r3, toStack: value)
    asm.mov(.r4, flags)
    asm.call(.mapUpdateElem)
    let stored = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), stored))
    asm.emit(.loadMapValue(.r1, resources.lostCounter, offset: 8))
    asm.mov(.r2, 1)
    asm.emit(.atomic(.add, .dw, .r1, 0, .r2))
    asm.bind(stored)
  }

  func readMap(_ def: MapDefinition, keys: [Expr], at range: SourceRange) throws -> Value {
    let key = try buildKey(def, keys, at: range)
    let valueType = def.aggregation == nil ? def.valueType : .int64
    if def.aggregation != nil, valueType.isInteger {
      // What the map shows when printed: every CPU's share.
      let merged = try allocate(8, at: range)
      try mergeAcrossCPUs(def, keyAt: key, into: merged, at: range)
      return .slot(merged)
    }
    if valueType.isInteger {
      let t = try newTemp(at: range)
      lookup(def, key: key)
      let missing = asm.newLabel()
      let end = asm.newLabel()
      asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
      switch def.aggregation {
      case .avg:
        // total / count of this CPU's slot
        asm.emit(.load(.dw, .r1, .r0, 0))
        asm.emit(.load(.dw, .r2, .r0, 8))
        asm.emit(.alu64(.div, .r1, .reg(.r2)))
      default:
        // Integers are stored as 64 bits; a bool is one byte.
        asm.emit(.load(valueType == .boolean ? .b : .dw, .r1, .r0, 0))
      }
      asm.emit(.jump(end))
      asm.bind(missing)
      asm.mov(.r1, 0)
      asm.bind(end)
      setTemp(t, from: .r1)
      return t
    }
    let size = def.valueSize
    let off = try allocate(size, at: range)
    try zero(off, size)
    lookup(def, key: key)
    let missing = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
    copy(from: .r0, 0, to: fp, off, size: size)
    asm.bind(missing)
    return .bytes(off, size: size)
  }

  func writeMap(_ def: MapDefinition, keys: [Expr], value: Value, valueType: BPFType, at range: SourceRange) throws {
    let valueOff: Int16
    if case .bytes(let off, let size) = value, size == def.valueSize {
      valueOff = off
    } else {
      valueOff = try allocate(def.valueSize, at: range)
      try zero(valueOff, def.valueSize)
      try store(value, type: valueType, to: valueOff, as: def.valueType)
    }
    let key = try buildKey(def, keys, at: range)
    update(def, key: key, value: valueOff)
  }

  /// `@x++`, `@x--`, also as values (old value for postfix, new for prefix).
  func incrementMap(_ def: MapDefinition, keys: [Expr], delta: Int64, returnNew: Bool, at range: SourceRange) throws
    -> Value
  {
    let result = try newTemp(at: range)
    try addToMap(def, keys: keys, deltaValue: .constant(delta), at: range, result: (result, returnNew))
    return result
  }

  func addToMap(_ def: MapDefinition, keys: [Expr], delta: Expr, negate: Bool, at range: SourceRange) throws {
    var d = try emit(delta)
    if negate { d = try arithmetic(.sub, .constant(0), d, signed: true) }
    try addToMap(def, keys: keys, deltaValue: d, at: range, result: nil)
  }

  /// Atomically adds to a shared (non per-CPU) map value, creating it if missing.
  private func addToMap(
    _ def: MapDefinition, keys: [Expr], deltaValue: Value, at range: SourceRange, result: (Value, Bool)?
  ) throws {
    let deltaSlot = try spillToSlot(try owned(deltaValue, at: range))
    let key = try buildKey(def, keys, at: range)
    let valueOff = try allocate(8, at: range)
    lookup(def, key: key)
    let missing = asm.newLabel()
    let end = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
    asm.emit(.load(.dw, .r1, fp, deltaSlot))
    if let (t, returnNew) = result {
      asm.emit(.load(.dw, .r2, .r0, 0))
      if returnNew { asm.emit(.alu64(.add, .r2, .reg(.r1))) }
      setTemp(t, from: .r2)
    }
    asm.emit(.atomic(.add, .dw, .r0, 0, .r1))
    asm.emit(.jump(end))
    asm.bind(missing)
    asm.emit(.load(.dw, .r1, fp, deltaSlot))
    asm.emit(.store(.dw, fp, valueOff, .r1))
    if let (t, returnNew) = result {
      if !returnNew { asm.mov(.r1, 0) }
      setTemp(t, from: .r1)
    }
    update(def, key: key, value: valueOff, flags: 0)
    asm.bind(end)
  }

  /// `@m[k] = count()`, `sum(x)`, ... on a per-CPU map: plain (non-atomic) updates of this CPU's slot.
  func aggregate(_ agg: Aggregation, def: MapDefinition, keys: [Expr], arguments: [Expr], at range: SourceRange) throws
  {
    if case .tseries(let shape) = agg {
      try aggregateTimeSeries(shape, def: def, keys: keys, argument: arguments[0], at: range)
      return
    }
    var argument: Int16? = nil
    if let first = arguments.first {
      argument = try spillToSlot(try owned(try emit(first), at: range))
    }
    var bucket: Value? = nil
    switch agg {
    case .hist(let bits):
      bucket = try log2Bucket(argument!, bits: bits, at: range)
    case .lhist(let lo, let hi, let step):
      bucket = try linearBucket(argument!, min: lo, max: hi, step: step, at: range)
    default: break
    }
    let key = try buildKey(def, keys, bucket: bucket, at: range)
    let valueOff = try allocate(def.valueSize, at: range)
    lookup(def, key: key)
    let missing = asm.newLabel()
    let end = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
    // Found: update this CPU's value in place.
    switch agg {
    case .count, .hist, .lhist:
      asm.emit(.load(.dw, .r1, .r0, 0))
      asm.emit(.alu64(.add, .r1, .imm(1)))
      asm.emit(.store(.dw, .r0, 0, .r1))
    case .sum:
      asm.emit(.load(.dw, .r1, .r0, 0))
      asm.emit(.load(.dw, .r2, fp, argument!))
      asm.emit(.alu64(.add, .r1, .reg(.r2)))
      asm.emit(.store(.dw, .r0, 0, .r1))
    case .min(let signed), .max(let signed):
      let isMin: Bool = { if case .min = agg { return true } else { return false } }()
      let keep = asm.newLabel()
      asm.emit(.load(.dw, .r2, fp, argument!))
      asm.emit(.load(.dw, .r3, .r0, 8))
      let write = asm.newLabel()
      asm.emit(.jumpIf(.eq, .r3, .imm(0), write))
      asm.emit(.load(.dw, .r1, .r0, 0))
      let op: JumpOp = isMin ? (signed ? .sge : .ge) : (signed ? .sle : .le)
      asm.emit(.jumpIf(op, .r2, .reg(.r1), keep))
      asm.bind(write)
      asm.emit(.store(.dw, .r0, 0, .r2))
      asm.emit(.storeImm(.dw, .r0, 8, 1))
      asm.bind(keep)
    case .avg, .stats:
      asm.emit(.load(.dw, .r1, .r0, 0))
      asm.emit(.load(.dw, .r2, fp, argument!))
      asm.emit(.alu64(.add, .r1, .reg(.r2)))
      asm.emit(.store(.dw, .r0, 0, .r1))
      asm.emit(.load(.dw, .r1, .r0, 8))
      asm.emit(.alu64(.add, .r1, .imm(1)))
      asm.emit(.store(.dw, .r0, 8, .r1))
    case .tseries: break  // aggregateTimeSeries, above
    }
    asm.emit(.jump(end))
    // Missing: create it with the first value.
    asm.bind(missing)
    try zero(valueOff, def.valueSize)
    switch agg {
    case .count, .hist, .lhist:
      asm.emit(.storeImm(.dw, fp, valueOff, 1))
    case .sum:
      asm.emit(.load(.dw, .r1, fp, argument!))
      asm.emit(.store(.dw, fp, valueOff, .r1))
    case .min, .max:
      asm.emit(.load(.dw, .r1, fp, argument!))
      asm.emit(.store(.dw, fp, valueOff, .r1))
      asm.emit(.storeImm(.dw, fp, valueOff + 8, 1))
    case .avg, .stats:
      asm.emit(.load(.dw, .r1, fp, argument!))
      asm.emit(.store(.dw, fp, valueOff, .r1))
      asm.emit(.storeImm(.dw, fp, valueOff + 8, 1))
    case .tseries: break
    }
    update(def, key: key, value: valueOff)
    asm.bind(end)
  }

  /// bpftrace's log2 bucket with `bits` linear sub-buckets per power of two:
  /// 0 for n < 0; n + 1 for n < 2^bits; else ((l + 1) << bits) + next bits + 1, l = msb - bits.
  private func log2Bucket(_ value: Int16, bits: Int, at range: SourceRange) throws -> Value {
    let t = try newTemp(at: range)
    let done = asm.newLabel()
    let mask = Int32((1 << bits) - 1)
    asm.emit(.load(.dw, .r1, fp, value))
    asm.mov(.r0, 0)
    asm.emit(.jumpIf(.slt, .r1, .imm(0), done))
    asm.mov(.r0, .r1)
    asm.emit(.alu64(.add, .r0, .imm(1)))
    asm.emit(.jumpIf(.le, .r1, .imm(mask), done))
    // r2 = index of the leftmost 1 (binary search over 32, 16, 8, 4, 2, 1 bit steps).
    asm.mov(.r2, 0)
    asm.mov(.r3, .r1)
    for i in stride(from: 5, through: 0, by: -1) {
      let skip = asm.newLabel()
      let threshold = Int64(1) << (Int64(1) << Int64(i))
      if let imm = Int32(exactly: threshold) {
        asm.emit(.jumpIf(.lt, .r3, .imm(imm), skip))
      } else {
        asm.emit(.loadImm64(.r4, UInt64(threshold)))
        asm.emit(.jumpIf(.lt, .r3, .reg(.r4), skip))
      }
      asm.emit(.alu64(.rsh, .r3, .imm(Int32(1 << i))))
      asm.emit(.alu64(.add, .r2, .imm(Int32(1 << i))))
      asm.bind(skip)
    }
    asm.emit(.alu64(.sub, .r2, .imm(Int32(bits))))
    // r3 = (n >> l) & mask
    asm.mov(.r3, .r1)
    asm.emit(.alu64(.rsh, .r3, .reg(.r2)))
    asm.emit(.alu64(.and, .r3, .imm(mask)))
    asm.mov(.r0, .r2)
    asm.emit(.alu64(.add, .r0, .imm(1)))
    asm.emit(.alu64(.lsh, .r0, .imm(Int32(bits))))
    asm.emit(.alu64(.add, .r0, .reg(.r3)))
    asm.emit(.alu64(.add, .r0, .imm(1)))
    asm.bind(done)
    setTemp(t, from: .r0)
    return t
  }

  /// bpftrace's lhist bucket: 0 below min, 1 + (max - min) / step above max, else 1 + (n - min) / step.
  private func linearBucket(_ value: Int16, min lo: Int64, max hi: Int64, step: Int64, at range: SourceRange) throws
    -> Value
  {
    let t = try newTemp(at: range)
    let done = asm.newLabel()
    asm.emit(.load(.dw, .r1, fp, value))
    asm.mov(.r0, 0)
    asm.loadConstant(.r2, lo)
    asm.emit(.jumpIf(.slt, .r1, .reg(.r2), done))
    asm.loadConstant(.r0, 1 + (hi - lo) / step)
    asm.loadConstant(.r3, hi)
    asm.emit(.jumpIf(.sgt, .r1, .reg(.r3), done))
    asm.mov(.r0, .r1)
    asm.emit(.alu64(.sub, .r0, .reg(.r2)))
    asm.loadConstant(.r3, step)
    asm.emit(.alu64(.div, .r0, .reg(.r3)))
    asm.emit(.alu64(.add, .r0, .imm(1)))
    asm.bind(done)
    setTemp(t, from: .r0)
    return t
  }
}
