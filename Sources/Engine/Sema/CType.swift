/// A C type from a definition written in the program, with the sizes and alignments of the
/// x86-64 System V ABI (what `cc` on this machine computes).
indirect enum CType: Equatable {
  case void
  case integer(size: Int, signed: Bool, isChar: Bool)
  case boolean
  case floating(size: Int)
  case pointer(CType)
  case array(CType, count: Int)
  /// A struct or union by Sema's name ("struct foo"); size and alignment as laid out.
  case record(name: String, size: Int, align: Int)
  case function

  var size: Int {
    switch self {
    case .void, .function: 0
    case .integer(let s, _, _), .floating(let s): s
    case .boolean: 1
    case .pointer: 8
    case .array(let e, let n): e.size * n
    case .record(_, let s, _): s
    }
  }

  var alignment: Int {
    switch self {
    case .void, .function, .boolean: 1
    case .integer(let s, _, _), .floating(let s): s
    case .pointer: 8
    case .array(let e, _): e.alignment
    case .record(_, _, let a): a
    }
  }

  /// Sema's view, as `BTFTypeLibrary` gives it for the same C type: `char[N]` reads as a string.
  var bpfType: BPFType {
    switch self {
    case .integer(let s, let signed, _): .integer(bits: s * 8, signed: signed)
    case .boolean: .boolean
    case .pointer(let p):
      switch p {
      case .void, .function, .floating: .pointer(.integer(bits: 8, signed: false), user: false)
      default: .pointer(p.bpfType, user: false)
      }
    case .array(.integer(1, _, true), let n): .string(size: n)
    case .array(let e, let n): .array(e.bpfType, count: n)
    case .record(let name, let size, _): .record(name: name, size: size)
    case .void, .floating, .function: .none
    }
  }

  /// The C base types and common typedefs a definition may use without declaring them.
  static func named(_ words: [String]) -> CType? {
    let key = words.sorted().joined(separator: " ")
    if let t = cWords[key] { return t }
    guard words.count == 1 else { return nil }
    return typedefs[words[0]]
  }

  private static let cWords: [String: CType] = {
    var m: [String: CType] = [:]
    func add(_ spellings: [String], _ t: CType) {
      for s in spellings { m[s.split(separator: " ").map(String.init).sorted().joined(separator: " ")] = t }
    }
    add(["void"], .void)
    add(["char"], .integer(size: 1, signed: true, isChar: true))
    add(["signed char"], .integer(size: 1, signed: true, isChar: false))
    add(["unsigned char"], .integer(size: 1, signed: false, isChar: false))
    add(["short", "short int", "signed short", "signed short int"], .integer(size: 2, signed: true, isChar: false))
    add(["unsigned short", "unsigned short int"], .integer(size: 2, signed: false, isChar: false))
    add(["int", "signed", "signed int"], .integer(size: 4, signed: true, isChar: false))
    add(["unsigned", "unsigned int"], .integer(size: 4, signed: false, isChar: false))
    add(
      [
        "long", "long int", "signed long", "signed long int", "long long", "long long int", "signed long long",
        "signed long long int",
      ],
      .integer(size: 8, signed: true, isChar: false))
    add(
      ["unsigned long", "unsigned long int", "unsigned long long", "unsigned long long int"],
      .integer(size: 8, signed: false, isChar: false))
    add(["_Bool", "bool"], .boolean)
    add(["float"], .floating(size: 4))
    add(["double"], .floating(size: 8))
    add(["long double"], .floating(size: 16))
    return m
  }()

  private static let typedefs: [String: CType] = {
    var m: [String: CType] = [:]
    for bits in [8, 16, 32, 64] {
      let n = bits / 8
      for name in ["int\(bits)_t", "s\(bits)", "__s\(bits)", "int\(bits)"] {
        m[name] = .integer(size: n, signed: true, isChar: false)
      }
      for name in [
        "uint\(bits)_t", "u\(bits)", "__u\(bits)", "uint\(bits)", "u_int\(bits)_t", "__be\(bits)", "__le\(bits)",
      ] {
        m[name] = .integer(size: n, signed: false, isChar: false)
      }
    }
    for name in ["ssize_t", "intptr_t", "ptrdiff_t", "off_t", "loff_t", "time_t", "long_t"] {
      m[name] = .integer(size: 8, signed: true, isChar: false)
    }
    for name in ["size_t", "uintptr_t", "uint64", "dev_t", "ino_t"] {
      m[name] = .integer(size: 8, signed: false, isChar: false)
    }
    for name in ["pid_t", "key_t"] { m[name] = .integer(size: 4, signed: true, isChar: false) }
    for name in ["uid_t", "gid_t", "mode_t"] { m[name] = .integer(size: 4, signed: false, isChar: false) }
    return m
  }()
}
