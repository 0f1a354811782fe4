import Glibc

/// bpftrace's config variables, from a program's `config = { ... }` block; environment variables
/// (`BPFTRACE_MAX_MAP_KEYS`...) take precedence, as upstream documents.
public struct ProgramConfig: Sendable, Equatable {
  public var maxMapKeys = 4096
  /// String size of str() and string-typed reads. Upstream defaults to 1024; bpfrepl's default
  /// keeps the common program on the 512-byte BPF stack (larger ones get a scratch frame).
  public var maxStringLength = 64
  public var printMapsOnExit = true
  public var stackMode = "bpftrace"
  /// BPFTRACE_DUMMY_TS_MAP (upstream's test hook, environment only): the scalar map tseries()
  /// reads as the current time instead of the clock.
  public var timestampMap: String?

  public init() {}

  static let keys = ["max_map_keys", "max_strlen", "print_maps_on_exit", "stack_mode"]
  /// Accepted and ignored: they tune things bpfrepl does differently.
  static let accepted = [
    "max_cat_bytes", "max_probes", "missing_probes", "on_stack_limit", "perf_rb_pages", "str_trunc_trailer",
    "log_size", "cpp_demangle", "lazy_symbolication", "max_bpf_progs", "show_debug_info", "unstable_macro",
    "unstable_map_decl", "unstable_tseries",
  ]

  /// Applies a config block, reporting unknown keys and bad values at their source.
  mutating func apply(_ entries: [ConfigEntry], diagnostics: inout [Diagnostic]) {
    for e in entries {
      var key = e.key.lowercased()
      if key.hasPrefix("bpftrace_") { key = String(key.dropFirst(9)) }
      let value: String
      switch e.value.kind {
      case .integer(let v, _): value = String(v)
      case .identifier(let s): value = s
      case .string(let s): value = s.text
      case .boolean(let b): value = b ? "1" : "0"
      default:
        diagnostics.append(.error("Invalid value for config variable \(e.key)", at: e.value.range))
        continue
      }
      if ProgramConfig.accepted.contains(key) { continue }
      if let problem = set(key, value) { diagnostics.append(.error(problem, at: e.range)) }
    }
    for key in ProgramConfig.keys {
      if let env = getenv("BPFTRACE_" + key.uppercased()) { _ = set(key, String(cString: env)) }
    }
    if let env = getenv("BPFTRACE_DUMMY_TS_MAP"), env.pointee != 0 { timestampMap = String(cString: env) }
  }

  /// nil when set, else what is wrong.
  mutating func set(_ key: String, _ value: String) -> String? {
    switch key {
    case "max_map_keys":
      guard let n = Int(value), n > 0 else { return "max_map_keys must be a positive integer" }
      maxMapKeys = n
    case "max_strlen":
      guard let n = Int(value), n > 0 else { return "max_strlen must be a positive integer" }
      // Strings past the 512-byte stack move the program to a 32 KiB per-CPU scratch frame.
      guard n <= 4096 else { return "max_strlen \(n) is too large (at most 4096)" }
      maxStringLength = n
    case "print_maps_on_exit":
      switch value.lowercased() {
      case "1", "true", "yes": printMapsOnExit = true
      case "0", "false", "no": printMapsOnExit = false
      default: return "print_maps_on_exit must be true or false"
      }
    case "stack_mode":
      guard ["bpftrace", "perf", "raw"].contains(value) else { return "stack_mode must be bpftrace, perf or raw" }
      stackMode = value
    default:
      return "Unrecognized config variable: \(key)"
    }
    return nil
  }
}
