/// One BPF program ready to load: the code of one probe block for one argument layout, and the
/// targets it attaches to.
public struct CompiledProgram: Sendable {
  /// Index of the probe block in the program (-1 for a cell's top-level statements).
  public var probeIndex: Int
  public var targets: [ProbeTarget]
  public var instructions: [Instruction]
  public var kind: ProbeContext.ProgramKind
  /// A name for the kernel (15 characters at most are kept).
  public var name: String
  public var range: SourceRange
  /// The probe block's gate, which must be opened (set to 1) before its events count.
  public var gate: UInt32?

  public var isBegin: Bool { targets.first?.spec == .begin }
  public var isEnd: Bool { targets.first?.spec == .end }
}

public struct CompileResult: Sendable {
  public var programs: [CompiledProgram]
  /// Bare top-level statements (sessions run them once, immediately), as one program.
  public var immediate: CompiledProgram?
  /// Maps this compile defined that were not known before.
  public var newMaps: [MapDefinition]
  /// Warnings (errors are thrown).
  public var warnings: [Diagnostic]
  /// The program's config block, with environment overrides.
  public var config: ProgramConfig
}

public enum Compiler {
  /// Type-checks and generates code for every probe of `program`. On error throws a DiagnosticList
  /// and leaves `resources.maps` exactly as it was.
  public static func compile(
    _ program: Program, resources: CompileResources, resolver: ProbeResolver, positionalParameters: [String] = []
  ) throws -> CompileResult {
    let programTypes = resources.programTypes()
    programTypes.begin()
    do {
      let result = try compileUnchecked(program, resources, resolver, positionalParameters)
      resources.maps.commit()
      programTypes.commit()
      return result
    } catch {
      resources.maps.rollback()
      programTypes.rollback()
      throw error
    }
  }

  private static func compileUnchecked(
    _ program: Program, _ resources: CompileResources, _ resolver: ProbeResolver, _ positional: [String]
  ) throws -> CompileResult {
    var diagnostics: [Diagnostic] = []
    // `--name=value` words are program options (getopt), the rest positional parameters.
    let (positional, named) = ProgramOptions.split(positional)
    Positional.substitute(program, positional)
    diagnostics = AttachPointParameters.expand(program, positional)
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
    let optionErrors = ProgramOptions.substitute(program, named)
    if !optionErrors.isEmpty { throw DiagnosticList(optionErrors) }
    var macros = MacroExpander(program.macros)
    macros.expand(program)
    if !macros.diagnostics.isEmpty { throw DiagnosticList(macros.diagnostics) }
    let programTypes = resources.programTypes()
    diagnostics = CDefinitionPass.load(program, into: programTypes)
    if diagnostics.isEmpty { diagnostics = CDefinitionPass.substitute(program, library: programTypes) }
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
    var config = ProgramConfig()
    config.apply(program.config, diagnostics: &diagnostics)
    var declarations: [String: MapDeclaration] = [:]
    for d in program.mapDeclarations {
      let kinds = ["hash", "lruhash", "percpuhash", "percpulruhash"]
      if !kinds.contains(d.kind) {
        diagnostics.append(
          .error("Invalid map type \(d.kind): use one of \(kinds.joined(separator: ", "))", at: d.range))
      } else if d.maxEntries < 1 {
        diagnostics.append(.error("A map needs at least one entry", at: d.range))
      } else {
        declarations[d.name] = d
      }
    }
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
    func configure(_ tc: TypeChecker) {
      tc.types = resources.types
      tc.config = config
      tc.declarations = declarations
    }

    // Expand attach points and group targets by argument layout: one program per group.
    struct Group {
      var probeIndex: Int
      var probe: Probe
      var targets: [ProbeTarget]
    }
    var groups: [Group] = []
    for (i, probe) in program.probes.enumerated() {
      var byLayout: [String: Int] = [:]
      var local: [Group] = []
      for ap in probe.attachPoints {
        do {
          for t in try resolver.expand(ap) {
            let key = t.context.layoutKey
            if let g = byLayout[key] {
              if !local[g].targets.contains(t) { local[g].targets.append(t) }
            } else {
              byLayout[key] = local.count
              local.append(Group(probeIndex: i, probe: probe, targets: [t]))
            }
          }
        } catch let d as Diagnostic {
          diagnostics.append(d)
        }
      }
      groups += local
    }
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }

    let immediateContext = ProbeContext(kind: .rawTracepoint, provider: "BEGIN")
    func check(finalPass: Bool) -> [Diagnostic] {
      var found: [Diagnostic] = []
      for g in groups {
        let tc = TypeChecker(
          maps: resources.maps, context: g.targets[0].context, positionalParameters: positional, finalPass: finalPass)
        configure(tc)
        if let p = g.probe.predicate { tc.check(p) }
        tc.check(g.probe.body)
        found += tc.diagnostics
      }
      if !program.topLevelStatements.isEmpty {
        let tc = TypeChecker(
          maps: resources.maps, context: immediateContext, positionalParameters: positional, finalPass: finalPass)
        configure(tc)
        tc.check(Block(program.topLevelStatements, range: .none))
        found += tc.diagnostics
      }
      return found
    }
    // Maps may be used before (in source order) the probe that defines them: a first pass types
    // every map it can, the second reports what is still wrong.
    _ = check(finalPass: false)
    diagnostics = uniqued(check(finalPass: true))
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }

    var programs: [CompiledProgram] = []
    var gates: [Int: UInt32] = [:]
    for g in groups {
      // Re-check in this group's context so `Expr.type` matches the code generated next.
      let tc = TypeChecker(
        maps: resources.maps, context: g.targets[0].context, positionalParameters: positional, finalPass: true)
      configure(tc)
      if let p = g.probe.predicate { tc.check(p) }
      tc.check(g.probe.body)
      let ids = g.targets.map { resources.probeNames.id(for: $0.name) }
      let canReadCookie = g.targets[0].context.kind != .rawTracepoint
      let staticID: UInt64? = ids.count == 1 || !canReadCookie ? ids[0] : nil
      let gen = ProgramGenerator(context: g.targets[0].context, resources: resources, staticProbeID: staticID)
      gen.timestampMap = config.timestampMap
      let special = g.targets[0].spec == .begin || g.targets[0].spec == .end
      if !special {
        if gates[g.probeIndex] == nil { gates[g.probeIndex] = resources.newGate() }
        gen.gate = gates[g.probeIndex]
      }
      do {
        let code = try generateWithScratchIfNeeded(gen) {
          try $0.generate(predicate: g.probe.predicate, body: g.probe.body)
        }
        programs.append(
          CompiledProgram(
            probeIndex: g.probeIndex, targets: g.targets, instructions: code, kind: g.targets[0].context.kind,
            name: programName(g.targets[0]), range: g.probe.range, gate: gen.gate))
      } catch let f as ProgramGenerator.Failure {
        diagnostics.append(f.diagnostic)
      }
    }
    var immediate: CompiledProgram? = nil
    if !program.topLevelStatements.isEmpty {
      let block = Block(program.topLevelStatements, range: program.topLevelStatements.first!.range)
      let tc = TypeChecker(
        maps: resources.maps, context: immediateContext, positionalParameters: positional, finalPass: true)
      configure(tc)
      tc.check(block)
      let target = ProbeTarget(name: "BEGIN", spec: .begin, context: immediateContext)
      let gen = ProgramGenerator(
        context: immediateContext, resources: resources, staticProbeID: resources.probeNames.id(for: "BEGIN"))
      gen.timestampMap = config.timestampMap
      do {
        let code = try generateWithScratchIfNeeded(gen) { try $0.generate(predicate: nil, body: block) }
        immediate = CompiledProgram(
          probeIndex: -1, targets: [target], instructions: code, kind: .rawTracepoint, name: "immediate",
          range: block.range)
      } catch let f as ProgramGenerator.Failure {
        diagnostics.append(f.diagnostic)
      }
    }
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
    let newMaps = resources.maps.pending.sorted().compactMap { resources.maps[$0] }
    return CompileResult(
      programs: programs, immediate: immediate, newMaps: newMaps, warnings: UnreachableStatements.warnings(in: program),
      config: config)
  }

  /// Generates with the BPF stack, and once more with a per-CPU scratch frame if that ran out.
  private static func generateWithScratchIfNeeded(
    _ gen: ProgramGenerator, _ generate: (ProgramGenerator) throws -> [Instruction]
  ) throws -> [Instruction] {
    do {
      return try generate(gen)
    } catch let f as ProgramGenerator.Failure where gen.outgrewStack {
      _ = f
      let again = ProgramGenerator(context: gen.context, resources: gen.resources, staticProbeID: gen.staticProbeID)
      again.gate = gen.gate
      again.timestampMap = gen.timestampMap
      again.scratchFrame = true
      return try generate(again)
    }
  }

  private static func uniqued(_ ds: [Diagnostic]) -> [Diagnostic] {
    var seen: [Diagnostic] = []
    for d in ds where !seen.contains(d) { seen.append(d) }
    return seen
  }

  /// Kernel program names: [A-Za-z0-9_], at most 15 characters.
  static func programName(_ t: ProbeTarget) -> String {
    let raw = t.name.split(separator: ":").last.map(String.init) ?? t.name
    let cleaned = String(raw.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    return String(cleaned.prefix(15))
  }
}

/// `$1`, `$2`... and `$#` become literals before type checking, as in bpftrace.
enum Positional {
  static func substitute(_ program: Program, _ params: [String]) {
    func text(_ n: Int) -> String { n >= 1 && n <= params.count ? params[n - 1] : "" }
    ProgramWalk.expressions(program) { e in
      switch e.kind {
      // str($1) is the parameter's text even when it is a number, and a literal (kaddr(str($1)));
      // str($1 + n) skips n characters.
      case .call("str", let args) where !args.isEmpty:
        if case .positional(let n) = args[0].kind {
          if args.count == 1 {
            e.kind = .string(ByteString(text(n)))
          } else {
            args[0].kind = .string(ByteString(text(n)))
          }
        } else if args.count == 1, case .binary(.add, let p, let k) = args[0].kind, case .positional(let n) = p.kind,
          case .integer(let skip, _) = k.kind
        {
          e.kind = .string(ByteString(String(text(n).utf8.dropFirst(Int(min(skip, 4096)))) ?? ""))
        }
      case .positional(let n):
        let value = text(n)
        if let i = ProgramOptions.integerLiteral(value) {
          e.kind = i
        } else if value.isEmpty, n > params.count {
          e.kind = .integer(0, suffix: "")
        } else {
          e.kind = .string(ByteString(value))
        }
      case .positionalCount:
        e.kind = .integer(UInt64(params.count), suffix: "")
      default:
        break
      }
    }
  }

  /// A parameter read as bpftrace reads integers: `-12`, `0x1f`, `0b101`, `0755` (octal), `1_000`,
  /// up to 2^64-1.
  static func integer(_ text: String) -> UInt64? {
    let negative = text.hasPrefix("-")
    let (digits, radix) = IntegerText.split(negative ? String(text.dropFirst()) : text)
    guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      return UInt64(bitPattern: 0 &- Int64(bitPattern: magnitude))
    }
    return magnitude
  }
}

/// Visits every expression of a program (predicates, bodies, top-level statements), parents
/// before their children.
enum ProgramWalk {
  static func expressions(_ program: Program, _ visit: (Expr) -> Void) {
    func expr(_ e: Expr) {
      visit(e)
      ExprChildren.forEach(e, expr)
    }
    func stmt(_ s: Statement) { StatementChildren.forEach(s, expr: expr, statement: stmt) }
    for p in program.probes {
      if let pr = p.predicate { expr(pr) }
      p.body.statements.forEach(stmt)
    }
    program.topLevelStatements.forEach(stmt)
  }
}

/// Visits the direct children of a node.
enum ExprChildren {
  static func forEach(_ e: Expr, _ f: (Expr) -> Void) {
    switch e.kind {
    case .map(_, let keys): keys.forEach(f)
    case .call(_, let args): args.forEach(f)
    case .binary(_, let a, let b):
      f(a)
      f(b)
    case .unary(_, let a), .increment(let a, _, _), .cast(_, let a), .field(let a, _), .arrow(let a, _): f(a)
    case .ternary(let a, let b, let c):
      f(a)
      f(b)
      f(c)
    case .index(let a, let b):
      f(a)
      f(b)
    case .tuple(let items): items.forEach(f)
    case .record(let fields): fields.forEach { f($0.value) }
    case .block(_, let v): f(v)
    default: break
    }
  }
}

enum StatementChildren {
  static func forEach(_ s: Statement, expr: (Expr) -> Void, statement: (Statement) -> Void) {
    switch s.kind {
    case .expression(let e): expr(e)
    case .assign(let t, _, let v):
      expr(t)
      expr(v)
    case .declare(_, _, let v): if let v { expr(v) }
    case .ifElse(let c, let a, let b):
      expr(c)
      a.statements.forEach(statement)
      b?.statements.forEach(statement)
    case .whileLoop(let c, let b):
      expr(c)
      b.statements.forEach(statement)
    case .unroll(let c, let b):
      expr(c)
      b.statements.forEach(statement)
    case .forMap(_, let m, let b):
      expr(m)
      b.statements.forEach(statement)
    case .forRange(_, let a, let c, let b):
      expr(a)
      expr(c)
      b.statements.forEach(statement)
    case .returnValue(let e): if let e { expr(e) }
    case .block(let b): b.statements.forEach(statement)
    case .breakLoop, .continueLoop: break
    }
  }
}
