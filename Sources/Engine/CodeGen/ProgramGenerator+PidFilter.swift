/// `-p PID` for probes that cannot be limited to a process when attached: the program returns
/// at once for other processes (upstream's PidFilterPass). Uprobes attach to the pid instead;
/// timed probes (profile, interval) and BEGIN/END are never filtered.
extension ProgramGenerator {
  var needsPidFilter: Bool {
    switch context.kind {
    case .tracepoint, .rawTracepoint, .tracing: return gate != nil
    case .kprobe: return !context.isUserSpace
    case .perfEvent: return false
    }
  }

  func emitPidFilter() {
    guard let pid = resources.environment.targetPid, needsPidFilter else { return }
    asm.call(.getCurrentPidTgid)
    asm.emit(.alu64(.rsh, .r0, .imm(32)))
    asm.emit(.jumpIf(.ne, .r0, .imm(pid), returnLabel))
  }
}
