/// The stages of a cell's program that `-d STAGE` and `%dump STAGE` can show, in pipeline order.
public enum DumpStage: String, CaseIterable, Sendable {
  /// The parsed tree.
  case ast
  /// The tree with each expression's resolved type, then the maps the cell uses.
  case types
  /// Our generated instructions, with the source of each statement above its code.
  case bpf
  /// The kernel verifier's log of each program.
  case verifier
  /// What the kernel runs: its rewritten (xlated) instructions and the JIT's machine code.
  case jit

  /// Parses `ast`, `bpf,verifier`, `all`; nil if any name is unknown.
  public static func parseList(_ text: String) -> [DumpStage]? {
    var stages: [DumpStage] = []
    for name in text.split(separator: ",") {
      if name == "all" { return allCases }
      guard let s = DumpStage(rawValue: String(name)) else { return nil }
      if !stages.contains(s) { stages.append(s) }
    }
    return stages.isEmpty ? nil : stages
  }

  public static let names = (allCases.map(\.rawValue) + ["all"]).joined(separator: ", ")

  /// Stages that need the programs loaded into the kernel.
  public var needsKernel: Bool { self == .verifier || self == .jit }

  /// Verifier log level for dumps: like bpftrace's `-d verifier`, every instruction with the
  /// register state after it (level 2) plus statistics (4); level 1 hides the states, which are
  /// what one reads the log for. Programs load without a log (fast), and a dump loads the program
  /// once more with this level. A rejected program shows the level-1 log its error was explained
  /// with: at level 2 a program that ran into the 1M-instruction limit would log hundreds of MB.
  public static let verifierLogLevel: UInt32 = 2 | 4
}
