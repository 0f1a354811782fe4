/// Upstream standard-library functions on integers, clocks and kernel memory: nsecs(mode), bswap,
/// assert, percpu_kaddr, write_user, override, debugf, path, socket_cookie and unwatch.
extension FunctionChecker {
  /// The clocks nsecs() accepts, as upstream's TimestampMode names them.
  static let clockModes: Set<String> = ["monotonic", "boot", "tai", "sw_tai"]

  static func checkStdlibFunction(_ c: CallCheck) -> BPFType {
    switch c.name {
    case "fail":
      // A compile-time error where it is visited: not in a branch a constant condition skips.
      guard c.arity(1...64), let format = c.stringLiteral(0) else { return .void }
      var values: [String] = []
      for a in c.args.dropFirst() {
        c.tc.check(a)
        switch a.kind {
        case .string(let s): values.append(s.text)
        case .boolean(let b): values.append(b ? "true" : "false")
        default:
          guard let v = c.integerLiteralValue(values.count + 1) else {
            c.error("fail() arguments must be literals", a.range)
            return .void
          }
          values.append(String(v))
        }
      }
      if c.tc.deadBranchDepth == 0 { c.error(CompileTimeFunctions.format(format, values), c.call.range) }
      return .void
    case "static_assert":
      // Decided now: the condition must be known at compile time (literals, is_str(...), $1 ...).
      guard c.arity(2...2) else { return .void }
      c.tc.check(c.args[0])
      let message = c.stringLiteral(1)
      guard let holds = CompileTimeFunctions.constantTruth(c.args[0]) else {
        c.error("static_assert() needs a condition known at compile time", c.args[0].range)
        return .void
      }
      if !holds, let message { c.error("static_assert failed: \(message)", c.call.range) }
      return .void
    case "kptr", "uptr":
      // The same address, in the kernel's or the user's address space.
      guard c.arity(1...1), let t = c.address(0) else { return .none }
      if case .pointer(let p, _) = t { return .pointer(p, user: c.name == "uptr") }
      return t
    case "reg":
      guard c.arity(1...1), let name = c.stringLiteral(0) else { return .uint64 }
      guard c.tc.context.hasRegisterArguments else {
        c.error("reg can only be used with kprobe, uprobe and usdt probes", c.call.range)
        return .uint64
      }
      if PtRegs.offset(of: name) == nil { c.error("'\(name)' is not a valid register", c.args[0].range) }
      return .uint64
    case "comm":
      // comm(pid): another process's name, through the bpf_task_from_pid kfunc (BTF-typed programs).
      guard c.arity(0...1), !c.args.isEmpty else { return .string(size: 16) }
      guard c.integer(0) != nil else { return .string(size: 16) }
      if c.tc.context.kind != .tracing {
        c.error(
          "Syntax comm(PID) is not supported in this probe type yet. Type: \(c.tc.context.provider)", c.call.range)
      }
      return .string(size: 16)
    case "nsecs":
      guard c.arity(0...1), let mode = c.args.first else { return .uint64 }
      guard case .identifier(let name) = mode.kind, clockModes.contains(name) else {
        c.error("Invalid timestamp mode: expected one of monotonic, boot, tai, sw_tai", mode.range)
        return .uint64
      }
      mode.type = .void
      return .uint64
    case "bswap":
      guard c.arity(1...1), let t = c.integer(0) else { return .uint64 }
      // The same width, unsigned; a boolean is one byte, which swaps to itself.
      return .integer(bits: max(8, t.size * 8), signed: false)
    case "assert":
      guard c.arity(2...2) else { return .void }
      let t = c.tc.check(c.args[0])
      if t != .none, !t.isInteger, !c.tc.isPointer(t) {
        c.error("assert() expects a condition ('\(t)' provided)", c.args[0].range)
      }
      _ = c.string(1)
      return .void
    case "percpu_kaddr":
      guard c.arity(1...2) else { return .pointer(.uint64, user: false) }
      _ = c.stringLiteral(0)
      if c.args.count == 2 { _ = c.integer(1) }
      return .pointer(.uint64, user: false)
    case "write_user":
      guard c.arity(3...3) else { return .boolean }
      _ = c.address(0)
      let src = c.tc.check(c.args[1])
      switch src {
      case .none, .string, .integer, .pointer, .array, .buffer, .boolean: break
      default: c.error("write_user() can not write a value of type '\(src)'", c.args[1].range)
      }
      _ = c.integer(2)
      return .boolean
    case "override":
      if c.arity(1...1) { _ = c.integer(0) }
      if c.tc.context.provider != "kprobe" {
        c.error("override() can only be used in kprobe probes", c.call.range)
      }
      return .void
    case "debugf":
      return checkDebugf(c)
    case "path":
      // bpf_d_path is only for BTF-typed (fentry/fexit, iter) programs.
      var size = c.tc.config.maxStringLength
      guard c.arity(1...2) else { return .string(size: size) }
      _ = c.address(0)
      if c.args.count == 2 {
        guard let n = c.integerLiteralValue(1), n > 0 else {
          c.error("path() size must be a positive integer literal", c.args[1].range)
          return .string(size: size)
        }
        c.args[1].type = .int64
        size = Int(min(n, 4096))
      }
      if c.tc.context.kind != .tracing {
        c.error("The path function can only be used with 'fentry', 'fexit' and 'iter' probes", c.call.range)
      }
      return .string(size: size)
    case "socket_cookie":
      guard c.arity(1...1) else { return .uint64 }
      let t = c.tc.check(c.args[0])
      switch t {
      case .none, .pointer(.record("struct sock", _), _): break
      default: c.error("socket_cookie() expects a 'struct sock *' argument ('\(t)' provided)", c.args[0].range)
      }
      return .uint64
    case "unwatch":
      if c.arity(1...1) { _ = c.address(0) }
      return .void
    default:
      return .none
    }
  }

  /// debugf(fmt, args...): bpf_trace_printk takes at most three values.
  private static func checkDebugf(_ c: CallCheck) -> BPFType {
    guard c.formatArguments() != nil else { return .void }
    if c.args.count > 4 {
      c.error("debugf() takes at most 3 arguments after the format (\(c.args.count - 1) provided)", c.call.range)
    }
    for a in c.args.dropFirst() {
      switch a.type {
      case .none, .integer, .boolean, .pointer: break
      case .string where a.isStringLiteral: break
      default: c.error("debugf() prints integers and string literals ('\(a.type)' provided)", a.range)
      }
    }
    return .void
  }
}

extension Expr {
  var isStringLiteral: Bool {
    if case .string = kind { return true }
    return false
  }
}
