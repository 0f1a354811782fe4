import Glibc

/// strftime() values: nanoseconds since boot, turned into local wall-clock time and formatted
/// with strftime(3) plus upstream's extensions `%f` (microseconds), `%l` (milliseconds) and
/// `%k` (nanoseconds), each zero-padded.
public enum Timestamp {
  /// CLOCK_REALTIME minus CLOCK_BOOTTIME, taken once, as upstream does at startup.
  nonisolated(unsafe) private static var bootOffset: Int64? = nil

  public static func format(bootNanoseconds ns: UInt64, _ format: String) -> String {
    if bootOffset == nil { bootOffset = measureBootOffset() }
    let wall = Int64(bitPattern: ns) &+ (bootOffset ?? 0)
    return self.format(wallNanoseconds: wall, format)
  }

  /// `format` applied to a wall-clock time in nanoseconds since the epoch, in local time.
  public static func format(wallNanoseconds wall: Int64, _ format: String) -> String {
    var seconds = time_t(wall / 1_000_000_000)
    let fraction = wall % 1_000_000_000
    if seconds == 0 { return "(?)" }
    var tm = tm()
    guard localtime_r(&seconds, &tm) != nil else { return "(?)" }
    let fmt =
      format
      .replacingAll("%f", with: padded(fraction / 1000, 6))
      .replacingAll("%k", with: padded(fraction, 9))
      .replacingAll("%l", with: padded(fraction / 1_000_000, 3))
    var buf = [CChar](repeating: 0, count: 1024)
    let n = strftime(&buf, buf.count, fmt, &tm)
    if n == 0 { return "(?)" }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private static func padded(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  private static func measureBootOffset() -> Int64 {
    func read(_ clock: clockid_t) -> Int64 {
      var ts = timespec()
      clock_gettime(clock, &ts)
      return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
    // Real time sandwiched between two boot-time reads; the tightest of a few tries.
    var best: (delta: Int64, offset: Int64)? = nil
    for _ in 0..<5 {
      let before = read(CLOCK_BOOTTIME)
      let real = read(CLOCK_REALTIME)
      let after = read(CLOCK_BOOTTIME)
      let delta = after - before
      if best == nil || delta < best!.delta { best = (delta, real - (before + after) / 2) }
    }
    return best?.offset ?? 0
  }
}
