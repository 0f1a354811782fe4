/// `@m[k] = tseries(n, interval, intervals[, agg])`, as upstream stores it: the kernel key is
/// (k..., epoch % intervals) with epoch = now / interval, the per-CPU value is
/// (value, meta, epoch). A bucket still holding an older epoch is reused for the new one.
extension ProgramGenerator {
  func aggregateTimeSeries(
    _ shape: TimeSeriesShape, def: MapDefinition, keys: [Expr], argument: Expr, at range: SourceRange
  ) throws {
    let value = try spillToSlot(try owned(try emit(argument), at: range))
    let now = try allocate(8, at: range)
    let epoch = try allocate(8, at: range)
    let bucket = try allocate(8, at: range)
    try loadNow(into: now, at: range)
    // epoch = now / interval; bucket = epoch % intervals (unsigned, as upstream)
    asm.emit(.load(.dw, .r1, fp, now))
    asm.loadConstant(.r2, Int64(bitPattern: shape.intervalNanoseconds))
    asm.emit(.alu64(.div, .r1, .reg(.r2)))
    asm.emit(.store(.dw, fp, epoch, .r1))
    asm.loadConstant(.r2, Int64(shape.intervals))
    asm.emit(.alu64(.mod, .r1, .reg(.r2)))
    asm.emit(.store(.dw, fp, bucket, .r1))

    let key = try buildKey(def, keys, bucket: .slot(bucket), at: range)
    let fresh = try allocate(def.valueSize, at: range)
    lookup(def, key: key)
    let missing = asm.newLabel()
    let end = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
    if shape.reduction != .last {
      // A bucket left from an older epoch starts over.
      let same = asm.newLabel()
      asm.emit(.load(.dw, .r1, .r0, 16))
      asm.emit(.load(.dw, .r2, fp, epoch))
      asm.emit(.jumpIf(.eq, .r1, .reg(.r2), same))
      asm.emit(.storeImm(.dw, .r0, 0, 0))
      asm.emit(.storeImm(.dw, .r0, 8, 0))
      asm.bind(same)
    }
    writeBucket(shape, base: .r0, at: 0, value: value, now: now, epoch: epoch)
    asm.emit(.jump(end))
    asm.bind(missing)
    try zero(fresh, def.valueSize)
    writeBucket(shape, base: fp, at: fresh, value: value, now: now, epoch: epoch)
    update(def, key: key, value: fresh)
    asm.bind(end)
  }

  /// (value, meta, epoch) at base+at: the last value and its time, a running sum, sum and count
  /// (avg), or the extreme seen so far with meta = 1 once set (min, max).
  private func writeBucket(
    _ shape: TimeSeriesShape, base p: Register, at o: Int16, value: Int16, now: Int16, epoch: Int16
  ) {
    asm.emit(.load(.dw, .r2, fp, value))
    switch shape.reduction {
    case .last:
      asm.emit(.store(.dw, p, o, .r2))
      asm.emit(.load(.dw, .r3, fp, now))
      asm.emit(.store(.dw, p, o + 8, .r3))
    case .sum, .avg:
      asm.emit(.load(.dw, .r1, p, o))
      asm.emit(.alu64(.add, .r1, .reg(.r2)))
      asm.emit(.store(.dw, p, o, .r1))
      if shape.reduction == .avg {
        asm.emit(.load(.dw, .r1, p, o + 8))
        asm.emit(.alu64(.add, .r1, .imm(1)))
        asm.emit(.store(.dw, p, o + 8, .r1))
      }
    case .min, .max:
      let keep = asm.newLabel()
      let write = asm.newLabel()
      asm.emit(.load(.dw, .r3, p, o + 8))
      asm.emit(.jumpIf(.eq, .r3, .imm(0), write))
      asm.emit(.load(.dw, .r1, p, o))
      let isMin = shape.reduction == .min
      let op: JumpOp = isMin ? (shape.signed ? .sge : .ge) : (shape.signed ? .sle : .le)
      asm.emit(.jumpIf(op, .r2, .reg(.r1), keep))
      asm.bind(write)
      asm.emit(.store(.dw, p, o, .r2))
      asm.emit(.storeImm(.dw, p, o + 8, 1))
      asm.bind(keep)
    }
    asm.emit(.load(.dw, .r1, fp, epoch))
    asm.emit(.store(.dw, p, o + 16, .r1))
  }

  /// The time tseries buckets by: CLOCK_TAI (wall-clock nanoseconds, which user space prints as
  /// dates), or with BPFTRACE_DUMMY_TS_MAP the value of that scalar map (0 when unset).
  private func loadNow(into slot: Int16, at range: SourceRange) throws {
    if let name = timestampMap {
      guard let def = resources.maps[name], def.keyType == nil else {
        throw fail("BPFTRACE_DUMMY_TS_MAP: \(name) must be a scalar map of an unsigned integer", range)
      }
      let key = try allocate(8, at: range)
      asm.emit(.storeImm(.dw, fp, key, 0))
      lookup(def, key: key)
      let missing = asm.newLabel()
      let done = asm.newLabel()
      asm.emit(.jumpIf(.eq, .r0, .imm(0), missing))
      asm.emit(.load(.dw, .r1, .r0, 0))
      asm.emit(.jump(done))
      asm.bind(missing)
      asm.mov(.r1, 0)
      asm.bind(done)
      asm.emit(.store(.dw, fp, slot, .r1))
    } else {
      asm.call(.ktimeGetTaiNs)
      asm.emit(.store(.dw, fp, slot, .r0))
    }
  }
}
