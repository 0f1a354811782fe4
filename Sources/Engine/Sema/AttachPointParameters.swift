/// Positional parameters inside attach points (`uprobe:$1:main`, `interval:ms:$1`): as upstream,
/// an unquoted `$N` is replaced by the parameter's text ("" when not given) before the attach
/// point is split into its parts, so a parameter may even hold several parts.
enum AttachPointParameters {
  static func expand(_ program: Program, _ params: [String]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for probe in program.probes {
      for i in probe.attachPoints.indices {
        let ap = probe.attachPoints[i]
        guard ap.raw.contains("$") else { continue }
        switch expand(ap.raw, params) {
        case .success(let raw):
          let segments = Parser.splitAttachPoint(ArraySlice(Array(raw.utf8)))
          probe.attachPoints[i] = AttachPoint(
            raw: raw, provider: segments[0], parts: Array(segments.dropFirst()), range: ap.range)
        case .failure(let message):
          diagnostics.append(.error(message.text, at: ap.range))
        }
      }
    }
    return diagnostics
  }

  /// The attach point's text with each unquoted `$N` replaced.
  static func expand(_ raw: String, _ params: [String]) -> Result<String, SemaMessage> {
    var out: [UInt8] = []
    let b = Array(raw.utf8)
    var quoted = false
    var i = 0
    while i < b.count {
      let c = b[i]
      if quoted, c == UInt8(ascii: "\\"), i + 1 < b.count {
        out += b[i...i + 1]
        i += 2
        continue
      }
      if c == UInt8(ascii: "\"") { quoted.toggle() }
      guard c == UInt8(ascii: "$"), !quoted else {
        out.append(c)
        i += 1
        continue
      }
      var j = i + 1
      while j < b.count, Lexer.isDigit(b[j]), !(j == i + 1 && b[j] == UInt8(ascii: "0")) { j += 1 }
      guard j > i + 1, let n = Int(String(decoding: b[i + 1..<j], as: UTF8.self)) else {
        let next = i + 1 < b.count ? String(decoding: b[i + 1...i + 1], as: UTF8.self) : ""
        return .failure(
          SemaMessage(
            "invalid trailing character for positional param: \(next). Try quoting this entire part if this is "
              + "intentional e.g. \"$\(next)\"."))
      }
      if n >= 1, n <= params.count { out += Array(params[n - 1].utf8) }
      i = j
    }
    return .success(String(decoding: out, as: UTF8.self))
  }
}
