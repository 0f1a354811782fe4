/// Expands bpftrace's hygienic macros before type checking. A parameter `$a` takes a scratch
/// variable (renamed into the body), `@m` a map, and a bare `x` any expression (copied to each
/// use). Variables the body creates get names private to the expansion.
struct MacroExpander {
  let macros: [String: MacroDefinition]
  var diagnostics: [Diagnostic] = []
  private var expansions = 0
  private var stack: [String] = []

  init(_ definitions: [MacroDefinition]) {
    var m: [String: MacroDefinition] = [:]
    for d in definitions { m[d.name] = d }
    macros = m
  }

  mutating func expand(_ program: Program) {
    guard !macros.isEmpty else { return }
    for p in program.probes {
      if let pr = p.predicate { p.predicate = expand(pr) }
      expand(p.body)
    }
    let top = Block(program.topLevelStatements, range: .none)
    expand(top)
    program.topLevelStatements = top.statements
  }

  mutating func expand(_ b: Block) {
    for s in b.statements { expand(s) }
  }

  mutating func expand(_ s: Statement) {
    switch s.kind {
    case .expression(let e): s.kind = .expression(expand(e))
    case .assign(let t, let op, let v): s.kind = .assign(target: expand(t), op: op, value: expand(v))
    case .declare(let n, let t, let v): s.kind = .declare(variable: n, type: t, value: v.map { expand($0) })
    case .ifElse(let c, let a, let b):
      s.kind = .ifElse(condition: expand(c), then: a, otherwise: b)
      expand(a)
      if let b { expand(b) }
    case .whileLoop(let c, let b):
      s.kind = .whileLoop(condition: expand(c), body: b)
      expand(b)
    case .unroll(_, let b), .block(let b): expand(b)
    case .forMap(let v, let m, let b):
      s.kind = .forMap(variable: v, map: expand(m), body: b)
      expand(b)
    case .forRange(let v, let a, let c, let b):
      s.kind = .forRange(variable: v, start: expand(a), end: expand(c), body: b)
      expand(b)
    case .returnValue(let e): s.kind = .returnValue(e.map { expand($0) })
    case .breakLoop, .continueLoop: break
    }
  }

  mutating func expand(_ e: Expr) -> Expr {
    switch e.kind {
    case .call(let name, let args) where macros[name] != nil:
      return call(macros[name]!, args.map { expand($0) }, at: e)
    case .identifier(let name) where macros[name]?.parameters.isEmpty == true:
      return call(macros[name]!, [], at: e)
    default:
      ExprRewriter.mapChildren(e) { expand($0) }
      return e
    }
  }

  private mutating func call(_ m: MacroDefinition, _ args: [Expr], at e: Expr) -> Expr {
    guard args.count == m.parameters.count else {
      diagnostics.append(
        .error(
          "Macro \(m.name) takes \(m.parameters.count) argument\(m.parameters.count == 1 ? "" : "s") (\(args.count) given)",
          at: e.range))
      return e
    }
    guard !stack.contains(m.name), stack.count < 16 else {
      diagnostics.append(.error("Macro \(m.name) expands into itself", at: e.range))
      return e
    }
    expansions += 1
    var variables: [String: String] = [:]
    var maps: [String: String] = [:]
    var expressions: [String: Expr] = [:]
    for (p, a) in zip(m.parameters, args) {
      if p.hasPrefix("$") {
        guard case .variable(let v) = a.kind else {
          diagnostics.append(.error("Macro \(m.name) expects a scratch variable for \(p)", at: a.range))
          return e
        }
        variables[p] = v
      } else if p.hasPrefix("@") {
        guard case .map(let name, let keys) = a.kind, keys.isEmpty else {
          diagnostics.append(.error("Macro \(m.name) expects a map for \(p)", at: a.range))
          return e
        }
        maps[p] = name
      } else {
        expressions[p] = a
      }
    }
    let suffix = "__\(m.name)\(expansions)"
    let body = ASTCopy.block(m.body) { node in
      switch node.kind {
      case .variable(let v): node.kind = .variable(variables[v] ?? v + suffix)
      case .map(let name, let keys): if let to = maps[name] { node.kind = .map(name: to, keys: keys) }
      case .identifier(let n): if let x = expressions[n] { return ASTCopy.expr(x) { _ in nil } }
      default: break
      }
      node.range = e.range
      return nil
    }
    for s in body.statements { ASTCopy.renameDeclarations(s, suffix: suffix, except: Set(variables.values)) }
    stack.append(m.name)
    expand(body)
    stack.removeLast()
    var statements = body.statements
    var value = Expr(.integer(0, suffix: ""), range: e.range)
    if body.endsWithValue, case .expression(let last)? = statements.last?.kind {
      value = last
      statements.removeLast()
    }
    return Expr(.block(statements, value), range: e.range)
  }
}

/// Rebuilds children of an expression in place.
enum ExprRewriter {
  static func mapChildren(_ e: Expr, _ f: (Expr) -> Expr) {
    switch e.kind {
    case .map(let n, let keys): e.kind = .map(name: n, keys: keys.map(f))
    case .call(let n, let args): e.kind = .call(name: n, arguments: args.map(f))
    case .binary(let op, let a, let b): e.kind = .binary(op, f(a), f(b))
    case .unary(let op, let a): e.kind = .unary(op, f(a))
    case .increment(let a, let d, let p): e.kind = .increment(f(a), isDecrement: d, isPrefix: p)
    case .ternary(let a, let b, let c): e.kind = .ternary(f(a), f(b), f(c))
    case .cast(let t, let a): e.kind = .cast(t, f(a))
    case .field(let a, let n): e.kind = .field(f(a), n)
    case .arrow(let a, let n): e.kind = .arrow(f(a), n)
    case .index(let a, let b): e.kind = .index(f(a), f(b))
    case .tuple(let items): e.kind = .tuple(items.map(f))
    case .record(let fields): e.kind = .record(fields.map { ($0.name, f($0.value)) })
    case .block(let ss, let v): e.kind = .block(ss, f(v))
    default: break
    }
  }
}

/// Deep copies of AST pieces (macro bodies are expanded many times), with a hook that may edit
/// or replace each copied expression.
enum ASTCopy {
  static func expr(_ e: Expr, _ hook: (Expr) -> Expr?) -> Expr {
    let c = Expr(e.kind, range: e.range)
    ExprRewriter.mapChildren(c) { expr($0, hook) }
    if case .block(let ss, let v) = c.kind { c.kind = .block(ss.map { stmt($0, hook) }, v) }
    return hook(c) ?? c
  }

  static func block(_ b: Block, _ hook: (Expr) -> Expr?) -> Block {
    let c = Block(b.statements.map { stmt($0, hook) }, range: b.range)
    c.endsWithValue = b.endsWithValue
    return c
  }

  static func stmt(_ s: Statement, _ hook: (Expr) -> Expr?) -> Statement {
    let k: Statement.Kind
    switch s.kind {
    case .expression(let e): k = .expression(expr(e, hook))
    case .assign(let t, let op, let v): k = .assign(target: expr(t, hook), op: op, value: expr(v, hook))
    case .declare(let n, let t, let v): k = .declare(variable: n, type: t, value: v.map { expr($0, hook) })
    case .ifElse(let c, let a, let b):
      k = .ifElse(condition: expr(c, hook), then: block(a, hook), otherwise: b.map { block($0, hook) })
    case .whileLoop(let c, let b): k = .whileLoop(condition: expr(c, hook), body: block(b, hook))
    case .unroll(let c, let b): k = .unroll(count: expr(c, hook), body: block(b, hook))
    case .forMap(let v, let m, let b): k = .forMap(variable: v, map: expr(m, hook), body: block(b, hook))
    case .forRange(let v, let a, let c, let b):
      k = .forRange(variable: v, start: expr(a, hook), end: expr(c, hook), body: block(b, hook))
    case .returnValue(let e): k = .returnValue(e.map { expr($0, hook) })
    case .block(let b): k = .block(block(b, hook))
    case .breakLoop, .continueLoop: k = s.kind
    }
    return Statement(k, range: s.range)
  }

  /// `let $x` and `for ($x ...)` inside a macro body declare names private to the expansion.
  static func renameDeclarations(_ s: Statement, suffix: String, except: Set<String>) {
    func name(_ v: String) -> String { except.contains(v) ? v : v + suffix }
    switch s.kind {
    case .declare(let n, let t, let v): s.kind = .declare(variable: name(n), type: t, value: v)
    case .forMap(let n, let m, let b): s.kind = .forMap(variable: name(n), map: m, body: b)
    case .forRange(let n, let a, let c, let b): s.kind = .forRange(variable: name(n), start: a, end: c, body: b)
    default: break
    }
  }
}
