/// `tseries(n, interval, intervals[, agg])`: the interval and count are literals (the interval
/// usually a duration such as `100ms`), the aggregation one of avg, max, min, sum.
extension FunctionChecker {
  static func checkTimeSeries(_ c: CallCheck) -> BPFType {
    guard c.arity(3...4), let valueType = c.integer(0) else {
      for a in c.args.dropFirst() { c.tc.check(a) }
      return .none
    }
    c.tc.check(c.args[1])
    c.tc.check(c.args[2])
    guard let interval = c.integerLiteralValue(1) else {
      c.error("tseries: invalid interval_ns value (must be non-negative literal)", c.args[1].range)
      return .none
    }
    guard let intervals = c.integerLiteralValue(2) else {
      c.error("tseries: invalid num_intervals value (must be non-negative literal)", c.args[2].range)
      return .none
    }
    guard interval >= 1 else {
      c.error("tseries() interval_ns must be >= 1 (\(interval) provided)", c.args[1].range)
      return .none
    }
    guard intervals >= 1 else {
      c.error("tseries() num_intervals must be >= 1 (\(intervals) provided)", c.args[2].range)
      return .none
    }
    guard intervals <= 1_000_000 else {
      c.error("tseries() num_intervals must be < 1000000 (\(intervals) provided)", c.args[2].range)
      return .none
    }
    var reduction = TimeSeriesShape.Reduction.last
    if c.args.count == 4 {
      guard let name = c.stringLiteral(3) else { return .none }
      guard let r = TimeSeriesShape.Reduction(rawValue: name), r != .last else {
        c.error(
          "tseries() expects one of the following aggregation functions: avg, max, min, sum (\"\(name)\" provided)",
          c.args[3].range)
        return .none
      }
      reduction = r
    }
    checkTimestampMap(c)
    return .aggregation(
      .tseries(
        TimeSeriesShape(
          intervalNanoseconds: UInt64(interval), intervals: Int(intervals), reduction: reduction,
          signed: valueType.isSigned)))
  }

  /// BPFTRACE_DUMMY_TS_MAP=@ts (upstream's test hook): tseries takes "now" from that scalar
  /// unsigned map instead of the clock, so tests can place values in chosen intervals.
  private static func checkTimestampMap(_ c: CallCheck) {
    guard let name = c.tc.config.timestampMap, c.tc.finalPass else { return }
    guard let def = c.tc.maps[name] else {
      c.error("BPFTRACE_DUMMY_TS_MAP: map \(name) is not defined", c.call.range)
      return
    }
    if def.keyType != nil || def.aggregation != nil || !def.valueType.isInteger || def.valueType.isSigned {
      c.error("BPFTRACE_DUMMY_TS_MAP: \(name) must be a scalar map of an unsigned integer", c.call.range)
    }
  }
}
