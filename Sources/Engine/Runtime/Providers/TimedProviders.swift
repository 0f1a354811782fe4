/// Parses `UNIT:N` (or `Nunit`) of interval/profile probes into nanoseconds or a frequency.
enum Rate {
  enum Value { case period(UInt64), frequency(UInt64) }

  static func parse(_ parts: [String]) -> Value? {
    var unit: String
    var count: String
    if parts.count == 2 {
      (unit, count) = (parts[0], parts[1])
    } else if parts.count == 1 {
      let s = parts[0]
      let digits = s.prefix { $0.isNumber }
      (count, unit) = (String(digits), String(s.dropFirst(digits.count)))
    } else {
      return nil
    }
    guard let n = UInt64(count), n > 0 else { return nil }
    switch unit {
    case "s": return .period(n * 1_000_000_000)
    case "ms": return .period(n * 1_000_000)
    case "us": return .period(n * 1_000)
    case "ns": return .period(n)
    case "hz": return .frequency(n)
    default: return nil
    }
  }
}

/// `interval:s:1`: fires on one CPU at a fixed rate.
final class IntervalProvider: ProbeProvider {
  let names = ["interval", "i"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let rate = Rate.parse(ap.parts) else {
      throw invalid(ap, "interval probe needs a rate, e.g. interval:s:1, interval:ms:100 or interval:hz:10")
    }
    let period: UInt64
    switch rate {
    case .period(let p): period = p
    case .frequency(let hz): period = 1_000_000_000 / hz
    }
    return [
      ProbeTarget(
        name: "interval:" + ap.parts.joined(separator: ":"), spec: .interval(periodNanoseconds: period),
        context: ProbeContext(kind: .perfEvent, provider: "interval"))
    ]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .interval(let period) = target.spec else { return nil }
    return try program.attachInterval(periodNs: period, cookie: cookie)
  }
}

/// `profile:hz:99`: samples every CPU.
final class ProfileProvider: ProbeProvider {
  let names = ["profile", "p"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let rate = Rate.parse(ap.parts) else {
      throw invalid(ap, "profile probe needs a rate, e.g. profile:hz:99 or profile:ms:10")
    }
    let spec: ProbeTarget.Spec
    switch rate {
    case .period(let p): spec = .profile(frequency: nil, periodNanoseconds: p)
    case .frequency(let hz): spec = .profile(frequency: hz, periodNanoseconds: nil)
    }
    var ctx = ProbeContext(kind: .perfEvent, provider: "profile")
    ctx.hasRegisterArguments = false
    return [ProbeTarget(name: "profile:" + ap.parts.joined(separator: ":"), spec: spec, context: ctx)]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .profile(let hz, let period) = target.spec else { return nil }
    if let hz { return try program.attachProfile(hz: hz, cookie: cookie) }
    return try program.attachProfile(periodNs: period ?? 1_000_000, cookie: cookie)
  }
}

/// `software:EVENT:COUNT` (alias `s`).
final class SoftwareProvider: ProbeProvider {
  let names = ["software", "s"]
  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let name = ap.parts.first, let e = SoftwareEvent(name: name) else {
      throw invalid(ap, "Unknown software event: \(ap.parts.first ?? "")")
    }
    var count = e.defaultCount
    if ap.parts.count > 1 {
      guard let c = UInt64(ap.parts[1]), c > 0 else {
        throw invalid(ap, "Invalid software event count: \(ap.parts[1])")
      }
      count = c
    }
    return [
      ProbeTarget(
        name: "software:" + ap.parts.joined(separator: ":"),
        spec: .software(event: e.name, config: e.rawValue, count: count),
        context: ProbeContext(kind: .perfEvent, provider: "software"))
    ]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .software(_, let config, let count) = target.spec, let event = SoftwareEvent(rawValue: config) else {
      return nil
    }
    return try program.attachSoftware(event, count: count, cookie: cookie)
  }
}
