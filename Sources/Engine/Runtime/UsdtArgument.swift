/// One argument of a USDT probe, decoded from the x86-64 operand text the compiler wrote into
/// the probe's `.note.stapsdt` entry (`-4@%edi`, `8@$42`, `-8@16(%rbx)`, `-4@counter(%rip)`...).
public struct UsdtArgument: Sendable, Equatable, CustomStringConvertible {
  public enum Location: Sendable, Equatable {
    /// A register's value; `highByte` for %ah..%dh (bits 8-15).
    case register(ptRegsOffset: Int16, highByte: Bool)
    /// A constant.
    case immediate(Int64)
    /// User memory at `base + index * scale + offset` (index optional).
    case memory(base: Int16, index: Int16?, scale: Int, offset: Int64)
    /// User memory at a symbol of the probed file (`sym+off(%rip)`). Its run-time address is
    /// pt_regs->ip (the probe's own address) plus `fromProbe`, the link-time distance from the
    /// probe to `sym+off`, which the provider fills in from the file's symbols.
    case symbol(name: String, offset: Int64, fromProbe: Int64?)
    /// An operand bpfrepl cannot read, and why; using it is a compile error, never a wrong value.
    case undecodable(String)
  }

  /// Size in bytes (1, 2, 4 or 8).
  public var size: Int
  public var isSigned: Bool
  public var location: Location
  /// The operand as written in the note, for messages.
  public var text: String

  public var description: String { text }

  /// Why an operand could not be decoded.
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var operand: String
    public var reason: String
    public var description: String { "cannot decode USDT argument \"\(operand)\": \(reason)" }
  }

  /// The whitespace-separated arguments of a note.
  /// Every operand of a note; one that cannot be decoded becomes `.undecodable`.
  public static func parseEach(_ text: String) -> [UsdtArgument] {
    text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { token in
      switch parse(String(token)) {
      case .success(let a): return a
      case .failure(let e):
        return UsdtArgument(size: 8, isSigned: false, location: .undecodable(e.description), text: String(token))
      }
    }
  }

  public static func parseAll(_ text: String) -> Result<[UsdtArgument], ParseError> {
    var out: [UsdtArgument] = []
    for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
      switch parse(String(token)) {
      case .success(let a): out.append(a)
      case .failure(let e): return .failure(e)
      }
    }
    return .success(out)
  }

  /// One operand: `[-]SIZE@OPERAND` (a bare operand is an 8-byte value, as in old notes).
  public static func parse(_ token: String) -> Result<UsdtArgument, ParseError> {
    func failure(_ reason: String) -> Result<UsdtArgument, ParseError> {
      .failure(ParseError(operand: token, reason: reason))
    }
    var size = 8
    var signed = false
    var operand = Substring(token)
    if let at = token.firstIndex(of: "@") {
      let spec = token[..<at]
      if spec.hasSuffix("f") { return failure("floating-point arguments are not supported") }
      guard let n = Int(spec), [-8, -4, -2, -1, 1, 2, 4, 8].contains(n) else {
        return failure("size \(spec) is not one of 1, 2, 4, 8 (negative for signed)")
      }
      size = abs(n)
      signed = n < 0
      operand = token[token.index(after: at)...]
    }
    guard !operand.isEmpty else { return failure("empty operand") }
    let arg = { (loc: Location) in
      Result<UsdtArgument, ParseError>.success(
        UsdtArgument(size: size, isSigned: signed, location: loc, text: token))
    }
    if operand.first == "$" {
      guard let v = parseInteger(operand.dropFirst()) else { return failure("immediate is not a number") }
      return arg(.immediate(v))
    }
    if operand.first == "%" {
      guard let r = X86Registers.lookup(operand.dropFirst()) else {
        return failure("unknown register \(operand)")
      }
      return arg(.register(ptRegsOffset: r.offset, highByte: r.highByte))
    }
    // Memory: DISP(%base[,%index[,scale]]), DISP a number, a symbol, or symbol+/-number.
    guard operand.last == ")", let open = operand.firstIndex(of: "(") else {
      return failure("not a register, an immediate or a memory operand")
    }
    let displacement = operand[..<open]
    let inner = operand[operand.index(after: open)..<operand.index(before: operand.endIndex)]
    let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmed }
    guard let baseName = parts.first, baseName.hasPrefix("%") else { return failure("no base register") }
    if baseName == "%rip" {
      guard parts.count == 1 else { return failure("%rip can not be indexed") }
      guard let (name, offset) = parseSymbolDisplacement(displacement) else {
        return failure("a %rip-relative operand needs a symbol (a bare displacement depends on the instruction)")
      }
      return arg(.symbol(name: name, offset: offset, fromProbe: nil))
    }
    guard let base = X86Registers.lookup(baseName.dropFirst()), !base.highByte, base.bits == 64 else {
      return failure("\(baseName) is not a 64-bit base register")
    }
    let offset: Int64
    if displacement.isEmpty {
      offset = 0
    } else if let d = parseInteger(displacement) {
      offset = d
    } else {
      return failure("displacement \(displacement) is not a number")
    }
    var index: Int16? = nil
    var scale = 1
    if parts.count >= 2 {
      guard parts[1].hasPrefix("%"), let r = X86Registers.lookup(parts[1].dropFirst()), r.bits == 64 else {
        return failure("\(parts[1]) is not a 64-bit index register")
      }
      index = r.offset
      if parts.count == 3 {
        guard let s = Int(parts[2]), [1, 2, 4, 8].contains(s) else { return failure("scale must be 1, 2, 4 or 8") }
        scale = s
      } else if parts.count > 3 {
        return failure("too many address components")
      }
    }
    return arg(.memory(base: base.offset, index: index, scale: scale, offset: offset))
  }

  /// `42`, `-8`, `0x10`, `-0x10`.
  static func parseInteger<S: StringProtocol>(_ s: S) -> Int64? {
    var text = Substring(s)
    var negative = false
    if text.first == "-" {
      negative = true
      text = text.dropFirst()
    } else if text.first == "+" {
      text = text.dropFirst()
    }
    let magnitude: UInt64?
    if text.hasPrefix("0x") || text.hasPrefix("0X") {
      magnitude = UInt64(text.dropFirst(2), radix: 16)
    } else {
      magnitude = UInt64(text)
    }
    guard let m = magnitude else { return nil }
    return negative ? Int64(bitPattern: 0 &- m) : Int64(bitPattern: m)
  }

  /// `counter`, `table+16`, `table-8` (a symbol name starts with a letter, `_` or `.`).
  static func parseSymbolDisplacement(_ s: Substring) -> (String, Int64)? {
    guard let first = s.first, first.isLetter || first == "_" || first == "." else { return nil }
    if let sign = s.lastIndex(where: { $0 == "+" || $0 == "-" }), sign != s.startIndex,
      let n = parseInteger(s[sign...])
    {
      return (String(s[..<sign]), n)
    }
    return (String(s), 0)
  }
}

/// x86-64 register names (all widths) -> offsets in `struct pt_regs`.
enum X86Registers {
  struct Register {
    var offset: Int16
    var bits: Int
    var highByte: Bool
  }

  /// The 64-bit register and its pt_regs offset, then its 32/16/8-bit names.
  private static let table: [(offset: Int16, names: [String])] = [
    (80, ["rax", "eax", "ax", "al"]), (40, ["rbx", "ebx", "bx", "bl"]), (88, ["rcx", "ecx", "cx", "cl"]),
    (96, ["rdx", "edx", "dx", "dl"]), (104, ["rsi", "esi", "si", "sil"]), (112, ["rdi", "edi", "di", "dil"]),
    (32, ["rbp", "ebp", "bp", "bpl"]), (152, ["rsp", "esp", "sp", "spl"]),
    (72, ["r8", "r8d", "r8w", "r8b"]), (64, ["r9", "r9d", "r9w", "r9b"]), (56, ["r10", "r10d", "r10w", "r10b"]),
    (48, ["r11", "r11d", "r11w", "r11b"]), (24, ["r12", "r12d", "r12w", "r12b"]),
    (16, ["r13", "r13d", "r13w", "r13b"]), (8, ["r14", "r14d", "r14w", "r14b"]), (0, ["r15", "r15d", "r15w", "r15b"]),
    (128, ["rip", "eip", "ip"]),
  ]
  private static let highBytes: [String: Int16] = ["ah": 80, "bh": 40, "ch": 88, "dh": 96]

  static func lookup<S: StringProtocol>(_ name: S) -> Register? {
    let n = String(name)
    if let off = highBytes[n] { return Register(offset: off, bits: 8, highByte: true) }
    for entry in table {
      if let i = entry.names.firstIndex(of: n) {
        return Register(offset: entry.offset, bits: [64, 32, 16, 8][i], highByte: false)
      }
    }
    return nil
  }
}

/// The arguments of one usdt probe target. A probe placed at several locations (inlined, or
/// written twice) may have different operands at each; the attach cookie's upper 32 bits say
/// which `variants` entry the firing location uses.
public struct UsdtArgumentSets: Sendable, Equatable {
  public var variants: [[UsdtArgument]]

  public init(variants: [[UsdtArgument]]) {
    self.variants = variants
  }

  /// Why argument `n` cannot be read at some location, if it cannot.
  public func problem(withArgument n: Int) -> String? {
    for v in variants where n < v.count {
      if case .undecodable(let reason) = v[n].location { return reason }
    }
    return nil
  }

  var layoutKey: String {
    variants.map { v in v.map { "\($0.size)\($0.isSigned ? "s" : "u")\($0.location)" }.joined(separator: ",") }
      .joined(separator: ";")
  }

  /// Upstream (libbpf's usdt.bpf.h) reads at most 12 arguments.
  public static let maxArguments = 12
}
