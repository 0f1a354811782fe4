import Glibc

/// The run options bpftrace takes on its command line (`--unsafe`, `-p PID`, `-c CMD`).
extension TraceSession {
  /// `--unsafe`: system() and signal() compile only with it.
  public var unsafe: Bool {
    get { resources.environment.unsafe }
    set { resources.environment.unsafe = newValue }
  }

  /// `-p PID`: uprobes, usdt probes and watchpoints attach to that process only, other probes filter on its pid.
  public var targetPid: Int32? {
    get { resources.environment.targetPid }
    set {
      resources.environment.targetPid = newValue
      for case let p as ProcessScopedProvider in registry.providers { p.pid = newValue }
    }
  }

  /// `-c CMD`: the child's pid, which programs read as `cpid`; uprobes attach to it alone, as
  /// upstream attaches them (kernel probes are not filtered).
  public func setChildPid(_ pid: Int32) throws {
    try setGlobal(at: GlobalsLayout.childPid, UInt64(UInt32(bitPattern: pid)))
    for case let p as ProcessScopedProvider in registry.providers { p.pid = pid }
  }

  /// Writes one u64 of the `.globals` value, keeping the others.
  func setGlobal(at offset: Int16, _ value: UInt64) throws {
    var bytes = (try? globals.lookup(key: [0, 0, 0, 0])) ?? []
    if bytes.count < GlobalsLayout.size { bytes += [UInt8](repeating: 0, count: GlobalsLayout.size - bytes.count) }
    withUnsafeBytes(of: value.littleEndian) { v in
      for i in 0..<8 { bytes[Int(offset) + i] = v[i] }
    }
    try globals.update(key: [0, 0, 0, 0], value: bytes)
  }
}
