/// Argument checks shared by the builtin function checkers: each reports at the argument's
/// range and returns nil when the argument is wrong.
struct CallCheck {
  let name: String
  let args: [Expr]
  let call: Expr
  let tc: TypeChecker

  func error(_ message: String, _ range: SourceRange) { tc.error(message, range) }

  /// Whether the argument count is in `range`; reports at the call otherwise.
  func arity(_ range: ClosedRange<Int>) -> Bool {
    guard range.contains(args.count) else {
      let want =
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
      error(
        "\(name)() requires \(want) argument\(range.upperBound == 1 ? "" : "s") (\(args.count) provided)", call.range)
      return false
    }
    return true
  }

  /// An argument of integer type; `.none` types (already reported) pass.
  func integer(_ i: Int) -> BPFType? {
    let t = tc.check(args[i])
    if t != .none, !t.isInteger {
      error("\(name)() only supports integer arguments ('\(t)' provided)", args[i].range)
      return nil
    }
    return t
  }

  /// An argument of integer or pointer type (an address).
  func address(_ i: Int) -> BPFType? {
    let t = tc.check(args[i])
    if t != .none, !t.isInteger, !tc.isPointer(t) {
      error("\(name)() expects an integer or pointer argument ('\(t)' provided)", args[i].range)
      return nil
    }
    return t
  }

  /// A string-typed argument (a literal or a runtime string).
  func string(_ i: Int) -> BPFType? {
    let t = tc.check(args[i])
    if t == .none { return t }
    guard case .string = t else {
      error("\(name)() only supports string arguments ('\(t)' provided)", args[i].range)
      return nil
    }
    return t
  }

  /// The text of a string literal argument.
  func stringLiteral(_ i: Int) -> String? {
    let t = tc.check(args[i])
    guard case .string(let s) = args[i].kind else {
      error("\(name)() expects a string literal ('\(t)' provided)", args[i].range)
      return nil
    }
    return s.text
  }

  /// The value of an integer literal argument (`-5` included), nil without a report.
  func integerLiteralValue(_ i: Int) -> Int64? {
    switch args[i].kind {
    case .integer(let v, _): return Int64(bitPattern: v)
    case .unary(.negate, let inner):
      if case .integer(let v, _) = inner.kind { return -Int64(bitPattern: v) }
    default: break
    }
    return nil
  }

  /// printf-style arguments after a literal format (system, cat): the count must match.
  func formatArguments() -> String? {
    guard args.count >= 1 else {
      error("\(name)() requires at least one argument (the format string)", call.range)
      return nil
    }
    guard let format = stringLiteral(0) else {
      for a in args.dropFirst() { tc.check(a) }
      return nil
    }
    let types = args.dropFirst().map { tc.check($0) }
    for (a, t) in zip(args.dropFirst(), types) {
      switch t {
      case .void, .aggregation, .tracepointArgs: error("\(name)() can not print a value of type '\(t)'", a.range)
      default: break
      }
    }
    let wanted = PrintfConversions.count(in: format)
    if wanted != types.count {
      error(
        "\(name): Expected \(wanted) argument\(wanted == 1 ? "" : "s") for the format string but got \(types.count)",
        call.range)
    }
    return format
  }
}
