/// The parsed form of a bpftrace program. Nodes are classes so later passes (Sema) can annotate them
/// in place (`Expr.type`, `Probe.expansion`); the parser fills only syntax.

/// A whole program: what a `-e` string, a .bt file or one session cell holds.
public final class Program {
  /// `#include <...>` / `#include "..."` lines, kept verbatim (BTF provides the types).
  public var includes: [String] = []
  /// `import "path";` items, paths as written (unescaped).
  public var imports: [String] = []
  /// `config = { key = value; ... }`
  public var config: [ConfigEntry] = []
  /// `struct name { ... };` / `union name { ... };` written in the program.
  public var cDefinitions: [CDefinition] = []
  /// `macro name(args) { ... }`
  public var macros: [MacroDefinition] = []
  /// `let @name = hash(100);` style map declarations at top level.
  public var mapDeclarations: [MapDeclaration] = []
  /// `fn name($a: int64): int64 { ... }` subprograms.
  public var functions: [FunctionDefinition] = []
  public var probes: [Probe] = []
  /// Bare statements with no probe header, in source order. Sessions run these once, immediately;
  /// the one-shot command line rejects them like bpftrace does.
  public var topLevelStatements: [Statement] = []

  public init() {}
}

public struct ConfigEntry {
  public var key: String
  public var value: Expr
  public var range: SourceRange
  public init(key: String, value: Expr, range: SourceRange) {
    self.key = key
    self.value = value
    self.range = range
  }
}

/// A C struct/union definition written in the program; `text` is the verbatim source of it.
public struct CDefinition {
  public var name: String  // e.g. "struct foo"
  public var text: String
  public var range: SourceRange
  public init(name: String, text: String, range: SourceRange) {
    self.name = name
    self.text = text
    self.range = range
  }
}

public final class MacroDefinition {
  public var name: String
  /// Parameter names including their sigil: "$x", "@m", or a bare identifier.
  public var parameters: [String]
  public var body: Block
  public var range: SourceRange
  public init(name: String, parameters: [String], body: Block, range: SourceRange) {
    self.name = name
    self.parameters = parameters
    self.body = body
    self.range = range
  }
}

public final class FunctionDefinition {
  public var name: String
  public var parameters: [(name: String, type: TypeName)]
  public var returnType: TypeName?
  public var body: Block
  public var range: SourceRange
  public init(
    name: String, parameters: [(name: String, type: TypeName)], returnType: TypeName?, body: Block,
    range: SourceRange
  ) {
    self.name = name
    self.parameters = parameters
    self.returnType = returnType
    self.body = body
    self.range = range
  }
}

/// `let @name = kind(maxEntries);`
public struct MapDeclaration {
  public var name: String  // includes "@"
  public var kind: String  // "hash", "lruhash", "percpuhash", "percpuarray", ...
  public var maxEntries: Int
  public var range: SourceRange
  public init(name: String, kind: String, maxEntries: Int, range: SourceRange) {
    self.name = name
    self.kind = kind
    self.maxEntries = maxEntries
    self.range = range
  }
}

/// One probe block: attach points, an optional `/filter/`, and a body.
public final class Probe {
  public var attachPoints: [AttachPoint]
  public var predicate: Expr?
  public var body: Block
  public var range: SourceRange

  public init(attachPoints: [AttachPoint], predicate: Expr?, body: Block, range: SourceRange) {
    self.attachPoints = attachPoints
    self.predicate = predicate
    self.body = body
    self.range = range
  }
}

/// An attach point as written, split on ':' outside of quotes, e.g.
/// `tracepoint:syscalls:sys_enter_*` -> provider "tracepoint", parts ["syscalls", "sys_enter_*"].
/// `BEGIN` -> provider "BEGIN", parts []. Providers are not resolved here (aliases like `t` stay as written).
public struct AttachPoint: Equatable {
  public var raw: String
  public var provider: String
  public var parts: [String]
  public var range: SourceRange

  public init(raw: String, provider: String, parts: [String], range: SourceRange) {
    self.raw = raw
    self.provider = provider
    self.parts = parts
    self.range = range
  }
}

public final class Block {
  public var statements: [Statement]
  public var range: SourceRange
  /// True when the last statement is an expression with no `;` after it, which makes it the
  /// block's value (what a macro body yields, as in `macro one() { 1 }`).
  public var endsWithValue = false
  public init(_ statements: [Statement], range: SourceRange) {
    self.statements = statements
    self.range = range
  }
}

public enum AssignOperator: String, Sendable {
  case add = "+="
  case sub = "-="
  case mul = "*="
  case div = "/="
  case mod = "%="
  case and = "&="
  case or = "|="
  case xor = "^="
  case shl = "<<="
  case shr = ">>="

  /// The binary operator a compound assignment applies.
  public var binary: BinaryOperator {
    switch self {
    case .add: .add
    case .sub: .sub
    case .mul: .mul
    case .div: .div
    case .mod: .mod
    case .and: .bitAnd
    case .or: .bitOr
    case .xor: .bitXor
    case .shl: .shl
    case .shr: .shr
    }
  }
}

public final class Statement {
  public indirect enum Kind {
    /// An expression evaluated for its effect: a call, `@x++`, ...
    case expression(Expr)
    /// `target = value` or `target op= value`; target is a map, map element or `$variable`.
    case assign(target: Expr, op: AssignOperator?, value: Expr)
    /// `let $x;`, `let $x: type = value;` (also `let $x = value;`)
    case declare(variable: String, type: TypeName?, value: Expr?)
    case ifElse(condition: Expr, then: Block, otherwise: Block?)
    case whileLoop(condition: Expr, body: Block)
    case unroll(count: Expr, body: Block)
    /// `for ($kv : @map) { }`
    case forMap(variable: String, map: Expr, body: Block)
    /// `for ($i : start..end) { }`
    case forRange(variable: String, start: Expr, end: Expr, body: Block)
    case breakLoop
    case continueLoop
    case returnValue(Expr?)
    case block(Block)
  }

  public var kind: Kind
  public var range: SourceRange

  public init(_ kind: Kind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

public enum BinaryOperator: String, Sendable, CaseIterable {
  case logicalOr = "||"
  case logicalAnd = "&&"
  case bitOr = "|"
  case bitXor = "^"
  case bitAnd = "&"
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case shl = "<<"
  case shr = ">>"
  case add = "+"
  case sub = "-"
  case mul = "*"
  case div = "/"
  case mod = "%"

  public var isComparison: Bool {
    switch self {
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: true
    default: false
    }
  }
  public var isLogical: Bool { self == .logicalOr || self == .logicalAnd }
}

public enum UnaryOperator: String, Sendable {
  case logicalNot = "!"
  case bitNot = "~"
  case negate = "-"
  case plus = "+"
  /// `*ptr`
  case dereference = "*"
  /// `&x`
  case addressOf = "&"
}

/// A type as written in a cast, a `let` declaration or a struct/function signature.
public struct TypeName: Equatable, Sendable, CustomStringConvertible {
  /// e.g. "uint32", "int64", "string", "struct task_struct", "char", "unsigned long".
  public var base: String
  /// Number of `*`.
  public var pointerDepth: Int
  /// `int8[4]` -> 4
  public var arrayLength: Int?
  public var range: SourceRange

  public init(base: String, pointerDepth: Int = 0, arrayLength: Int? = nil, range: SourceRange = .none) {
    self.base = base
    self.pointerDepth = pointerDepth
    self.arrayLength = arrayLength
    self.range = range
  }

  public var description: String {
    base + (pointerDepth > 0 ? " " + String(repeating: "*", count: pointerDepth) : "")
      + (arrayLength.map { "[\($0)]" } ?? "")
  }

  public static func == (a: TypeName, b: TypeName) -> Bool {
    a.base == b.base && a.pointerDepth == b.pointerDepth && a.arrayLength == b.arrayLength
  }
}

public final class Expr {
  public indirect enum Kind {
    /// An integer literal; `suffix` is e.g. "u", "ul", "ll" or "" (char literals arrive as integers).
    case integer(UInt64, suffix: String)
    case string(ByteString)
    case boolean(Bool)
    /// A bare identifier that is not a call: builtins (`pid`, `comm`, `args`, `arg0`, `retval`...),
    /// enum constants, or unknown names that Sema reports.
    case identifier(String)
    /// `$name` (scratch variable), name includes "$".
    case variable(String)
    /// `$1`, `$2`...
    case positional(Int)
    /// `$#`
    case positionalCount
    /// `@name` or `@name[k]` / `@name[k1, k2]`; name includes "@" ("@" alone for the anonymous map).
    case map(name: String, keys: [Expr])
    /// `f(a, b)`; also `sizeof(...)`/`offsetof(...)`, whose type arguments arrive as `.typeName`.
    case call(name: String, arguments: [Expr])
    /// A type used as an expression argument (sizeof(struct x), offsetof(struct x, f)).
    case typeName(TypeName)
    case binary(BinaryOperator, Expr, Expr)
    case unary(UnaryOperator, Expr)
    /// `x++`, `++x`, `x--`, `--x`
    case increment(Expr, isDecrement: Bool, isPrefix: Bool)
    case ternary(Expr, Expr, Expr)
    /// `(type)expr`
    case cast(TypeName, Expr)
    /// `expr.field` (also tuple `.0`, `.1`)
    case field(Expr, String)
    /// `expr->field`
    case arrow(Expr, String)
    /// `expr[index]` on something that is not a map.
    case index(Expr, Expr)
    case tuple([Expr])
    /// `(name = value, ...)`: a record (named tuple), fields in source order.
    case record([(name: String, value: Expr)])
    /// `{ stmts; expr }` block expression (upstream allows blocks as expressions); value is last expr.
    case block([Statement], Expr)
  }

  public var kind: Kind
  public var range: SourceRange
  /// Filled in by Sema.
  public var type: BPFType = .none

  public init(_ kind: Kind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}
