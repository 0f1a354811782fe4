/// Argument and result types of the builtin functions (printf, count, hist, delete, ...).
enum FunctionChecker {
  static func check(name: String, args: [Expr], call: Expr, in tc: TypeChecker) -> BPFType {
    func arity(_ range: ClosedRange<Int>) -> Bool {
      guard range.contains(args.count) else {
        let want =
          range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
        tc.error(
          "\(name)() requires \(want) argument\(range.upperBound == 1 ? "" : "s") (\(args.count) provided)", call.range)
        return false
      }
      return true
    }
    func integerArgument(_ i: Int) -> BPFType? {
      let t = tc.check(args[i])
      if t != .none, !t.isInteger {
        tc.error("\(name)() expects an integer argument, got '\(t)'", args[i].range)
        return nil
      }
      return t
    }
    func literal(_ i: Int) -> Int64? {
      tc.check(args[i])
      switch args[i].kind {
      case .integer(let v, _): return Int64(bitPattern: v)
      case .unary(.negate, let inner):
        if case .integer(let v, _) = inner.kind { return -Int64(bitPattern: v) }
      default: break
      }
      tc.error("\(name)() expects an integer literal here", args[i].range)
      return nil
    }
    func mapArgument(_ i: Int) -> String? {
      guard case .map(let m, let keys) = args[i].kind else {
        tc.error("\(name)() expects a map argument", args[i].range)
        return nil
      }
      if !keys.isEmpty { tc.check(args[i]) }
      if tc.maps[m] == nil, tc.finalPass { tc.error("Undefined map: \(m)", args[i].range) }
      return m
    }

    switch name {
    case "printf", "errorf", "warnf":
      guard args.count >= 1 else {
        tc.error("\(name)() requires at least one argument (the format string)", call.range)
        return .void
      }
      guard case .string(let formatBytes) = args[0].kind else {
        tc.error("\(name)() expects a string literal as its first argument", args[0].range)
        return .void
      }
      let format = formatBytes.text
      args[0].type = .string(size: formatBytes.count + 1)
      let types = args.dropFirst().map { tc.check($0) }
      for (a, t) in zip(args.dropFirst(), types) {
        switch t {
        case .void, .aggregation, .tracepointArgs:
          tc.error("\(name)() can not print a value of type '\(t)'", a.range)
        default: break
        }
      }
      let wanted = PrintfConversions.count(in: format)
      if wanted != types.count {
        tc.error(
          "\(name): Expected \(wanted) argument\(wanted == 1 ? "" : "s") for the format string but got \(types.count)",
          call.range)
      }
      return .void
    case "count":
      _ = arity(0...0)
      return .aggregation(.count)
    case "sum", "min", "max", "avg", "stats":
      guard arity(1...1), let t = integerArgument(0) else { return .none }
      let s = t.isSigned
      switch name {
      case "sum": return .aggregation(.sum(signed: s))
      case "min": return .aggregation(.min(signed: s))
      case "max": return .aggregation(.max(signed: s))
      case "avg": return .aggregation(.avg(signed: s))
      default: return .aggregation(.stats(signed: s))
      }
    case "hist":
      guard arity(1...2), integerArgument(0) != nil else { return .none }
      var bits: Int64 = 0
      if args.count == 2 {
        guard let b = literal(1) else { return .none }
        guard (0...5).contains(b) else {
          tc.error("hist: bits must be between 0 and 5 (\(b) given)", args[1].range)
          return .none
        }
        bits = b
      }
      return .aggregation(.hist(bits: Int(bits)))
    case "lhist":
      guard arity(4...4), integerArgument(0) != nil, let lo = literal(1), let hi = literal(2), let step = literal(3)
      else {
        return .none
      }
      if step <= 0 {
        tc.error("lhist: step must be positive", args[3].range)
        return .none
      }
      if hi <= lo {
        tc.error("lhist: max must be greater than min", args[2].range)
        return .none
      }
      if (hi - lo) / step > 1000 {
        tc.error("lhist: too many buckets, (max - min) / step must be <= 1000", call.range)
        return .none
      }
      return .aggregation(.lhist(min: lo, max: hi, step: step))
    case "tseries":
      return checkTimeSeries(CallCheck(name: name, args: args, call: call, tc: tc))
    case "exit":
      if arity(0...1), args.count == 1 { _ = integerArgument(0) }
      return .void
    case "delete":
      guard arity(1...2) else { return .void }
      if args.count == 2 {
        if let m = mapArgument(0) { _ = m }
        tc.check(args[1])
        return .void
      }
      guard case .map(_, let keys) = args[0].kind else {
        tc.error("delete() expects a map element, e.g. delete(@m[key]), or a map and a key", args[0].range)
        return .void
      }
      if keys.isEmpty { _ = mapArgument(0) } else { tc.check(args[0]) }
      return .void
    case "clear", "zero":
      if arity(1...1) { _ = mapArgument(0) }
      return .void
    case "print":
      guard arity(1...3) else { return .void }
      if case .map(let m, let keys) = args[0].kind, keys.isEmpty {
        if tc.maps[m] == nil, tc.finalPass { tc.error("Undefined map: \(m)", args[0].range) }
        for i in args.indices.dropFirst() { _ = literal(i) }
      } else {
        let t = tc.check(args[0])
        if args.count > 1 { tc.error("print() of a value takes no other arguments", call.range) }
        switch t {
        case .void, .aggregation, .tracepointArgs:
          tc.error("print() can not print a value of type '\(t)'", args[0].range)
        default: break
        }
      }
      return .void
    case "str":
      guard arity(1...2) else { return .none }
      let t = tc.check(args[0])
      var size = tc.config.maxStringLength
      if args.count == 2 {
        if case .integer(let n, _) = args[1].kind {
          args[1].type = .int64
          size = Int(min(n, UInt64(tc.config.maxStringLength - 1))) + 1
        } else {
          _ = integerArgument(1)
        }
      }
      if case .string(let n) = t {
        // A literal length only shortens a string (to length - 1 characters).
        if args.count == 2, case .integer = args[1].kind, size < n { return .string(size: size) }
        return t
      }
      if !t.isInteger, !tc.isPointer(t), t != .none {
        tc.error("str() expects a pointer or an integer address, got '\(t)'", args[0].range)
      }
      return .string(size: size)
    case "join":
      guard arity(1...2) else { return .void }
      let t = tc.check(args[0])
      if !t.isInteger, !tc.isPointer(t), t != .none {
        tc.error("join() expects an array of string pointers, e.g. args->argv", args[0].range)
      }
      if args.count == 2 {
        guard case .string = args[1].kind else {
          tc.error("join() expects a string literal as the delimiter", args[1].range)
          return .void
        }
        tc.check(args[1])
      }
      return .void
    case "time":
      if arity(0...1), args.count == 1 {
        guard case .string = args[0].kind else {
          tc.error("time() expects a string literal format", args[0].range)
          return .void
        }
        tc.check(args[0])
      }
      return .void
    case "ntop":
      guard arity(1...2) else { return .none }
      let t = tc.check(args.last!)
      if args.count == 2, !tc.check(args[0]).isInteger {
        tc.error("ntop() expects an address family as the first argument", args[0].range)
      }
      switch t {
      case .integer(32, _), .integer(64, _), .array(_, 4), .array(_, 16), .buffer(4), .buffer(16), .string(4),
        .string(16):
        break
      case .none: break
      default:
        tc.error(
          "ntop() expects an IPv4 address (an integer or 4 bytes) or an IPv6 address (16 bytes), got '\(t)'",
          args.last!.range)
      }
      return .symbol(.inet)
    case "kstack", "ustack":
      // kstack(), kstack(perf), kstack(10), kstack(raw, 5)
      guard arity(0...2) else { return .none }
      var mode = tc.config.stackMode
      var depth = 127
      for a in args {
        switch a.kind {
        case .identifier(let m) where ["bpftrace", "perf", "raw"].contains(m):
          mode = m
          a.type = .void
        case .integer(let n, _):
          guard n >= 1, n <= 127 else {
            tc.error("\(name)() depth must be between 1 and 127", a.range)
            return .none
          }
          depth = Int(n)
          a.type = .int64
        default:
          tc.error("\(name)() takes a mode (bpftrace, perf, raw) and/or a depth (1-127)", a.range)
          return .none
        }
      }
      return .stack(user: name == "ustack", mode: mode, depth: depth)
    case "has_key":
      guard arity(2...2), mapArgument(0) != nil else { return .boolean }
      tc.check(args[1])
      return .boolean
    case "len":
      guard arity(1...1) else { return .int64 }
      if case .map = args[0].kind {
      } else {
        // len(kstack) / len(ustack): the frames a stack has (at most its limit).
        let t = tc.check(args[0])
        if case .stack = t { return .int64 }
        if t != .none { tc.error("len() expects a map, a kstack or a ustack ('\(t)' provided)", args[0].range) }
        return .int64
      }
      guard mapArgument(0) != nil else { return .int64 }
      return .int64
    case "ksym", "usym", "kaddr", "uaddr", "cgroupid", "sizeof", "offsetof":
      return checkSymbolFunction(CallCheck(name: name, args: args, call: call, tc: tc))
    case "strncmp", "strcontains", "str_concat", "memcmp", "strcap", "buf", "macaddr", "strerror", "strftime", "strlen",
      "pton", "signal_name", "strstr",
      "syscall_name":
      return checkStringFunction(CallCheck(name: name, args: args, call: call, tc: tc))
    case _ where CompileTimeFunctions.names.contains(name):
      return .boolean  // a wrong call, already reported by CompileTimeFunctions
    case "fail", "kptr", "uptr", "reg", "static_assert", "comm", "nsecs", "bswap", "assert", "percpu_kaddr", "write_user", "override", "debugf",
      "path", "socket_cookie",
      "unwatch":
      return checkStdlibFunction(CallCheck(name: name, args: args, call: call, tc: tc))
    case "system", "cat", "signal":
      return checkActionFunction(CallCheck(name: name, args: args, call: call, tc: tc))
    default:
      for a in args { tc.check(a) }
      tc.error("Unknown function: '\(name)'", call.range)
      return .none
    }
  }
}

/// Counts the value-consuming conversions of a printf format string (`%%` consumes none).
enum PrintfConversions {
  static func count(in format: String) -> Int {
    var n = 0
    var it = format.utf8.makeIterator()
    while let c = it.next() {
      guard c == UInt8(ascii: "%") else { continue }
      // Skip flags, width, precision and length modifiers up to the conversion letter.
      while let d = it.next() {
        if d == UInt8(ascii: "%") { break }
        if (d >= UInt8(ascii: "a") && d <= UInt8(ascii: "z")) || (d >= UInt8(ascii: "A") && d <= UInt8(ascii: "Z")) {
          if "hljztL".utf8.contains(d) { continue }
          n += 1
          break
        }
      }
    }
    return n
  }
}
