/// `%list PATTERN` / `bpfrepl -l PATTERN`: probe names like `bpftrace -l`, with argument lists
/// for tracepoints when verbose (`-lv`).
public enum ProbeListing {
  static let aliases = ["t": "tracepoint", "s": "software", "rt": "rawtracepoint", "i": "interval", "p": "profile"]

  public static func names(matching pattern: String?, pid: Int32? = nil) -> [String] {
    // usdt probes live in files, not in a kernel list: `usdt:PATH:[PROVIDER:]PROBE`, or with
    // `-p PID` the files that process maps.
    if let pattern, pattern.hasPrefix("usdt:") || pattern.hasPrefix("U:") {
      let parts = pattern.split(separator: ":", omittingEmptySubsequences: false).dropFirst().map(String.init)
      return UsdtProvider.listing(parts, pid: pid)
    }
    if pattern == nil, pid != nil { return UsdtProvider.listing(["*"], pid: pid) }
    var pattern = pattern ?? "*"
    if let colon = pattern.firstIndex(of: ":"), let full = aliases[String(pattern[..<colon])] {
      pattern = full + pattern[colon...]
    }
    if !Glob.hasWildcard(pattern), !pattern.contains(":") { pattern = "*\(pattern)*" }
    var all: [String] = []
    if let tps = try? Tracefs.listTracepoints() {
      all += tps.map { "tracepoint:\($0.category):\($0.name)" }
    }
    all += SoftwareEvent.allCases.map { "software:\($0.name):" }
    return all.filter { Glob.matches(pattern, $0) }.sorted()
  }

  public static func list(pattern: String?, verbose: Bool, pid: Int32? = nil) -> String {
    var out = ""
    for name in names(matching: pattern, pid: pid) {
      out += name + "\n"
      guard verbose, name.hasPrefix("tracepoint:") else { continue }
      let parts = name.split(separator: ":")
      guard parts.count == 3, let format = try? Tracefs.format(category: String(parts[1]), name: String(parts[2]))
      else { continue }
      for f in format.fields { out += "    \(f.declaration)\n" }
    }
    return out
  }
}
