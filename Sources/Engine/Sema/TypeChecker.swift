/// Resolves the type of every expression of one probe body in one context, defines maps on first
/// use, and reports type errors as diagnostics. CodeGen reads `Expr.type` afterwards.
final class TypeChecker {
  let maps: MapTable
  let context: ProbeContext
  let positionalParameters: [String]
  /// Until the final pass, uses of maps not yet typed are left alone (another probe may define them).
  let finalPass: Bool
  var types: TypeLibrary? = nil
  var config = ProgramConfig()
  /// `let @m = lruhash(100)` declarations, by map name.
  var declarations: [String: MapDeclaration] = [:]
  private(set) var diagnostics: [Diagnostic] = []
  private var scopes: [[String: BPFType]] = [[:]]
  private var loopDepth = 0
  /// Inside a branch that a compile-time condition never takes: fail() there is not visited.
  private(set) var deadBranchDepth = 0

  init(maps: MapTable, context: ProbeContext, positionalParameters: [String], finalPass: Bool) {
    self.maps = maps
    self.context = context
    self.positionalParameters = positionalParameters
    self.finalPass = finalPass
  }

  func error(_ message: String, _ range: SourceRange) {
    diagnostics.append(.error(message, at: range))
  }

  // MARK: Statements

  func check(_ block: Block) {
    scopes.append([:])
    for s in block.statements { check(s) }
    scopes.removeLast()
  }

  func check(_ s: Statement) {
    switch s.kind {
    case .expression(let e):
      _ = check(e)
    case .assign(let target, let op, let value):
      checkAssignment(target, op, value, s.range)
    case .declare(let name, let typeName, let value):
      var t: BPFType = .none
      if let typeName { t = resolve(typeName) ?? .none }
      if let value {
        let vt = check(value)
        if t == .none {
          t = vt
        } else if !assignable(vt, to: t) {
          error(
            "Type mismatch for \(name): trying to assign value of type '\(vt)' when variable already has a type '\(t)'",
            value.range)
        }
      }
      scopes[scopes.count - 1][name] = t
    case .ifElse(let cond, let then, let otherwise):
      requireCondition(cond)
      let truth = CompileTimeFunctions.constantTruth(cond)
      checkBranch(then, dead: truth == false)
      if let otherwise { checkBranch(otherwise, dead: truth == true) }
    case .whileLoop(let cond, let body):
      requireCondition(cond)
      loopDepth += 1
      check(body)
      loopDepth -= 1
    case .unroll(let count, let body):
      if case .integer(let n, _) = count.kind, n >= 1, n <= 100 {
        count.type = .int64
      } else if case .integer(let n, _) = count.kind {
        error(n < 1 ? "unroll minimum value is 1" : "unroll maximum value is 100", count.range)
      } else {
        error("unroll() count must be an integer literal between 1 and 100", count.range)
      }
      check(body)
    case .forMap(let variable, let map, let body):
      let mt = check(map)
      guard case .map(let name, let keys) = map.kind, keys.isEmpty else {
        error("for loops can only iterate over a map, e.g. `for ($kv : @m)`", map.range)
        return
      }
      _ = mt
      var element: BPFType = .none
      if let def = maps[name] {
        if def.keyType == nil {
          error("for loops iterate over maps with keys; \(name) is a scalar map", map.range)
        } else if let value = MapIteration.valueType(of: def) {
          element = .tuple([def.keyType!, value])
        } else {
          error("for loops cannot iterate over \(def.valueType) maps such as \(name)", map.range)
        }
      }
      scopes.append([variable: element])
      loopDepth += 1
      check(body)
      loopDepth -= 1
      scopes.removeLast()
    case .forRange(let variable, let start, let end, let body):
      for e in [start, end] where !check(e).isInteger { error("Loop range bounds must be integers", e.range) }
      scopes.append([variable: .int64])
      loopDepth += 1
      check(body)
      loopDepth -= 1
      scopes.removeLast()
    case .breakLoop, .continueLoop:
      if loopDepth == 0 { error("'\(s.kind.keyword)' statement is not allowed outside of a loop", s.range) }
    case .returnValue(let e):
      if let e { _ = check(e) }
    case .block(let b):
      check(b)
    }
  }

  private func checkBranch(_ b: Block, dead: Bool) {
    if dead { deadBranchDepth += 1 }
    check(b)
    if dead { deadBranchDepth -= 1 }
  }

  private func requireCondition(_ e: Expr) {
    let t = check(e)
    if t != .none, !t.isInteger, !isPointer(t) {
      error("Invalid condition: expected an integer, got '\(t)'", e.range)
    }
  }

  private func checkAssignment(_ target: Expr, _ op: AssignOperator?, _ value: Expr, _ range: SourceRange) {
    switch target.kind {
    case .map(let name, let keys):
      let keyType = checkKeys(keys, range: target.range)
      let vt = check(value)
      if op != nil, !vt.isInteger, vt != .none {
        error("Compound assignment needs an integer, got '\(vt)'", value.range)
        return
      }
      if vt == .void {
        error("Value of type 'void' can not be assigned to a map", value.range)
        return
      }
      if op != nil, maps[name]?.valueType == .boolean {
        error("Compound assignment needs an integer, got 'bool'", target.range)
        return
      }
      let valueType: BPFType = op != nil ? .int64 : vt
      define(map: name, keyType: keyType, valueType: valueType, at: target.range)
      target.type = maps[name].map { $0.valueType } ?? valueType
    case .variable(let name):
      let vt = check(value)
      if case .aggregation = vt {
        error("\(vt) can only be assigned to a map, e.g. @x = count()", value.range)
        return
      }
      if let existing = lookupVariable(name) {
        if op != nil, !existing.isInteger {
          error("Compound assignment needs an integer variable", target.range)
        } else if op == nil, existing != .none, vt != .none, !assignable(vt, to: existing) {
          error(
            "Type mismatch for \(name): trying to assign value of type '\(vt)' when variable already contains a value of type '\(existing)'",
            range)
        }
        target.type = existing == .none ? vt : existing
        if existing == .none { setVariable(name, vt) }
        // A longer string widens the variable (`$a = ""; ... $a = "hello"`), as upstream sizes it.
        if case .string(let had) = existing, case .string(let new) = vt, new > had {
          setVariable(name, vt)
          target.type = vt
        }
      } else {
        if op != nil { error("Variable used before it was assigned: \(name)", target.range) }
        setVariable(name, vt)
        target.type = vt
      }
    default:
      _ = check(target)
      error("Only maps and scratch variables ($x) can be assigned to", target.range)
    }
  }

  // MARK: Maps

  private func checkKeys(_ keys: [Expr], range: SourceRange) -> BPFType? {
    guard !keys.isEmpty else { return nil }
    let types = keys.map { check($0) }
    for (k, t) in zip(keys, types) {
      switch t {
      case .void, .aggregation, .tracepointArgs:
        error("Invalid map key type: \(t)", k.range)
      default: break
      }
    }
    let widened = types.map(MapDefinition.widened)
    return widened.count == 1 ? widened[0] : .tuple(widened)
  }

  private func define(map name: String, keyType: BPFType?, valueType: BPFType, at range: SourceRange) {
    let value = MapDefinition.widened(valueType)
    if let existing = maps[name] {
      if existing.keyType != keyType, !(keyType.map { compatibleKey($0, existing.keyType) } ?? false) {
        let want = existing.keyType.map { "[\($0)]" } ?? "no key"
        let got = keyType.map { "[\($0)]" } ?? "no key"
        error(
          "Argument mismatch for \(name): trying to access with arguments: '\(got)' when map expects arguments: '\(want)'",
          range)
        return
      }
      if case .aggregation(.tseries) = existing.valueType, case .aggregation(.tseries) = value,
        existing.valueType != value
      {
        error("Different tseries bounds in a single map unsupported", range)
        return
      }
      if existing.valueType != value, !compatibleValue(value, existing.valueType) {
        error(
          "Type mismatch for \(name): trying to assign value of type '\(valueType)' when map already contains a value of type '\(existing.valueType)'",
          range)
      }
      return
    }
    if value == .none { return }
    var def = MapDefinition(name: name, keyType: keyType, valueType: value, maxEntries: config.maxMapKeys)
    if let d = declarations[name] {
      def.maxEntries = d.maxEntries
      def.lru = d.kind.contains("lru")
    }
    maps.define(def)
  }

  private func compatibleKey(_ a: BPFType, _ b: BPFType?) -> Bool {
    guard let b else { return false }
    return compatibleValue(a, b)
  }

  /// Integers of either signedness and strings of any size interconvert, as in bpftrace.
  private func compatibleValue(_ a: BPFType, _ b: BPFType) -> Bool {
    switch (a, b) {
    case (.integer, .integer), (.string, .string), (.boolean, .integer), (.integer, .boolean): return true
    // Enum values are 64-bit integers: an int map takes them (and prints numbers), and back.
    case (.enumeration, .integer), (.integer, .enumeration), (.enumeration, .enumeration): return true
    case (.tuple(let x), .tuple(let y)): return x.count == y.count && zip(x, y).allSatisfy { compatibleValue($0, $1) }
    case (.namedTuple(let n, let x), .namedTuple(let m, let y)):
      // The same fields in any order: a later record may list them differently.
      return Set(n) == Set(m) && n.count == m.count
        && zip(n, x).allSatisfy { name, t in m.firstIndex(of: name).map { compatibleValue(t, y[$0]) } ?? false }
    default: return a == b
    }
  }

  private func assignable(_ v: BPFType, to t: BPFType) -> Bool { compatibleValue(v, t) }

  // MARK: Variables

  private func lookupVariable(_ name: String) -> BPFType? {
    for scope in scopes.reversed() { if let t = scope[name] { return t } }
    return nil
  }

  private func setVariable(_ name: String, _ t: BPFType) {
    for i in scopes.indices.reversed() where scopes[i][name] != nil {
      scopes[i][name] = t
      return
    }
    scopes[scopes.count - 1][name] = t
  }

  // MARK: Expressions

  @discardableResult
  func check(_ e: Expr) -> BPFType {
    let t = infer(e)
    e.type = t
    return t
  }

  private func infer(_ e: Expr) -> BPFType {
    if let plain = StdlibRewrites.rewrite(e) ?? CompileTimeFunctions.evaluate(e, in: self) {
      e.kind = plain
      return infer(e)
    }
    switch e.kind {
    case .integer(let v, let suffix):
      if suffix.contains("u") || v > UInt64(Int64.max) { return .uint64 }
      return .int64
    case .string(let s):
      return .string(size: s.count + 1)
    case .boolean:
      return .boolean
    case .identifier("ctx"):
      guard let kind = context.iterator, let r = types?.record(named: "struct bpf_iter__\(kind)") else {
        error("The ctx builtin can only be used with iter probes here", e.range)
        return .none
      }
      return .pointer(.record(name: r.name, size: r.size), user: false)
    case .identifier("curtask") where types?.record(named: "struct task_struct") != nil:
      let size = types?.record(named: "struct task_struct")?.size ?? 0
      return .pointer(.record(name: "struct task_struct", size: size), user: false)
    case .identifier(let name):
      switch Builtins.type(of: name, in: context) {
      case .success(let t): return t
      case .failure(let message):
        error(message.text, e.range)
        return .none
      }
    case .variable(let name):
      guard let t = lookupVariable(name) else {
        error("Undefined or undeclared variable: \(name)", e.range)
        return .none
      }
      return t
    case .positional(let n):
      guard n >= 1, n <= positionalParameters.count else {
        // bpftrace treats missing positional parameters as 0 / "".
        return .int64
      }
      return Int64(positionalParameters[n - 1]) != nil
        ? .int64 : .string(size: positionalParameters[n - 1].utf8.count + 1)
    case .positionalCount:
      return .int64
    case .map(let name, let keys):
      let keyType = checkKeys(keys, range: e.range)
      guard let def = maps[name] else {
        if finalPass { error("Undefined map: \(name)", e.range) }
        return .none
      }
      if def.keyType != keyType, !(keyType.map { compatibleKey($0, def.keyType) } ?? false) {
        if keyType == nil, def.keyType != nil { return .none }  // whole map as a function argument
        error(
          "Argument mismatch for \(name): trying to access with arguments: '\(keyType.map { "[\($0)]" } ?? "no key")' when map expects arguments: '\(def.keyType.map { "[\($0)]" } ?? "no key")'",
          e.range)
      }
      if let agg = def.aggregation {
        switch agg {
        case .count, .sum(false), .max(false), .min(false), .avg(false): return .uint64
        case .sum, .min, .max, .avg: return .int64
        case .stats, .hist, .lhist, .tseries: return def.valueType
        }
      }
      return def.valueType
    case .call(let name, let args):
      return FunctionChecker.check(name: name, args: args, call: e, in: self)
    case .typeName(let t):
      return resolve(t) ?? .none
    case .binary(let op, let lhs, let rhs):
      return checkBinary(op, lhs, rhs, e)
    case .unary(let op, let operand):
      let t = check(operand)
      switch op {
      case .logicalNot: return .boolean
      case .bitNot, .negate, .plus:
        if t != .none, !t.isInteger {
          error("The \(op.rawValue) operator can not be used on expressions of type '\(t)'", e.range)
        }
        return op == .negate ? .int64 : promote(t, t)
      case .dereference:
        if case .pointer(let pointee, _) = t { return pointee.size > 0 ? pointee : .uint64 }
        if t.isInteger { return .uint64 }
        error("Can not dereference an expression of type '\(t)'", e.range)
        return .none
      case .addressOf:
        error("The & (address-of) operator is not supported on this expression", e.range)
        return .none
      }
    case .increment(let target, _, _):
      switch target.kind {
      case .map(let name, let keys):
        let keyType = checkKeys(keys, range: target.range)
        if maps[name]?.valueType == .boolean {
          error("The ++/-- operators can not be used on expressions of type 'bool'", e.range)
          return .none
        }
        define(map: name, keyType: keyType, valueType: .int64, at: target.range)
        target.type = .int64
        return .int64
      case .variable(let name):
        guard let t = lookupVariable(name), t.isInteger else {
          error("The ++/-- operators need an integer variable: \(name)", target.range)
          return .none
        }
        target.type = t
        return t
      default:
        error("The ++/-- operators can only be used on maps and integer variables", target.range)
        return .none
      }
    case .ternary(let cond, let a, let b):
      requireCondition(cond)
      let ta = check(a)
      let tb = check(b)
      if ta == .boolean, tb == .boolean { return .boolean }
      if ta.isInteger, tb.isInteger { return promote(ta, tb) }
      if case .string(let x) = ta, case .string(let y) = tb { return .string(size: max(x, y)) }
      if let both = Self.unifiedTuple(ta, tb) { return both }
      if ta != tb, ta != .none, tb != .none {
        error("Ternary operator branches have different types: '\(ta)' and '\(tb)'", e.range)
      }
      return ta
    case .cast(let typeName, let operand):
      let from = check(operand)
      guard let to = resolve(typeName) else { return .none }
      if to.isInteger || isPointer(to), from != .none, !from.isInteger, !isPointer(from) {
        error("Cannot cast from '\(from)' to '\(to)'", e.range)
      }
      if case .record = to {
        error("Cannot cast to a struct value '\(to)': cast to a pointer ('\(to) *') instead", e.range)
      }
      return to
    case .field(let base, let name):
      let bt = check(base)
      if case .tuple(let items) = bt, let i = Int(name) {
        guard i >= 0, i < items.count else {
          error("Invalid tuple index: \(i). Found \(items.count) elements in tuple.", e.range)
          return .none
        }
        return items[i]
      }
      if case .namedTuple(let names, let items) = bt {
        guard let i = names.firstIndex(of: name) else {
          error("Record does not contain a field named '\(name)'", e.range)
          return .none
        }
        return items[i]
      }
      if case .tracepointArgs = bt { return tracepointField(name, e) }
      if case .record(let r, _) = bt { return recordField(name, of: r, e) }
      if case .pointer(.record(let r, _), _) = bt {
        // Upstream dereferences pointers for `.` too (`curtask.pid`, `task.real_parent.pid`).
        e.kind = .arrow(base, name)
        return recordField(name, of: r, e)
      }
      if bt != .none { error("Can not access field '\(name)' on expression of type '\(bt)'", e.range) }
      return .none
    case .arrow(let base, let name):
      let bt = check(base)
      if case .tracepointArgs = bt { return tracepointField(name, e) }
      if case .pointer(.record(let r, _), _) = bt { return recordField(name, of: r, e) }
      if case .record(let r, _) = bt { return recordField(name, of: r, e) }
      if bt != .none {
        error("Can not access field '\(name)' on type '\(bt)': it is not a pointer to a struct", e.range)
      }
      return .none
    case .index(let base, let index):
      let bt = check(base)
      let it = check(index)
      if !it.isInteger, it != .none { error("The array index must be an integer", index.range) }
      switch bt {
      case .array(let elem, _): return elem
      case .string: return .integer(bits: 8, signed: true)
      case .pointer(let p, _): return p
      case .none: return .none
      default:
        error("The [] operator can not be used on expressions of type '\(bt)'", e.range)
        return .none
      }
    case .tuple(let items):
      let types = items.map { check($0) }
      for (i, t) in zip(items, types)
      where t == .void
        || {
          if case .aggregation = t { return true }
          return false
        }()
      {
        error("Invalid tuple element type: \(t)", i.range)
      }
      return .tuple(types)
    case .record(let fields):
      var names: [String] = []
      var types: [BPFType] = []
      for f in fields {
        let t = check(f.value)
        if names.contains(f.name) {
          error("Duplicate field name in record: \(f.name)", f.value.range)
        } else if t == .void || { if case .aggregation = t { return true } else { return false } }() {
          error("Invalid record field type: \(t)", f.value.range)
        }
        names.append(f.name)
        types.append(t)
      }
      return .namedTuple(names: names, items: types)
    case .block(let statements, let value):
      scopes.append([:])
      for s in statements { check(s) }
      let t = check(value)
      scopes.removeLast()
      return t
    }
  }

  /// Two tuples that differ only in string sizes: each string as long as the longer one.
  static func unifiedTuple(_ a: BPFType, _ b: BPFType) -> BPFType? {
    guard case .tuple(let x) = a, case .tuple(let y) = b, x.count == y.count, a != b else { return nil }
    var items: [BPFType] = []
    for (p, q) in zip(x, y) {
      if case .string(let m) = p, case .string(let n) = q {
        items.append(.string(size: max(m, n)))
      } else if let inner = unifiedTuple(p, q) {
        items.append(inner)
      } else if p == q {
        items.append(p)
      } else {
        return nil
      }
    }
    return .tuple(items)
  }

  private func checkBinary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ e: Expr) -> BPFType {
    let lt = check(lhs)
    let rt = check(rhs)
    if lt == .none || rt == .none { return op.isComparison || op.isLogical ? .boolean : .int64 }
    if op.isLogical {
      for (x, t) in [(lhs, lt), (rhs, rt)] where !t.isInteger && !isPointer(t) {
        error("The \(op.rawValue) operator can not be used on expressions of type '\(t)'", x.range)
      }
      return .boolean
    }
    if case .string = lt, case .string = rt {
      guard op == .equal || op == .notEqual else {
        error("The \(op.rawValue) operator can not be used on strings", e.range)
        return .boolean
      }
      return .boolean
    }
    let lInt = lt.isInteger || isPointer(lt)
    let rInt = rt.isInteger || isPointer(rt)
    guard lInt, rInt else {
      error("Type mismatch for '\(op.rawValue)': comparing '\(lt)' with '\(rt)'", e.range)
      return op.isComparison ? .boolean : .int64
    }
    if op.isComparison { return .boolean }
    // Pointer plus or minus an integer moves by whole pointees and stays a pointer, as in C.
    if op == .add || op == .sub, isPointer(lt), rt.isInteger { return lt }
    if op == .add, isPointer(rt), lt.isInteger { return rt }
    return promote(lt, rt)
  }

  /// bpftrace computes in 64 bits; the result is unsigned when either side is an unsigned 64-bit value.
  private func promote(_ a: BPFType, _ b: BPFType) -> BPFType {
    func unsigned64(_ t: BPFType) -> Bool {
      if case .integer(64, false) = t { return true }
      return isPointer(t)
    }
    return unsigned64(a) || unsigned64(b) ? .uint64 : .int64
  }

  func isPointer(_ t: BPFType) -> Bool {
    if case .pointer = t { return true }
    return false
  }

  private func tracepointField(_ name: String, _ e: Expr) -> BPFType {
    guard let field = context.tracepointFields?.first(where: { $0.name == name }) else {
      error("Can't find a field \(name) in the tracepoint's args", e.range)
      return .none
    }
    // `struct sk_buff * skbaddr`: a pointer into a kernel struct that BTF describes.
    let c = field.cType.replacingAll("const ", with: "").trimmed
    if c.hasPrefix("struct "), c.hasSuffix("*"), let types {
      let name = String(c.dropLast()).trimmed
      if let r = types.record(named: name) { return .pointer(.record(name: r.name, size: r.size), user: false) }
    }
    return field.type
  }

  private func recordField(_ name: String, of record: String, _ e: Expr) -> BPFType {
    guard let types, types.record(named: record) != nil else {
      error("Unknown struct \(record): no BTF or definition describes it", e.range)
      return .none
    }
    guard let f = types.field(name, of: record) else {
      error("Struct/union of type '\(record)' does not contain a field named '\(name)'", e.range)
      return .none
    }
    if f.type == .none {
      error("Field '\(name)' of '\(record)' has a type bpfrepl can not read yet", e.range)
    }
    return f.type
  }

  /// A struct or union named in a cast or sizeof, through the type library.
  private func recordType(_ base: String, _ range: SourceRange) -> BPFType? {
    guard let r = types?.record(named: base) else {
      error("Unknown struct/union: '\(base)' (types come from kernel BTF)", range)
      return nil
    }
    return .record(name: r.name, size: r.size)
  }

  /// Maps a written type to a BPFType; nil (with a diagnostic) when unknown.
  func resolve(_ t: TypeName) -> BPFType? {
    if t.base.hasPrefix("enum "), t.pointerDepth == 0, t.arrayLength == nil {
      guard let library = types as? ProgramTypeLibrary, library.hasEnum(t.base) else {
        error("Unknown enum: '\(t.base)'", t.range)
        return nil
      }
      return .enumeration(name: t.base)
    }
    if t.base.hasPrefix("struct ") || t.base.hasPrefix("union ") {
      guard var r = recordType(t.base, t.range) else { return nil }
      for _ in 0..<t.pointerDepth { r = .pointer(r, user: false) }
      return r
    }
    if t.pointerDepth > 0 {
      var inner = t
      inner.pointerDepth = 0
      guard var p = t.base == "void" ? .integer(bits: 8, signed: false) : resolve(inner) else { return nil }
      for _ in 0..<t.pointerDepth { p = .pointer(p, user: false) }
      return p
    }
    let base: BPFType
    switch t.base {
    case "int8", "char", "signed char": base = .integer(bits: 8, signed: true)
    case "uint8", "unsigned char", "u8": base = .integer(bits: 8, signed: false)
    case "int16", "short": base = .integer(bits: 16, signed: true)
    case "uint16", "unsigned short", "u16": base = .integer(bits: 16, signed: false)
    case "int32", "int": base = .int32
    case "uint32", "unsigned int", "unsigned", "u32": base = .uint32
    case "int64", "long", "long long": base = .int64
    case "uint64", "unsigned long", "unsigned long long", "u64", "size_t": base = .uint64
    case "bool": base = .boolean
    case "string": base = .string(size: config.maxStringLength)
    default:
      error("Unknown type: \(t)", t.range)
      return nil
    }
    if let n = t.arrayLength { return .array(base, count: n) }
    return base
  }
}

extension Statement.Kind {
  var keyword: String {
    switch self {
    case .breakLoop: "break"
    case .continueLoop: "continue"
    default: "statement"
    }
  }
}
