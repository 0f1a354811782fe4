/// `watchpoint:ADDRESS:LENGTH:MODE` (alias `w`; `asyncwatchpoint` as older bpftrace spelled it):
/// a hardware breakpoint that fires when the address is read/written (`rw`), written (`w`) or
/// executed (`x`), the modes x86-64 debug registers have. With `-p`/`-c` the address is in that
/// process; without, the breakpoint is set on every CPU (a kernel address, or any task's).
final class WatchpointProvider: ProbeProvider, ProcessScopedProvider {
  let names = ["watchpoint", "w", "asyncwatchpoint"]
  var pid: Int32? = nil
  static let supportedModes = ["rw", "w", "x"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard ap.parts.count == 3 else {
      throw invalid(ap, "\(ap.provider) probe type requires 3 arguments, found \(ap.parts.count)")
    }
    guard let address = WatchpointProvider.parseAddress(ap.parts[0]) else {
      throw invalid(ap, "Invalid function/address argument: \(ap.parts[0])")
    }
    guard address != 0 else { throw invalid(ap, "watchpoint must be attached to a non-zero address") }
    guard let length = Int(ap.parts[1]) else { throw invalid(ap, "Invalid length argument: \(ap.parts[1])") }
    guard [1, 2, 4, 8].contains(length) else { throw invalid(ap, "watchpoint length must be one of (1,2,4,8)") }
    let mode = String(ap.parts[2].sorted())
    guard !mode.isEmpty, mode.allSatisfy({ "rwx".contains($0) }) else {
      throw invalid(ap, "watchpoint mode must be combination of (r,w,x)")
    }
    guard Set(mode).count == mode.count else { throw invalid(ap, "watchpoint modes may not be duplicated") }
    guard WatchpointProvider.supportedModes.contains(mode) else {
      throw invalid(
        ap,
        "invalid watchpoint mode: \(mode) (supported modes: \(WatchpointProvider.supportedModes.joined(separator: ",")))"
      )
    }
    var ctx = ProbeContext(kind: .perfEvent, provider: "watchpoint")
    ctx.isUserSpace = pid != nil
    // Named as upstream names it: the traced binary (with a process), then the decimal address.
    let target = pid.map { "/proc/\($0)/exe:" } ?? ""
    return [
      ProbeTarget(
        name: "watchpoint:\(target)\(address):\(length):\(mode)",
        spec: .watchpoint(address: address, length: length, mode: mode, pid: pid), context: ctx)
    ]
  }

  func requireKernelSupport() throws {
    if !FileIO.exists("/sys/bus/event_source/devices/breakpoint/type") {
      throw MissingKernelFeature(
        feature: "watchpoints",
        reason: "CONFIG_HAVE_HW_BREAKPOINT is off: /sys/bus/event_source/devices/breakpoint is missing")
    }
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .watchpoint(let address, let length, let mode, let pid) = target.spec else { return nil }
    return try program.attachWatchpoint(address: address, length: length, mode: mode, pid: pid, cookie: cookie)
  }

  /// `0x10000000` or `268435456`.
  static func parseAddress(_ s: String) -> UInt64? {
    if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16) }
    return UInt64(s)
  }
}
