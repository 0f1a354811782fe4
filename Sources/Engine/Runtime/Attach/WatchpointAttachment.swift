import CBPFShim

#if canImport(Glibc)
  import Glibc
#endif

extension BPFProgram {
  /// Attaches a `.perfEvent` program to a hardware breakpoint at `address` (PERF_TYPE_BREAKPOINT).
  /// `mode` is a sorted combination of r, w, x. With `pid`, one event per thread of the process
  /// (following threads it creates later); without, one per online CPU (any task, or the kernel).
  public func attachWatchpoint(address: UInt64, length: Int, mode: String, pid: Int32?, cookie: UInt64 = 0) throws
    -> BPFAttachment
  {
    var type: UInt32 = 0
    if mode.contains("r") { type |= 1 }  // HW_BREAKPOINT_R
    if mode.contains("w") { type |= 2 }  // HW_BREAKPOINT_W
    if mode.contains("x") { type |= 4 }  // HW_BREAKPOINT_X
    // Execute breakpoints cover one instruction fetch: the kernel wants sizeof(long) there.
    let len = UInt64(mode.contains("x") ? 8 : length)
    let label = "watchpoint 0x\(String(address, radix: 16)):\(length):\(mode)"
    var places: [(tid: Int32, cpu: Int32)] = []
    if let pid {
      let tids = (FileIO.listDirectory("/proc/\(pid)/task") ?? []).compactMap { Int32($0) }.sorted()
      places = (tids.isEmpty ? [pid] : tids).map { ($0, -1) }
    } else {
      places = CPUSet.online().map { (-1, $0) }
    }
    var fds: [OwnedDescriptor] = []
    var allLinks = true
    var lastError: Int32 = 0
    for place in places {
      let fd = bpfrepl_perf_breakpoint_open(address, len, type, place.tid, place.cpu, pid == nil ? 0 : 1)
      if fd < 0 {
        // A thread may exit meanwhile; other errors (no free debug register, bad address) count.
        if fd != -ESRCH { lastError = -fd }
        continue
      }
      let what = "\(label) \(place.tid == -1 ? "cpu\(place.cpu)" : "tid \(place.tid)")"
      let (link, usesLink) = try PerfEvent.attach(
        program: self, event: OwnedDescriptor(adopting: fd), cookie: cookie, what: what)
      allLinks = allLinks && usesLink
      fds.append(link)
    }
    if fds.isEmpty || (pid == nil && lastError != 0) {
      let errno = lastError == 0 ? ESRCH : lastError
      throw BPFError(
        "perf_event_open(\(label))", errno: errno,
        detail: errno == ENOSPC ? "No more HW registers left" : nil)
    }
    return BPFAttachment(kind: .perfEvent, target: label, cookie: allLinks ? cookie : 0, usesLinks: allLinks, fds: fds)
  }
}
