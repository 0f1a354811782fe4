import Glibc

/// One key's tseries() data, reduced across CPUs (upstream `collect_tseries_data`): the latest
/// value of each bucket, by epoch (interval number since 1970, CLOCK_TAI).
public struct TimeSeries: Hashable, Sendable {
  public var shape: TimeSeriesShape
  public var points: [TimeSeriesPoint]
  /// The latest epoch of any key of the same map: every key prints the window of
  /// `shape.intervals` intervals that ends there. Set by MapOrdering; nil means this series' own.
  public var windowEnd: UInt64?

  public init(shape: TimeSeriesShape, points: [TimeSeriesPoint], windowEnd: UInt64? = nil) {
    self.shape = shape
    self.points = points
    self.windowEnd = windowEnd
  }

  /// The most recent epoch with data (0 when there is none).
  public var latestEpoch: UInt64 { points.map(\.epoch).max() ?? 0 }

  /// One kernel bucket's per-CPU (value, meta, epoch) slots, as upstream reduces them: slots of
  /// the bucket's latest epoch combine (last: the newest `meta` time wins; avg: sums over
  /// counts; min, max, sum). A bucket no CPU ever wrote (epoch 0 everywhere) gives epoch 0,
  /// value 0, which upstream prints too.
  public static func reduce(_ slots: [(value: UInt64, meta: UInt64, epoch: UInt64)], shape: TimeSeriesShape)
    -> TimeSeriesPoint
  {
    let signed = shape.signed
    func less(_ a: UInt64, _ b: UInt64) -> Bool { signed ? Int64(bitPattern: a) < Int64(bitPattern: b) : a < b }
    var byEpoch: [UInt64: (value: UInt64, meta: UInt64)] = [:]
    var latest: UInt64 = 0
    for s in slots where s.epoch != 0 {
      latest = max(latest, s.epoch)
      guard var current = byEpoch[s.epoch] else {
        byEpoch[s.epoch] = (s.value, s.meta)
        continue
      }
      switch shape.reduction {
      case .last: if less(current.meta, s.meta) { current = (s.value, s.meta) }
      case .avg: current = (current.value &+ s.value, current.meta &+ s.meta)
      case .sum: current.value = current.value &+ s.value
      case .min: if less(s.value, current.value) { current.value = s.value }
      case .max: if less(current.value, s.value) { current.value = s.value }
      }
      byEpoch[s.epoch] = current
    }
    guard latest != 0, var result = byEpoch[latest] else { return TimeSeriesPoint(epoch: 0, bits: 0) }
    if shape.reduction == .avg, result.meta != 0 {
      if signed {
        let q = Int64(bitPattern: result.value).dividedReportingOverflow(by: Int64(bitPattern: result.meta))
        result.value = UInt64(bitPattern: q.partialValue)
      } else {
        result.value /= result.meta
      }
    }
    return TimeSeriesPoint(epoch: latest, bits: result.value)
  }

  /// What prints (upstream `build_time_series`): every interval of the window from this key's
  /// first epoch inside it, those without data marked missing.
  func rows() -> TimeSeriesRows {
    let last = windowEnd ?? latestEpoch
    let start = last &- UInt64(shape.intervals) &+ 1
    var values: [UInt64: UInt64] = [:]
    var first = last
    for p in points where values[p.epoch] == nil {
      values[p.epoch] = p.bits
      if p.epoch >= start { first = min(first, p.epoch) }
    }
    var rows = TimeSeriesRows(signed: shape.signed)
    guard start <= last else { return rows }
    var epoch = start
    while true {
      if epoch >= first {
        rows.append(timestamp: epoch &* shape.intervalNanoseconds, bits: values[epoch])
      }
      if epoch == last { break }
      epoch += 1
    }
    return rows
  }
}

public struct TimeSeriesPoint: Hashable, Sendable {
  public var epoch: UInt64
  /// The value's bits: an Int64 or a UInt64 as the shape is signed or not.
  public var bits: UInt64

  public init(epoch: UInt64, bits: UInt64) {
    self.epoch = epoch
    self.bits = bits
  }
}
