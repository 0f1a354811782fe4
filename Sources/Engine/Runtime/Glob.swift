/// Shell-style wildcard matching for probe specs: `*` (any run, also empty) and `?` (one char).
/// Everything else matches itself. Works on UTF-8 bytes; linear-time with one backtrack point.
public enum Glob {
  public static func matches(_ pattern: String, _ string: String) -> Bool {
    var p = pattern
    var s = string
    return p.withUTF8 { pb in s.withUTF8 { sb in matches(pb, sb) } }
  }

  /// True when `pattern` has wildcards (so a probe spec expands to many attach points).
  public static func hasWildcard(_ pattern: String) -> Bool {
    pattern.utf8.contains(UInt8(ascii: "*")) || pattern.utf8.contains(UInt8(ascii: "?"))
  }

  static func matches(_ p: UnsafeBufferPointer<UInt8>, _ s: UnsafeBufferPointer<UInt8>) -> Bool {
    let star = UInt8(ascii: "*")
    let question = UInt8(ascii: "?")
    var pi = 0
    var si = 0
    // Position after the last '*' and where in s it started matching: the only state a
    // '*'-only glob needs to backtrack to.
    var starP = -1
    var starS = 0
    while si < s.count {
      if pi < p.count && (p[pi] == question || (p[pi] != star && p[pi] == s[si])) {
        pi += 1
        si += 1
      } else if pi < p.count && p[pi] == star {
        starP = pi + 1
        starS = si
        pi += 1
      } else if starP >= 0 {
        starS += 1
        si = starS
        pi = starP
      } else {
        return false
      }
    }
    while pi < p.count && p[pi] == star { pi += 1 }
    return pi == p.count
  }
}
