/// system() and cat() (records user space acts on) and signal() (bpf_send_signal).
extension ProgramGenerator {
  func actionCall(_ name: String, _ args: [Expr], _ e: Expr) throws -> Value {
    switch name {
    case "system", "cat":
      if name == "system", !resources.environment.unsafe {
        throw fail("system() is an unsafe function being used in safe mode", e.range)
      }
      guard case .string(let formatBytes) = args[0].kind else { throw fail("\(name)() needs a format string", e.range) }
      let format = formatBytes.text
      let values = Array(args.dropFirst())
      let payload = values.map { MapDefinition.widened($0.type) }
      let kind: EventKind =
        name == "system"
        ? .system(format: format, argumentTypes: payload) : .cat(format: format, argumentTypes: payload)
      try sendEvent(resources.events.register(kind, payload: payload, range: e.range), values, at: e.range)
      return .void
    case "signal":
      guard resources.environment.unsafe else {
        throw fail("signal() is unsafe. To use you need the --unsafe flag", e.range)
      }
      try signal(args[0])
      return .void
    default:
      throw fail("internal: \(name) is not an action", e.range)
    }
  }

  /// bpf_send_signal(sig) to the current process; a runtime number outside 1...64 sends nothing.
  private func signal(_ arg: Expr) throws {
    if case .string(let literal) = arg.kind {
      let name = literal.text
      guard let n = SignalNames.number(name) else { throw fail("Invalid string for signal: \(name)", arg.range) }
      asm.mov(.r1, n)
      asm.call(.sendSignal)
      return
    }
    let v = try emit(arg)
    if case .constant(let n) = v {
      asm.mov(.r1, Int32(truncatingIfNeeded: n))
      asm.call(.sendSignal)
      return
    }
    let skip = asm.newLabel()
    load(v, into: .r1)
    release(v)
    asm.emit(.jumpIf(.eq, .r1, .imm(0), skip))
    asm.emit(.jumpIf(.gt, .r1, .imm(64), skip))
    asm.call(.sendSignal)
    asm.bind(skip)
  }
}
