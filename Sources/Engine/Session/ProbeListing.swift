/// `%list PATTERN` / `bpfrepl -l PATTERN`: probe names like `bpftrace -l` (tracepoint arguments
/// with `-lv`), the probes a program would attach to, and struct/union/enum types from BTF
/// (`-l 'struct task_*'`; `-lv` prints their C definitions).
public enum ProbeListing {
  static let aliases = [
    "t": "tracepoint", "s": "software", "h": "hardware", "rt": "rawtracepoint", "i": "interval", "p": "profile",
    "it": "iter", "u": "uprobe",
  ]
  /// The probe types a wildcarded type (`*`, `*ware`) expands to, as bpftrace's kernel list has
  /// them; interval and profile are listed when named. kprobe and fentry have nothing to list here:
  /// this kernel cannot attach them.
  static let listedTypes = ["hardware", "iter", "rawtracepoint", "software", "tracepoint"]
  static let timeUnits = ["hz", "ms", "s", "us"]
  static let hardwareEvents: [(String, String?)] = [
    ("backend-stalls", nil), ("branch-instructions", "branches"), ("branch-misses", nil), ("bus-cycles", nil),
    ("cache-misses", nil), ("cache-references", nil), ("cpu-cycles", "cycles"), ("frontend-stalls", nil),
    ("instructions", nil), ("ref-cycles", nil),
  ]

  /// Full probe names the glob `pattern` matches as a whole (`tracepoint:sysc*` matches
  /// `tracepoint:syscalls:...`), for completion; nil: all.
  public static func names(matching pattern: String?) -> [String] {
    guard let pattern else { return entries(matching: "*:*").map(\.name) }
    let typePart = String(pattern.prefix { $0 != ":" })
    let type = aliases[typePart] ?? typePart
    let rest = pattern.dropFirst(typePart.count)
    let candidates = entries(matching: type + ":*:*") + entries(matching: type + ":*")
    var seen = Set<String>()
    return candidates.map(\.name).filter { Glob.matches(type + rest, $0) && seen.insert($0).inserted }
  }

  public static func list(pattern: String?, verbose: Bool, pid: Int32? = nil) -> String {
    // usdt probes live in files, not in a kernel list: `usdt:PATH:[PROVIDER:]PROBE`, or with
    // `-p PID` the files that process maps.
    if let pattern, pattern.hasPrefix("usdt:") || pattern.hasPrefix("U:") {
      let parts = pattern.split(separator: ":", omittingEmptySubsequences: false).dropFirst().map(String.init)
      return UsdtProvider.listing(parts, pid: pid).map { $0 + "\n" }.joined()
    }
    if pattern == nil, pid != nil { return UsdtProvider.listing(["*"], pid: pid).map { $0 + "\n" }.joined() }
    var out = ""
    for raw in (pattern ?? "*:*").split(separator: ",", omittingEmptySubsequences: false) {
      let search = raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      if ["struct ", "union ", "enum "].contains(where: { search.hasPrefix($0) }) {
        out += types(matching: search, verbose: verbose)
        continue
      }
      for entry in entries(matching: search) {
        out += entry.name + "\n"
        if verbose { out += entry.arguments().map { "    \($0)\n" }.joined() }
      }
    }
    return out
  }

  /// The probes a program attaches to, one per line, as `bpftrace -l FILE` lists them (timed and
  /// perf probes by type and unit, e.g. `interval:ms:`); BEGIN/END are not listed.
  public static func list(program file: SourceFile) -> Result<String, DiagnosticList> {
    let program: Program
    do { program = try ProgramParser.parse(file) } catch let d as DiagnosticList {
      return .failure(d)
    } catch {
      return .failure(DiagnosticList([.error("\(error)", at: nil)]))
    }
    let registry = ProviderRegistry()
    var out = ""
    for probe in program.probes {
      for ap in probe.attachPoints {
        guard let provider = registry.provider(named: ap.provider) else {
          return .failure(DiagnosticList([.error("Invalid probe type: \(ap.provider)", at: ap.range)]))
        }
        let type = provider.canonicalName
        switch type {
        case "BEGIN", "END": continue
        case "interval", "profile", "software", "hardware":
          out += "\(type):\(ap.parts.first ?? ""):\n"
        default:
          do {
            for name in try registry.expand(ap).map(\.name).sorted() { out += name + "\n" }
          } catch let d as Diagnostic {
            return .failure(DiagnosticList([d]))
          } catch {
            return .failure(DiagnosticList([.error("\(error)", at: ap.range)]))
          }
        }
      }
    }
    return .success(out)
  }

  struct Entry {
    var name: String
    var arguments: () -> [String] = { [] }
  }

  static func entries(matching pattern: String) -> [Entry] {
    var pattern = pattern.isEmpty ? "*:*" : pattern
    if !pattern.contains(":") { pattern = "*:" + pattern }
    let colon = pattern.firstIndex(of: ":")!
    var typePattern = String(pattern[..<colon])
    let suffix = String(pattern[pattern.index(after: colon)...])
    typePattern = aliases[typePattern] ?? typePattern
    let types =
      Glob.hasWildcard(typePattern)
      ? listedTypes.filter { Glob.matches(typePattern, $0) } : [typePattern.isEmpty ? "*" : typePattern]
    let hasTarget = suffix.contains(":")
    var out: [Entry] = []
    for type in types {
      // Types whose names have a category (tracepoint CAT:EVENT, rawtracepoint MODULE:EVENT) match
      // a one-part search against the event.
      let twoPart = hasTarget ? suffix : "*:" + (suffix.isEmpty ? "*" : suffix)
      let onePart = suffix.isEmpty ? "*" : suffix
      switch type {
      case "tracepoint":
        let tps = (try? Tracefs.listTracepoints()) ?? []
        for tp in tps.map({ "\($0.category):\($0.name)" }).sorted() where Glob.matches(twoPart, tp) {
          let parts = tp.split(separator: ":").map(String.init)
          out.append(
            Entry(name: "tracepoint:" + tp) {
              ((try? Tracefs.format(category: parts[0], name: parts[1]))?.fields ?? []).map(\.declaration)
            })
        }
      case "rawtracepoint":
        let names = (try? BTFTypes.vmlinux())?.rawTracepointNames() ?? []
        for n in names where Glob.matches(twoPart, "vmlinux:" + n) {
          out.append(
            Entry(name: "rawtracepoint:vmlinux:" + n) { (try? BTFTypes.vmlinux())?.rawTracepointArguments(n) ?? [] })
        }
      case "iter":
        for k in ((try? BTFTypes.vmlinux())?.iteratorKinds() ?? []).sorted() where Glob.matches(onePart, k) {
          out.append(Entry(name: "iter:" + k))
        }
      case "software":
        let names = SoftwareEvent.allCases.flatMap { [$0.name] + $0.aliases }.map { $0 + ":" }.sorted()
        out += names.filter { Glob.matches(onePart, $0) }.map { Entry(name: "software:" + $0) }
      case "hardware":
        let names = hardwareEvents.flatMap { [$0.0] + ($0.1.map { [$0] } ?? []) }.map { $0 + ":" }.sorted()
        out += names.filter { Glob.matches(onePart, $0) }.map { Entry(name: "hardware:" + $0) }
      case "interval", "profile":
        out += timeUnits.map { $0 + ":" }.filter { Glob.matches(onePart, $0) }.map { Entry(name: "\(type):" + $0) }
      default:
        // uprobe:/bin/bash:read* and other explicit types: the provider's own expansion.
        let parts = suffix.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let ap = AttachPoint(raw: "\(type):\(suffix)", provider: type, parts: parts, range: .none)
        // A name still holding a wildcard was not expanded (kprobes, which this kernel lacks).
        let names = ((try? ProviderRegistry().expand(ap)) ?? []).map(\.name).filter { !Glob.hasWildcard($0) }
        out += Set(names).sorted().map { Entry(name: $0) }
      }
    }
    return out
  }

  /// `-l 'struct task_*'`: type names; verbose, their definitions ("vmlinux: struct NAME {...};").
  static func types(matching pattern: String, verbose: Bool) -> String {
    guard let btf = try? BTFTypes.vmlinux() else { return "" }
    var seen = Set<String>()
    var out = ""
    for entry in btf.namedTypes().sorted(by: { $0.name < $1.name })
    where Glob.matches(pattern, entry.name) && seen.insert(entry.name).inserted {
      if verbose {
        guard let text = btf.definition(id: entry.id, name: entry.name) else { continue }
        out += "vmlinux: " + text + "\n"
      } else {
        out += entry.name + "\n"
      }
    }
    return out
  }
}
