/// Types of the builtin identifiers (`pid`, `comm`, `args`...), which depend on the probe's context.
enum Builtins {

  static func type(of name: String, in ctx: ProbeContext) -> Result<BPFType, SemaMessage> {
    switch name {
    case "pid", "tid", "uid", "gid", "cpu", "numaid", "rand", "cpid": return .success(.uint32)
    case "nsecs", "elapsed", "cgroup", "jiffies", "curtask", "ncpus": return .success(.uint64)
    case "comm": return .success(.string(size: 16))
    case "probe": return .success(.symbol(.probe))
    case "username": return .success(.symbol(.username))
    case "func":
      guard ctx.hasRegisterArguments || ctx.kind == .tracing else {
        return .failure(SemaMessage("The func builtin can not be used with '\(ctx.provider)' probes"))
      }
      return .success(.symbol(ctx.isUserSpace ? .usym : .ksym))
    case "kstack", "ustack": return .success(.stack(user: name == "ustack", mode: "bpftrace", depth: 127))
    case "retval":
      guard ctx.isReturnProbe else {
        return .failure(
          SemaMessage("The retval builtin can only be used with 'kretprobe', 'uretprobe' and 'fexit' probes"))
      }
      return .success(.int64)
    case "args":
      guard ctx.kind == .tracepoint, ctx.tracepointFields != nil else {
        return .failure(
          SemaMessage(
            "The args builtin can only be used with tracepoint, fentry and uprobe probes (\(ctx.provider) used here)"))
      }
      return .success(.tracepointArgs(category: "", event: ""))
    default:
      if name.hasPrefix("arg"), let n = Int(name.dropFirst(3)), n >= 0, let usdt = ctx.usdtArguments {
        return usdtArgumentType(n, usdt)
      }
      if name.hasPrefix("arg"), let n = Int(name.dropFirst(3)), n >= 0 {
        guard ctx.hasRegisterArguments, !ctx.isReturnProbe else {
          return .failure(
            SemaMessage("The \(name) builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes"))
        }
        guard n < 6 else {
          return .failure(SemaMessage("\(name) is out of range: only arg0 to arg5 are passed in registers"))
        }
        return .success(.uint64)
      }
      return .failure(SemaMessage("Unknown identifier: '\(name)'"))
    }
  }
}

extension Builtins {
  /// usdt `argN` is an int64 (upstream reads it with libbpf's bpf_usdt_arg into a long), sign- or
  /// zero-extended from the operand's size; a location with fewer arguments reads 0.
  static func usdtArgumentType(_ n: Int, _ usdt: UsdtArgumentSets) -> Result<BPFType, SemaMessage> {
    guard n < UsdtArgumentSets.maxArguments else {
      return .failure(SemaMessage("arg\(n) is out of range: usdt probes have at most 12 arguments (arg0 to arg11)"))
    }
    if let reason = usdt.problem(withArgument: n) { return .failure(SemaMessage(reason)) }
    return .success(.int64)
  }
}

/// A Sema error message without a location yet (the caller knows the range).
struct SemaMessage: Error {
  var text: String
  init(_ text: String) { self.text = text }
}
