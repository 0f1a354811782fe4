/// Standard-library helpers answered while type checking, each replaced by a literal: the type
/// predicates (is_str, is_integer...), default_str_length, kfunc_exist/kfunc_allowed, probetype,
/// and has_cpid (a comparison).
enum CompileTimeFunctions {
  static let names: Set<String> = [
    "is_str", "is_integer", "is_unsigned_integer", "is_ptr", "is_array", "is_literal", "default_str_length",
    "kfunc_exist", "kfunc_allowed",
  ]

  /// The literal (or simpler expression) `e` stands for, or nil when it is not one of these.
  static func evaluate(_ e: Expr, in tc: TypeChecker) -> Expr.Kind? {
    var bare: String? = nil
    if case .identifier(let n) = e.kind { bare = n }
    if case .call(let n, let args) = e.kind, args.isEmpty { bare = n }
    switch bare {
    case "probetype": return .string(ByteString(probeType(tc.context)))
    case "has_cpid":
      return .binary(
        .notEqual, Expr(.identifier("cpid"), range: e.range), Expr(.integer(0, suffix: ""), range: e.range))
    case "default_str_length": return .integer(UInt64(tc.config.maxStringLength), suffix: "")
    default: break
    }
    switch e.kind {
    case .call("strcap", let args) where args.count == 1:
      // The capacity: a string's or array's size, a pointer's string length.
      let t = tc.check(args[0])
      switch t {
      case .string(let n), .array(_, let n): return .integer(UInt64(n), suffix: "")
      case .pointer: return .call(name: "strlen", arguments: [Expr(args[0].kind, range: args[0].range)])
      default: return nil
      }
    case .call(let name, let args) where names.contains(name) && name != "default_str_length":
      let c = CallCheck(name: name, args: args, call: e, tc: tc)
      // A wrong call stays a call (reported on every pass; FunctionChecker types it quietly).
      guard c.arity(1...1) else { return nil }
      if name.hasPrefix("kfunc_") {
        guard let fn = c.stringLiteral(0) else { return nil }
        let exists = tc.types?.kernelFunctionID(named: fn) != nil
        // kfuncs are callable from BTF-typed (fentry/fexit, iter) programs.
        return .boolean(exists && (name == "kfunc_exist" || tc.context.kind == .tracing))
      }
      let t = tc.check(args[0])
      switch name {
      case "is_str": if case .string = t { return .boolean(true) }
      case "is_integer": return .boolean(t.isInteger)
      case "is_unsigned_integer": return .boolean(t.isInteger && !t.isSigned)
      case "is_ptr": return .boolean(tc.isPointer(t))
      case "is_array": if case .array = t { return .boolean(true) }
      default:
        switch args[0].kind {
        case .integer, .string, .boolean: return .boolean(true)
        case .unary(.negate, let inner): if case .integer = inner.kind { return .boolean(true) }
        default: break
        }
      }
      return .boolean(false)
    default:
      return nil
    }
  }

  /// The truth of a condition made of literals (and the comparisons, `!`, `&&`, `||` of them); nil
  /// when it depends on run time.
  static func constantTruth(_ e: Expr) -> Bool? {
    constantValue(e).map { $0 != 0 }
  }

  private static func constantValue(_ e: Expr) -> Int64? {
    switch e.kind {
    case .boolean(let b): return b ? 1 : 0
    case .integer(let v, _): return Int64(bitPattern: v)
    case .unary(.negate, let x): return constantValue(x).map { 0 &- $0 }
    case .unary(.logicalNot, let x): return constantValue(x).map { $0 == 0 ? 1 : 0 }
    case .binary(let op, let a, let b):
      guard let x = constantValue(a), let y = constantValue(b) else { return nil }
      switch op {
      case .equal: return x == y ? 1 : 0
      case .notEqual: return x != y ? 1 : 0
      case .less: return x < y ? 1 : 0
      case .lessEqual: return x <= y ? 1 : 0
      case .greater: return x > y ? 1 : 0
      case .greaterEqual: return x >= y ? 1 : 0
      case .logicalAnd: return x != 0 && y != 0 ? 1 : 0
      case .logicalOr: return x != 0 || y != 0 ? 1 : 0
      case .add: return x &+ y
      case .sub: return x &- y
      case .mul: return x &* y
      default: return nil
      }
    default: return nil
    }
  }

  /// A fail() message: each conversion (`%d`, `%s`, `%-5x`...) replaced by the next literal's text.
  static func format(_ format: String, _ values: [String]) -> String {
    var out = ""
    var rest = values[...]
    var chars = format.makeIterator()
    while let ch = chars.next() {
      guard ch == "%" else {
        out.append(ch)
        continue
      }
      while let d = chars.next() {
        if d == "%" {
          out.append("%")
          break
        }
        if d.isLetter, !"hljztL".contains(d) {
          out += rest.popFirst() ?? ""
          break
        }
      }
    }
    return out
  }

  /// Upstream's probe type names: the provider, lower case (`begin`, `tracepoint`, `uprobe`...).
  static func probeType(_ ctx: ProbeContext) -> String {
    ctx.provider.lowercased()
  }
}
