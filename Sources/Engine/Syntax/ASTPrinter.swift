/// An indented tree of the AST, one node per line, one space of indent per level, in the spirit
/// of `bpftrace -d ast`:
///
///     Program
///      tracepoint:syscalls:sys_enter_openat
///       predicate
///        ==
///         builtin: comm
///         string: cat
///       call: printf
///        string: %s\n
///        ...
public enum ASTPrinter {
  public static func print(_ program: Program) -> String {
    var p = Printer()
    p.program(program)
    return p.out
  }

  /// The tree with `annotate(expr)` appended to each expression's line (`-d types` adds ` :: type`).
  public static func print(_ program: Program, annotate: @escaping (Expr) -> String?) -> String {
    var p = Printer()
    p.annotate = annotate
    p.program(program)
    return p.out
  }

  /// One expression as a tree (handy in tests and for `--dump`).
  public static func print(_ expr: Expr, depth: Int = 0) -> String {
    var p = Printer()
    p.expr(expr, depth)
    return p.out
  }
}

private struct Printer {
  var out = ""
  var annotate: ((Expr) -> String?)? = nil

  mutating func line(_ depth: Int, _ text: String) {
    out += String(repeating: " ", count: depth) + text + "\n"
  }

  mutating func program(_ p: Program) {
    line(0, "Program")
    for include in p.includes { line(1, include) }
    for path in p.imports { line(1, "import: \(escape(path))") }
    for entry in p.config {
      line(1, "config: \(entry.key)")
      expr(entry.value, 2)
    }
    for definition in p.cDefinitions { line(1, definition.name) }
    for decl in p.mapDeclarations { line(1, "let \(decl.name) = \(decl.kind)(\(decl.maxEntries))") }
    for macro in p.macros {
      line(1, "macro: \(macro.name)(\(macro.parameters.joined(separator: ", ")))")
      block(macro.body, 2)
    }
    for function in p.functions {
      let parameters = function.parameters.map { "\($0.name): \(typeText($0.type))" }.joined(separator: ", ")
      line(1, "fn: \(function.name)(\(parameters))" + (function.returnType.map { ": \(typeText($0))" } ?? ""))
      block(function.body, 2)
    }
    for probe in p.probes {
      line(1, probe.attachPoints.map(\.raw).joined(separator: ","))
      if let predicate = probe.predicate {
        line(2, "predicate")
        expr(predicate, 3)
      }
      block(probe.body, 2)
    }
    if !p.topLevelStatements.isEmpty {
      line(1, "top-level")
      for s in p.topLevelStatements { statement(s, 2) }
    }
  }

  mutating func block(_ b: Block, _ depth: Int) {
    for s in b.statements { statement(s, depth) }
  }

  mutating func statement(_ s: Statement, _ d: Int) {
    switch s.kind {
    case .expression(let e):
      expr(e, d)
    case .assign(let target, let op, let value):
      line(d, op?.rawValue ?? "=")
      expr(target, d + 1)
      expr(value, d + 1)
    case .declare(let variable, let type, let value):
      line(d, "let \(variable)" + (type.map { ": \(typeText($0))" } ?? ""))
      if let value { expr(value, d + 1) }
    case .ifElse(let condition, let then, let otherwise):
      line(d, "if")
      expr(condition, d + 1)
      line(d + 1, "then")
      block(then, d + 2)
      if let otherwise {
        line(d + 1, "else")
        block(otherwise, d + 2)
      }
    case .whileLoop(let condition, let body):
      line(d, "while")
      expr(condition, d + 1)
      line(d + 1, "do")
      block(body, d + 2)
    case .unroll(let count, let body):
      line(d, "unroll")
      expr(count, d + 1)
      line(d + 1, "do")
      block(body, d + 2)
    case .forMap(let variable, let map, let body):
      line(d, "for \(variable)")
      expr(map, d + 1)
      line(d + 1, "do")
      block(body, d + 2)
    case .forRange(let variable, let start, let end, let body):
      line(d, "for \(variable)")
      line(d + 1, "range")
      expr(start, d + 2)
      expr(end, d + 2)
      line(d + 1, "do")
      block(body, d + 2)
    case .breakLoop:
      line(d, "break")
    case .continueLoop:
      line(d, "continue")
    case .returnValue(let value):
      line(d, "return")
      if let value { expr(value, d + 1) }
    case .block(let b):
      line(d, "block")
      block(b, d + 1)
    }
  }

  mutating func expr(_ e: Expr, _ d: Int) {
    let mark = out.utf8.count
    node(e, d)
    // The node's own line is the first one it printed.
    if let suffix = annotate?(e),
      let nl = out.utf8[out.utf8.index(out.startIndex, offsetBy: mark)...].firstIndex(of: UInt8(ascii: "\n"))
    {
      out.insert(contentsOf: suffix, at: nl)
    }
  }

  mutating func node(_ e: Expr, _ d: Int) {
    switch e.kind {
    case .integer(let value, let suffix):
      line(d, "int: \(value)\(suffix)")
    case .string(let s):
      line(d, "string: \(escape(s.text))")
    case .boolean(let b):
      line(d, "bool: \(b)")
    case .identifier(let name):
      line(d, (SyntaxNames.isBuiltin(name) ? "builtin: " : "identifier: ") + name)
    case .variable(let name):
      line(d, "variable: \(name)")
    case .positional(let n):
      line(d, "param: $\(n)")
    case .positionalCount:
      line(d, "param: $#")
    case .map(let name, let keys):
      line(d, "map: \(name)")
      for k in keys { expr(k, d + 1) }
    case .call(let name, let arguments):
      line(d, "call: \(name)")
      for a in arguments { expr(a, d + 1) }
    case .typeName(let t):
      line(d, "type: \(typeText(t))")
    case .binary(let op, let l, let r):
      line(d, op.rawValue)
      expr(l, d + 1)
      expr(r, d + 1)
    case .unary(let op, let operand):
      line(d, "unop: \(op.rawValue)")
      expr(operand, d + 1)
    case .increment(let operand, let isDecrement, let isPrefix):
      line(d, "unop: \(isDecrement ? "--" : "++") (\(isPrefix ? "pre" : "post"))")
      expr(operand, d + 1)
    case .ternary(let c, let a, let b):
      line(d, "?:")
      expr(c, d + 1)
      expr(a, d + 1)
      expr(b, d + 1)
    case .cast(let t, let operand):
      line(d, "(\(typeText(t)))")
      expr(operand, d + 1)
    case .field(let base, let name):
      line(d, ".\(name)")
      expr(base, d + 1)
    case .arrow(let base, let name):
      line(d, "->\(name)")
      expr(base, d + 1)
    case .index(let base, let index):
      line(d, "[]")
      expr(base, d + 1)
      expr(index, d + 1)
    case .tuple(let items):
      line(d, "tuple")
      for i in items { expr(i, d + 1) }
    case .record(let fields):
      line(d, "record")
      for f in fields {
        line(d + 1, "\(f.name) =")
        expr(f.value, d + 2)
      }
    case .block(let statements, let value):
      line(d, "block")
      for s in statements { statement(s, d + 1) }
      line(d + 1, "value")
      expr(value, d + 2)
    }
  }

  /// `int8[]` for an array whose length comes from the value (stored as 0).
  func typeText(_ t: TypeName) -> String {
    if t.arrayLength == 0 {
      return TypeName(base: t.base, pointerDepth: t.pointerDepth).description + "[]"
    }
    return t.description
  }

  /// Strings shown with C escapes so each node stays on one line.
  func escape(_ s: String) -> String {
    var r = ""
    for scalar in s.unicodeScalars {
      switch scalar.value {
      case 0x0A: r += "\\n"
      case 0x09: r += "\\t"
      case 0x0D: r += "\\r"
      case 0x5C: r += "\\\\"
      case 0..<0x20, 0x7F: r += "\\x" + hex(UInt8(scalar.value))
      default: r.unicodeScalars.append(scalar)
      }
    }
    return r
  }

  private func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
  }
}
