/// Named program options, `bpfrepl -e PROG -- --name=value`, which getopt() reads. Like `$1`,
/// they are known when the program is compiled: each getopt() call becomes a literal.
enum ProgramOptions {
  /// `--name` or `--name=value` words after the program, apart from the positional parameters.
  static func split(_ words: [String]) -> (positional: [String], named: [String: String?]) {
    var positional: [String] = []
    var named: [String: String?] = [:]
    for w in words {
      guard w.hasPrefix("--"), w.count > 2 else {
        positional.append(w)
        continue
      }
      let body = w.dropFirst(2)
      if let eq = body.firstIndex(of: "=") {
        named[String(body[..<eq])] = String(body[body.index(after: eq)...])
      } else {
        named[String(body)] = .some(nil)
      }
    }
    return (positional, named)
  }

  /// Replaces every getopt() call by its value; reports bad calls, bad values and options that
  /// no getopt() asks for.
  static func substitute(_ program: Program, _ named: [String: String?]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    var expected: [(name: String, description: String?)] = []
    ProgramWalk.expressions(program) { e in
      guard case .call("getopt", let args) = e.kind else { return }
      guard (1...3).contains(args.count), case .string(let nameBytes) = args[0].kind else {
        diagnostics.append(
          .error("getopt() takes an option name (a string literal), a default value and a description", at: e.range))
        return
      }
      let name = nameBytes.text
      var description: String? = nil
      if args.count == 3 {
        guard case .string(let d) = args[2].kind else {
          diagnostics.append(.error("getopt() expects a string literal description", at: args[2].range))
          return
        }
        description = d.text
      }
      if !expected.contains(where: { $0.name == name }) { expected.append((name, description)) }
      let given = named[name]
      switch value(args.count >= 2 ? args[1] : nil, given: given) {
      case .success(let kind): e.kind = kind
      case .failure(let m): diagnostics.append(.error(m.text.replacingAll("%NAME", with: name), at: e.range))
      }
    }
    // `-- --help` lists the options with their descriptions, and runs nothing.
    let help = named["help"] != nil && !expected.contains { $0.name == "help" }
    let unexpected = named.keys.filter { n in !expected.contains { $0.name == n } && !(help && n == "help") }.sorted()
    if help, diagnostics.isEmpty {
      if !unexpected.isEmpty {
        diagnostics.append(
          .error(
            "unexpected program command line options: " + unexpected.map { "--" + $0 }.joined(separator: ", "), at: nil)
        )
      }
      let list =
        expected.isEmpty
        ? "no custom program options defined."
        : "expected program options:\n"
          + expected.map { "--" + $0.name + ($0.description.map { ": " + $0 } ?? "") }.joined(separator: "\n")
      diagnostics.append(Diagnostic(.hint, list, at: nil))
      return diagnostics
    }
    if !unexpected.isEmpty, diagnostics.isEmpty {
      // Upstream's wording and separator.
      let hint =
        expected.isEmpty
        ? "HINT: no custom program options defined."
        : "HINT: expected program options: " + expected.map { "--" + $0.name }.joined(separator: ": ")
      diagnostics.append(
        .error(
          "unexpected program command line options: " + unexpected.map { "--" + $0 }.joined(separator: ", "), at: nil,
          notes: [hint]))
    }
    return diagnostics
  }

  /// The literal a getopt() call stands for: the given value parsed as the default's type, or the
  /// default (false without one).
  private static func value(_ fallback: Expr?, given: String??) -> Result<Expr.Kind, SemaMessage> {
    // `--name` alone is `true` for a boolean and has no value otherwise.
    let text = given
    guard let fallback else { return boolean(text, default: false) }
    switch fallback.kind {
    case .boolean(let b): return boolean(text, default: b)
    case .string(let s):
      guard case .some(let v) = text else { return .success(.string(s)) }
      return .success(.string(ByteString(v ?? "")))
    case .integer, .unary(.negate, _):
      guard case .some(let v) = text else { return .success(fallback.kind) }
      guard let v, let kind = integer(v) else {
        return .failure(SemaMessage("program command line option --%NAME invalid integer (value: \(v ?? ""))"))
      }
      return .success(kind)
    default:
      return .failure(SemaMessage("getopt() default value must be a boolean, integer or string literal"))
    }
  }

  private static func boolean(_ text: String??, default d: Bool) -> Result<Expr.Kind, SemaMessage> {
    guard case .some(let v) = text else { return .success(.boolean(d)) }
    guard let v else { return .success(.boolean(true)) }
    switch v.lowercased() {
    case "true", "1": return .success(.boolean(true))
    case "false", "0": return .success(.boolean(false))
    default: return .failure(SemaMessage("program command line option --%NAME invalid boolean (value: \(v))"))
    }
  }

  private static func integer(_ text: String) -> Expr.Kind? { integerLiteral(text) }

  /// An integer word as a literal, read as bpftrace reads integers (see `Positional.integer`); a
  /// negative one as a negation (so it stays signed). Also how positional parameters become numbers.
  static func integerLiteral(_ text: String) -> Expr.Kind? {
    let negative = text.hasPrefix("-")
    let value = Positional.integer(negative ? String(text.dropFirst()) : text)
    guard let value else { return nil }
    let literal = Expr.Kind.integer(value, suffix: "")
    return negative ? .unary(.negate, Expr(literal, range: .none)) : literal
  }
}
