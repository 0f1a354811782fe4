/// bpftrace's printf: a format parsed once into segments, then applied to decoded values the way
/// C's printf would (flags, width, precision, length modifiers are accepted).
public struct PrintfFormatter: Sendable {
  enum Segment: Sendable {
    case literal(String)
    case conversion(flags: String, width: Int?, precision: Int?, letter: Character)
  }
  let segments: [Segment]

  public init(_ format: String) {
    var segs: [Segment] = []
    var lit = ""
    var chars = Array(format)
    var i = 0
    chars.append("\0")
    while i < chars.count - 1 {
      let c = chars[i]
      guard c == "%" else {
        lit.append(c)
        i += 1
        continue
      }
      if chars[i + 1] == "%" {
        lit.append("%")
        i += 2
        continue
      }
      i += 1
      var flags = ""
      while "-+ #0".contains(chars[i]) {
        flags.append(chars[i])
        i += 1
      }
      var width: Int? = nil
      while let d = chars[i].wholeNumberValue, chars[i].isASCII {
        width = (width ?? 0) * 10 + d
        i += 1
      }
      var precision: Int? = nil
      if chars[i] == "." {
        i += 1
        precision = 0
        while let d = chars[i].wholeNumberValue, chars[i].isASCII {
          precision = precision! * 10 + d
          i += 1
        }
      }
      while "hljztL".contains(chars[i]) { i += 1 }
      if !lit.isEmpty {
        segs.append(.literal(lit))
        lit = ""
      }
      segs.append(.conversion(flags: flags, width: width, precision: precision, letter: chars[i]))
      i += 1
    }
    if !lit.isEmpty { segs.append(.literal(lit)) }
    segments = segs
  }

  public func format(_ values: [OutputValue]) -> String {
    var out = ""
    var next = 0
    for s in segments {
      switch s {
      case .literal(let l): out += l
      case .conversion(let flags, let width, let precision, let letter):
        let v = next < values.count ? values[next] : .none
        next += 1
        out += pad(render(v, letter, precision, flags), width: width, flags: flags)
      }
    }
    return out
  }

  private func render(_ v: OutputValue, _ letter: Character, _ precision: Int?, _ flags: String) -> String {
    switch letter {
    case "d", "i":
      if case .unsigned(let u) = v { return String(Int64(bitPattern: u)) }
      return v.integer.map { withSign(String($0), $0 >= 0, flags) } ?? v.text
    case "u": return v.integer.map { String(UInt64(bitPattern: $0)) } ?? v.text
    case "x": return v.integer.map { (flags.contains("#") ? "0x" : "") + String(UInt64(bitPattern: $0), radix: 16) } ?? v.text
    case "X": return v.integer.map { (flags.contains("#") ? "0X" : "") + String(UInt64(bitPattern: $0), radix: 16).uppercased() } ?? v.text
    case "o": return v.integer.map { String(UInt64(bitPattern: $0), radix: 8) } ?? v.text
    case "p": return v.integer.map { "0x" + String(UInt64(bitPattern: $0), radix: 16) } ?? v.text
    case "c": return v.integer.map { String(UnicodeScalar(UInt8(truncatingIfNeeded: $0))) } ?? v.text
    case "s":
      let s = v.text
      if let p = precision { return String(s.prefix(p)) }
      return s
    default: return v.text
    }
  }

  private func withSign(_ s: String, _ nonNegative: Bool, _ flags: String) -> String {
    guard nonNegative else { return s }
    if flags.contains("+") { return "+" + s }
    if flags.contains(" ") { return " " + s }
    return s
  }

  private func pad(_ s: String, width: Int?, flags: String) -> String {
    guard let w = width, s.count < w else { return s }
    let fill = w - s.count
    if flags.contains("-") { return s + String(repeating: " ", count: fill) }
    if flags.contains("0"), let first = s.first, first == "-" || first == "+" {
      return String(first) + String(repeating: "0", count: fill) + s.dropFirst()
    }
    if flags.contains("0") { return String(repeating: "0", count: fill) + s }
    return String(repeating: " ", count: fill) + s
  }
}
