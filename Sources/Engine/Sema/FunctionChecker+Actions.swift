/// Functions that act outside the program: system, cat (user space) and signal (the kernel).
extension FunctionChecker {
  /// Probe types whose programs may send signals, as upstream lists them.
  static let signalProviders: Set<String> = [
    "kprobe", "kretprobe", "uprobe", "uretprobe", "usdt", "tracepoint", "profile", "fentry", "fexit", "rawtracepoint",
  ]

  static func checkActionFunction(_ c: CallCheck) -> BPFType {
    switch c.name {
    case "system", "cat":
      // `--unsafe` is checked by CodeGen, which knows the run's options.
      _ = c.formatArguments()
      return .void
    case "signal":
      guard c.arity(1...1) else { return .void }
      if !signalProviders.contains(c.tc.context.provider) {
        c.error("signal() can not be used for this probetype \(c.tc.context.provider)", c.call.range)
      }
      _ = signalNumber(c)
      return .void
    default:
      return .none
    }
  }

  /// The signal of a literal argument (a name such as "SIGUSR1" or "KILL", or 1-64); nil for a
  /// runtime integer, which the program checks itself.
  @discardableResult
  static func signalNumber(_ c: CallCheck) -> Int32? {
    let t = c.tc.check(c.args[0])
    if case .string(let literal) = c.args[0].kind {
      let name = literal.text
      guard let n = SignalNames.number(name) else {
        c.error("Invalid string for signal: \(name)", c.args[0].range)
        return nil
      }
      return n
    }
    if let v = c.integerLiteralValue(0) {
      guard (1...64).contains(v) else {
        c.error("signal() accepts a string literal or an integer between 1 and 64 (inclusive)", c.args[0].range)
        return nil
      }
      return Int32(v)
    }
    if t != .none, !t.isInteger {
      c.error("signal() accepts a string literal or an integer", c.args[0].range)
    }
    return nil
  }
}

/// Signal names upstream accepts (with or without the SIG prefix, any case).
enum SignalNames {
  static let table: [String: Int32] = [
    "SIGABRT": 6, "SIGALRM": 14, "SIGBUS": 7, "SIGCHLD": 17, "SIGCONT": 18, "SIGFPE": 8, "SIGHUP": 1, "SIGILL": 4,
    "SIGINT": 2, "SIGKILL": 9, "SIGPIPE": 13, "SIGPOLL": 29, "SIGQUIT": 3, "SIGSEGV": 11, "SIGSTOP": 19,
    "SIGSYS": 31, "SIGTERM": 15, "SIGTRAP": 5, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23,
    "SIGUSR1": 10, "SIGUSR2": 12, "SIGVTALRM": 26, "SIGWINCH": 28, "SIGXCPU": 24, "SIGXFSZ": 25,
  ]

  static func number(_ name: String) -> Int32? {
    guard !name.isEmpty else { return nil }
    var n = name.uppercased()
    if !n.hasPrefix("S") { n = "SIG" + n }
    return table[n]
  }
}
