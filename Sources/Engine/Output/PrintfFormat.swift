/// A parsed `printf` / `system` / `cat` / `errorf` / `warnf` format string (upstream `FormatString`).
///
/// Parsing never fails: a `%` that does not start a valid conversion stays literal text, as in
/// upstream (which matches conversions with a regular expression). Problems are found by
/// `check(_:)` at compile time, and formatting then follows upstream's iostream-based rules,
/// which differ from C's printf in places:
///  - precision is ignored (`%.3s` does not truncate, `%.5d` does not pad);
///  - `%d`/`%i` without a length modifier read the value as a 32-bit int (`%ld`/`%lld` for 64 bits),
///    `%u %x %X %o` as a 32-bit unsigned; `hh`/`h` narrow to 8/16 bits; `l ll j z t` are 64 bits;
///  - `0` pads on the left of the sign and of `0x` (`%05d` of -5 is `000-5`), and with `-` it pads
///    on the right with zeros (`%-05d` of -5 is `-5000`);
///  - `%+` adds `+` to signed conversions only; `%#x` adds `0x` (not for 0), `%#o` a leading `0`;
///  - `%p` prints `0x` and lowercase hex (`0` for null), ignoring length modifiers;
///  - `%s` prints any value's text; a width pads only the first piece of a tuple/array/record.
public struct PrintfFormat: Sendable, Equatable {
  /// The original format string.
  public let format: String
  /// The conversions, one per argument, in order (`%%` is not one).
  public let conversions: [PrintfConversion]
  /// Literal text around the conversions, `%%` already turned into `%`, stored flat:
  /// piece k is `literals[fragmentStarts[k]..<fragmentStarts[k + 1]]` (conversions.count + 1 pieces).
  let literals: [UInt8]
  let fragmentStarts: [Int]
  /// Trivially-copyable form of `conversions` for the formatting loop (no reference counting).
  let plans: [PrintfPlan]

  public init(parsing format: String) { self.init(parsing: ByteString(format)) }

  /// A format written as bytes: literal text that is not UTF-8 (`"\xff"`) is printed as written.
  public init(parsing bytes: ByteString) {
    self.format = bytes.text
    var conversions: [PrintfConversion] = []
    var literal: [UInt8] = []
    var starts: [Int] = [0]
    let s = bytes.bytes
    var i = 0
    while i < s.count {
      if s[i] == UInt8(ascii: "%"), let (conv, end) = PrintfConversion.parse(s, at: i) {
        if conv.specifier == .percent {
          literal.append(UInt8(ascii: "%"))
        } else {
          starts.append(literal.count)
          conversions.append(conv)
        }
        i = end
      } else {
        literal.append(s[i])
        i += 1
      }
    }
    starts.append(literal.count)
    self.conversions = conversions
    self.literals = literal
    self.fragmentStarts = starts
    self.plans = conversions.map(PrintfPlan.init)
  }

  /// Upstream's `FormatString::check`: argument count, then each argument against its conversion.
  public func check(_ arguments: [PrintfArgument]) throws(PrintfError) {
    if arguments.count < conversions.count {
      throw PrintfError(
        message: "not enough arguments for format string (\(arguments.count) supplied, \(conversions.count) expected)")
    }
    if arguments.count > conversions.count {
      throw PrintfError(
        message: "too many arguments for format string (\(arguments.count) supplied, \(conversions.count) expected)")
    }
    for (conv, arg) in zip(conversions, arguments) {
      let spec = conv.specifier.rawValue
      if arg.kind == .none {
        throw PrintfError(message: "unable to print none type for specifier: \(spec)")
      }
      let ok: Bool
      switch conv.specifier.expectedArgument {
      case .unsupported: throw PrintfError(message: "unsupported format specifier: \(spec)")
      case .any: ok = true
      case .integer: ok = arg.kind == .integer || arg.kind == .boolean || arg.kind == .pointer
      case .buffer: ok = arg.kind == .buffer
      }
      if !ok {
        throw PrintfError(message: "unsupported format specifier for type '\(arg.typeName)': \(spec)")
      }
    }
  }

  /// The formatted text. `args` should match `conversions` (checked at compile time); extra
  /// conversions are dropped, as upstream does.
  public func format(_ args: [OutputValue]) -> String {
    var w = ByteWriter(capacity: 64)
    write(args, into: &w)
    return w.string
  }

  /// The formatted bytes, exactly (a `%s` of a non-UTF-8 string keeps its bytes).
  public func formatBytes(_ args: [OutputValue]) -> [UInt8] {
    var w = ByteWriter(capacity: 64)
    write(args, into: &w)
    return w.bytes
  }

  /// Appends the formatted bytes to `out`: the allocation-free path for high event rates.
  public func format(_ args: [OutputValue], appendingTo out: inout [UInt8]) {
    ByteWriter.appending(to: &out) { write(args, into: &$0) }
  }

  func write(_ args: [OutputValue], into w: inout ByteWriter) {
    let n = min(args.count, plans.count)
    literals.withUnsafeBufferPointer { lit in
      plans.withUnsafeBufferPointer { plans in
        for i in 0..<n {
          w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: lit[fragmentStarts[i]..<fragmentStarts[i + 1]]))
          plans[i].write(args[i], into: &w)
        }
        let last = fragmentStarts.count - 1
        w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: lit[fragmentStarts[last - 1]..<fragmentStarts[last]]))
      }
    }
  }

  public static func == (a: PrintfFormat, b: PrintfFormat) -> Bool { a.format == b.format }
}

/// One `%...` conversion.
public struct PrintfConversion: Sendable, Equatable {
  public var leftAlign = false  // -
  public var showSign = false  // +
  public var spacePrefix = false  // ' ' (accepted, no effect upstream)
  public var alternateForm = false  // #
  public var leadingZeros = false  // 0
  /// Field width; 0 when absent or `*` (upstream ignores `*`, it takes no argument).
  public var width = 0
  /// Precision; nil when absent or `*`. Upstream uses it only for floating-point conversions.
  public var precision: Int?
  /// Length modifier as written: "", "hh", "h", "l", "ll", "j", "z", "t", "L", or a run of them.
  public var lengthModifier = ""
  public var specifier: PrintfSpecifier = .s

  static func castBits(_ modifier: String) -> Int {
    switch modifier {
    case "hh": 8
    case "h": 16
    case "l", "ll", "j", "z", "t": 64
    default: 32
    }
  }

  /// Matches upstream's pattern `%-?\+? ?#?0?(\*|\d+)?(\.(\*|\d+))?[hlLjzt]*<specifier>` at `start`.
  static func parse(_ s: [UInt8], at start: Int) -> (PrintfConversion, Int)? {
    var c = PrintfConversion()
    var i = start + 1
    func peek(_ k: Int = 0) -> UInt8? { i + k < s.count ? s[i + k] : nil }
    func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 48 && $0 <= 57 } ?? false }
    func digits() -> Int {
      var n = 0
      while isDigit(peek()) {
        n = n > 100_000_000 ? n : n * 10 + Int(s[i] - 48)
        i += 1
      }
      return n
    }
    if peek() == UInt8(ascii: "-") {
      c.leftAlign = true
      i += 1
    }
    if peek() == UInt8(ascii: "+") {
      c.showSign = true
      i += 1
    }
    if peek() == UInt8(ascii: " ") {
      c.spacePrefix = true
      i += 1
    }
    if peek() == UInt8(ascii: "#") {
      c.alternateForm = true
      i += 1
    }
    if peek() == UInt8(ascii: "0") {
      c.leadingZeros = true
      i += 1
    }
    if peek() == UInt8(ascii: "*") {
      i += 1
    } else if isDigit(peek()) {
      c.width = digits()
    }
    if peek() == UInt8(ascii: "."), let next = peek(1), next == UInt8(ascii: "*") || isDigit(next) {
      i += 1
      if next == UInt8(ascii: "*") { i += 1 } else { c.precision = digits() }
    }
    var length: [UInt8] = []
    while let b = peek(), "hlLjzt".utf8.contains(b) {
      length.append(b)
      i += 1
    }
    c.lengthModifier = String(decoding: length, as: UTF8.self)
    guard let b = peek() else { return nil }
    if let single = PrintfSpecifier(rawValue: String(UnicodeScalar(b))), single != .g, single != .r {
      c.specifier = single
      return (c, i + 1)
    }
    // Multi-letter specifiers, in upstream's order of preference: gr, g, rh, rx, r.
    let next = peek(1)
    switch (b, next) {
    case (UInt8(ascii: "g"), UInt8(ascii: "r")?):
      c.specifier = .gr
      return (c, i + 2)
    case (UInt8(ascii: "g"), _):
      c.specifier = .g
      return (c, i + 1)
    case (UInt8(ascii: "r"), UInt8(ascii: "h")?):
      c.specifier = .rh
      return (c, i + 2)
    case (UInt8(ascii: "r"), UInt8(ascii: "x")?):
      c.specifier = .rx
      return (c, i + 2)
    case (UInt8(ascii: "r"), _):
      c.specifier = .r
      return (c, i + 1)
    default: return nil
    }
  }
}

public enum PrintfSpecifier: String, Sendable, CaseIterable {
  case d, i, o, u, x, X, e, E, f, F, G, a, A, c, s, p, n
  case percent = "%"
  case gr, g, rh, rx, r

  /// What kind of argument upstream accepts for this conversion.
  public var expectedArgument: PrintfExpectedArgument {
    switch self {
    case .d, .i, .u, .o, .x, .X, .c, .p, .gr: .integer
    case .r, .rx, .rh: .buffer
    case .s: .any
    case .e, .E, .f, .F, .g, .G, .a, .A, .n, .percent: .unsupported
    }
  }
}

public enum PrintfExpectedArgument: Sendable, Equatable {
  /// An integer, boolean, enum or pointer.
  case integer
  /// A `buf()` value.
  case buffer
  /// Anything printable (`%s`).
  case any
  /// Upstream rejects the conversion (floating point, `%n`).
  case unsupported
}

/// An argument's type, as Sema knows it, for `PrintfFormat.check`.
public struct PrintfArgument: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// Integers, including enums.
    case integer
    case boolean
    case pointer
    case buffer
    /// `none` / `void`: cannot be printed at all.
    case none
    /// Strings, tuples, records, symbols, stacks...: only `%s` takes them.
    case other
  }
  public var kind: Kind
  /// The type as upstream's `typestr` spells it, for the message (e.g. `string[6]`, `uint64`).
  public var typeName: String
  public init(_ kind: Kind, typeName: String) {
    self.kind = kind
    self.typeName = typeName
  }
}

public struct PrintfError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
