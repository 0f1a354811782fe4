import Glibc

/// String and byte functions: strncmp, strcontains, strlen, buf, macaddr, pton, strerror,
/// signal_name, strftime.
extension FunctionChecker {
  static func checkStringFunction(_ c: CallCheck) -> BPFType {
    switch c.name {
    case "strncmp":
      guard c.arity(3...3) else { return .uint64 }
      _ = c.string(0)
      _ = c.string(1)
      c.tc.check(c.args[2])
      guard let n = c.integerLiteralValue(2), n >= 0 else {
        c.error("Builtin strncmp requires a non-negative literal", c.args[2].range)
        return .uint64
      }
      return .uint64
    case "strcontains":
      guard c.arity(2...2) else { return .boolean }
      _ = c.string(0)
      _ = c.string(1)
      return .boolean
    case "strlen":
      guard c.arity(1...1) else { return .uint64 }
      let t = c.tc.check(c.args[0])
      switch t {
      case .none, .string, .array(.integer(8, _), _): break
      case .pointer(.integer(8, _), _):
        // Read the string first, as str() does (at most max_strlen bytes).
        let pointer = Expr(c.args[0].kind, range: c.args[0].range)
        c.args[0].kind = .call(name: "str", arguments: [pointer])
        c.tc.check(c.args[0])
      default: c.error("strlen() expects a string, a char array or a char pointer ('\(t)' provided)", c.args[0].range)
      }
      return .uint64
    case "pton":
      guard c.arity(1...1), let text = c.stringLiteral(0) else {
        return .array(.integer(bits: 8, signed: false), count: 4)
      }
      guard let bytes = InternetAddress.parse(text) else {
        c.error("pton() expects an IPv4 or IPv6 address literal ('\(text)' is neither)", c.args[0].range)
        return .array(.integer(bits: 8, signed: false), count: 4)
      }
      return .array(.integer(bits: 8, signed: false), count: bytes.count)
    case "strcap":
      // Valid calls were answered by CompileTimeFunctions.
      if c.arity(1...1) {
        c.error(
          "strcap() expects a string, a char array or a char pointer ('\(c.tc.check(c.args[0]))' provided)",
          c.args[0].range)
      }
      return .int64
    case "str_concat":
      guard c.arity(2...2), case .string(let a)? = c.string(0), case .string(let b)? = c.string(1) else {
        return .string(size: c.tc.config.maxStringLength)
      }
      return .string(size: a + b - 1)
    case "memcmp":
      guard c.arity(3...3) else { return .int64 }
      var sizes: [Int] = []
      for i in 0..<2 {
        let t = c.tc.check(c.args[i])
        switch t {
        case .none: return .int64
        case .string, .array, .tuple, .buffer, .integer, .boolean: sizes.append(t.size)
        default:
          c.error("memcmp() compares values in memory (strings, arrays, tuples, integers), not '\(t)'", c.args[i].range)
          return .int64
        }
      }
      c.tc.check(c.args[2])
      guard let n = c.integerLiteralValue(2), n >= 0 else {
        c.error("memcmp() needs a non-negative literal count", c.args[2].range)
        return .int64
      }
      if n > Int64(sizes.min() ?? 0) {
        c.error("memcmp() count \(n) is larger than the values (\(sizes.min() ?? 0) bytes)", c.args[2].range)
      }
      return .int64
    case "strstr":
      guard c.arity(2...2) else { return .int64 }
      _ = c.string(0)
      _ = c.string(1)
      return .int64
    case "syscall_name":
      if c.arity(1...1) { _ = c.integer(0) }
      return .symbol(.syscallName)
    case "signal_name":
      if c.arity(1...1) { _ = c.integer(0) }
      return .symbol(.signalName)
    case "buf":
      return checkBuf(c)
    case "macaddr":
      guard c.arity(1...1) else { return .symbol(.macaddr) }
      let t = c.tc.check(c.args[0])
      if case .string = c.args[0].kind {
        c.error("macaddr() does not support literal string arguments", c.args[0].range)
        return .symbol(.macaddr)
      }
      switch t {
      case .none, .integer, .pointer: break
      case .array, .buffer, .string:
        if t.size < 6 { c.error("macaddr() argument must be at least 6 bytes in size", c.args[0].range) }
      default:
        c.error("macaddr() only supports array or pointer arguments ('\(t)' provided)", c.args[0].range)
      }
      return .symbol(.macaddr)
    case "strerror":
      if c.arity(1...1) { _ = c.integer(0) }
      return .symbol(.strerror)
    case "strftime":
      guard c.arity(2...2) else { return .symbol(.timestamp) }
      _ = c.stringLiteral(0)
      guard c.integer(1) != nil else { return .symbol(.timestamp) }
      if let v = c.integerLiteralValue(1), v < 0 {
        c.error("strftime() does not accept negative timestamps", c.args[1].range)
      }
      return .symbol(.timestamp)
    default:
      return .none
    }
  }

  /// buf(data, length) or buf(array): `length` bytes as a length-prefixed buffer.
  private static func checkBuf(_ c: CallCheck) -> BPFType {
    let fallback = BPFType.sizedBuffer(capacity: c.tc.config.maxStringLength)
    guard c.arity(1...2) else { return fallback }
    let t = c.tc.check(c.args[0])
    switch t {
    case .none, .integer, .string, .pointer, .array, .buffer: break
    default:
      c.error("buf() expects an integer, string, or array argument ('\(t)' provided)", c.args[0].range)
      return fallback
    }
    if c.args.count == 1 {
      switch t {
      case .array, .buffer: return .sizedBuffer(capacity: min(t.size, c.tc.config.maxStringLength))
      case .none: return fallback
      default:
        c.error("buf() expects a length argument for non-array type '\(t)'", c.call.range)
        return fallback
      }
    }
    guard c.integer(1) != nil else { return fallback }
    if let n = c.integerLiteralValue(1) {
      guard n >= 0 else {
        c.error("buf() cannot use negative length (\(n))", c.args[1].range)
        return fallback
      }
      return .sizedBuffer(capacity: Int(min(n, Int64(c.tc.config.maxStringLength))))
    }
    return fallback
  }
}

/// pton()'s compile-time parse of an address literal: 4 bytes for IPv4, 16 for IPv6 (a colon
/// makes it IPv6, as upstream decides).
enum InternetAddress {
  static func parse(_ text: String) -> [UInt8]? {
    let v6 = text.contains(":")
    var bytes = [UInt8](repeating: 0, count: v6 ? 16 : 4)
    let ok = bytes.withUnsafeMutableBytes { inet_pton(v6 ? AF_INET6 : AF_INET, text, $0.baseAddress) }
    return ok == 1 ? bytes : nil
  }
}
