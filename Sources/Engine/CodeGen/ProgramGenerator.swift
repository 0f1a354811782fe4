/// Generates the BPF code of one probe body for one context (one program). Statements and control
/// flow live here; expressions, maps and calls in the extensions beside this file.
///
/// Register conventions: r6 holds ctx for the whole program; r7-r9 hold expression temporaries
/// (callee-saved, so they survive helper calls); r0-r5 are scratch between helper calls. When the
/// three temporaries are in use, further temporaries spill to 8-byte stack slots.
final class ProgramGenerator {
  let context: ProbeContext
  let resources: CompileResources
  /// The probe-name id when the program has a single attach point (or cannot read cookies).
  let staticProbeID: UInt64?
  /// The probe block's gate (see `CompileResources.gatesName`); nil for BEGIN/END.
  var gate: UInt32? = nil
  /// BPFTRACE_DUMMY_TS_MAP: the map tseries() reads the time from (see ProgramConfig).
  var timestampMap: String? = nil
  var asm = Assembler()
  var frame = BPFStackAllocator()
  var freeRegisters: [Register] = [.r9, .r8, .r7]
  /// The register stack slots are addressed from: r10 in the program itself; in a callback
  /// (the body of a `for` over a map) a register holding the program's r10, so that variables and
  /// scratch space stay in one frame whatever the nesting.
  var fp: Register = .r10
  /// Where the prologue keeps ctx when the program has `for` loops: their callbacks reload r6 from it.
  var contextSlot: Int16? = nil
  /// The frame is a per-CPU scratch map value (see `ScratchFrame`), not the stack.
  var scratchFrame = false
  /// Set when the frame ran out: the compiler then generates the program again with a scratch frame.
  private(set) var outgrewStack = false
  /// Callback subprograms, appended after the program's exit.
  var subprograms: [[Instruction]] = []
  /// The do-nothing callback `len(@m)` counts with, emitted once.
  var countingCallback: Label? = nil
  var variables: [String: (offset: Int16, type: BPFType)] = [:]
  var loops: [(breakLabel: Label, continueLabel: Label)] = []
  var returnLabel: Label
  var diagnostics: [Diagnostic] = []

  init(context: ProbeContext, resources: CompileResources, staticProbeID: UInt64?) {
    self.context = context
    self.resources = resources
    self.staticProbeID = staticProbeID
    self.returnLabel = Label(id: -1)
    self.returnLabel = asm.newLabel()
  }

  struct Failure: Error {
    var diagnostic: Diagnostic
  }

  func fail(_ message: String, _ range: SourceRange) -> Failure {
    Failure(diagnostic: .error(message, at: range))
  }

  /// The whole program: prologue, filter, body, `return 0`.
  func generate(predicate: Expr?, body: Block) throws -> [Instruction] {
    asm.mov(.r6, .r1)
    if scratchFrame { enterScratchFrame(onFailure: returnLabel) }
    if context.iterator != nil {
      // Iterators end with a call whose object is NULL: there is nothing to report then.
      asm.emit(.load(.dw, .r1, .r6, 8))
      asm.emit(.jumpIf(.eq, .r1, .imm(0), returnLabel))
    }
    if let gate {
      asm.emit(.loadMapValue(.r1, resources.gates, offset: Int32(gate * 4)))
      asm.emit(.load(.w, .r1, .r1, 0))
      asm.emit(.jumpIf(.eq, .r1, .imm(0), returnLabel))
    }
    emitPidFilter()
    try allocateVariables(body)
    if scratchFrame {
      asm.emit(.store(.dw, .r10, ScratchFrame.contextOffset, .r6))
    } else if ProgramGenerator.containsCallbackLoop(body.statements) {
      let slot = try allocate(8, at: body.range)
      asm.emit(.store(.dw, fp, slot, .r6))
      contextSlot = slot
    }
    if let predicate {
      asm.source(predicate.range)
      try scratch { try jump(predicate, when: false, to: returnLabel) }
    }
    try generate(body)
    asm.bind(returnLabel)
    asm.mov(.r0, 0)
    asm.emit(.exit)
    for callback in subprograms { asm.emit(callback) }
    return UnreachableCode.removed(from: asm.instructions)
  }

  /// Runs `body` with the stack scratch space and temporaries given back afterwards.
  func scratch<T>(_ body: () throws -> T) throws -> T {
    let mark = frame.mark
    let regs = freeRegisters
    defer {
      frame.release(to: mark)
      freeRegisters = regs
    }
    return try body()
  }

  func allocate(_ size: Int, at range: SourceRange) throws -> Int16 {
    do {
      return try frame.allocate(size)
    } catch {
      outgrewStack = true
      throw fail(
        "The probe needs more than the \(frame.limit) bytes of its frame (this expression needs \(size) more bytes)",
        range)
    }
  }

  /// `$variables` get one slot each for the whole program, reserved before any scratch space.
  private func allocateVariables(_ block: Block) throws {
    func visit(_ s: Statement) throws {
      switch s.kind {
      case .assign(let target, _, _):
        if case .variable(let name) = target.kind { try reserve(name, target.type, s.range) }
      case .declare(let name, _, let value):
        let t = value?.type ?? .int64
        try reserve(name, t == .none ? .int64 : t, s.range)
      case .ifElse(_, let a, let b):
        try a.statements.forEach(visit)
        try b?.statements.forEach(visit)
      case .whileLoop(_, let b), .unroll(_, let b), .block(let b):
        try b.statements.forEach(visit)
      case .forRange(let name, _, _, let b):
        try reserve(name, .int64, s.range)
        try b.statements.forEach(visit)
      case .forMap(let name, let map, let b):
        if case .map(let m, _) = map.kind, let def = resources.maps[m], let key = def.keyType,
          let value = MapIteration.valueType(of: def)
        {
          try reserve(name, .tuple([key, value]), s.range)
        }
        try b.statements.forEach(visit)
      default: break
      }
      // Macro expansions are `{ stmts; value }` expressions whose statements declare variables too.
      try ProgramGenerator.expressionBlocks(of: s).forEach(visit)
    }
    func reserve(_ name: String, _ type: BPFType, _ range: SourceRange) throws {
      let size = max(8, type.size)
      if let existing = variables[name], existing.type.size >= size { return }
      variables[name] = (try allocate(size, at: range), type)
    }
    try block.statements.forEach(visit)
  }

  /// The statements of `{ ...; value }` block expressions (macro expansions) in `s`'s own expressions.
  static func expressionBlocks(of s: Statement) -> [Statement] {
    var out: [Statement] = []
    func walk(_ e: Expr) {
      if case .block(let statements, _) = e.kind { out += statements }
      ExprChildren.forEach(e, walk)
    }
    StatementChildren.forEach(s, expr: walk, statement: { _ in })
    return out
  }

  // MARK: Statements

  func generate(_ block: Block) throws {
    for s in block.statements { try generate(s) }
  }

  func generate(_ s: Statement) throws {
    asm.source(s.range)
    try scratch {
      switch s.kind {
      case .expression(let e):
        let v = try emit(e)
        release(v)
      case .assign(let target, let op, let value):
        try assign(target, op, value, s.range)
      case .declare(let name, _, let value):
        guard let slot = variables[name] else { return }
        try zero(slot.offset, max(8, slot.type.size))
        if let value {
          let v = try emit(value)
          try store(v, type: value.type, to: slot.offset, as: slot.type)
        }
      case .ifElse(let cond, let then, let otherwise):
        let elseLabel = asm.newLabel()
        try jump(cond, when: false, to: elseLabel)
        try generate(then)
        if let otherwise {
          let end = asm.newLabel()
          asm.emit(.jump(end))
          asm.bind(elseLabel)
          try generate(otherwise)
          asm.bind(end)
        } else {
          asm.bind(elseLabel)
        }
      case .whileLoop(let cond, let body):
        let top = asm.newLabel()
        let end = asm.newLabel()
        asm.bind(top)
        try scratch { try jump(cond, when: false, to: end) }
        loops.append((end, top))
        try generate(body)
        loops.removeLast()
        asm.emit(.jump(top))
        asm.bind(end)
      case .unroll(let count, let body):
        guard case .integer(let n, _) = count.kind else { return }
        for _ in 0..<n {
          let next = asm.newLabel()
          loops.append((next, next))
          try generate(body)
          loops.removeLast()
          asm.bind(next)
        }
      case .forRange(let name, let start, let end, let body):
        try forRange(variable: name, start: start, end: end, body: body, at: s.range)
      case .forMap(let name, let map, let body):
        try forMap(variable: name, map: map, body: body, at: s.range)
      case .breakLoop:
        guard let l = loops.last else { throw fail("break outside of a loop", s.range) }
        asm.emit(.jump(l.breakLabel))
      case .continueLoop:
        guard let l = loops.last else { throw fail("continue outside of a loop", s.range) }
        asm.emit(.jump(l.continueLabel))
      case .returnValue:
        asm.emit(.jump(returnLabel))
      case .block(let b):
        try generate(b)
      }
    }
  }

  private func assign(_ target: Expr, _ op: AssignOperator?, _ value: Expr, _ range: SourceRange) throws {
    switch target.kind {
    case .variable(let name):
      guard let slot = variables[name] else { throw fail("Unknown variable \(name)", target.range) }
      if let op {
        let current = Value.slot(slot.offset)
        let rhs = try emit(value)
        let result = try arithmetic(op.binary, current, rhs, signed: slot.type.isSigned)
        try store(result, type: .int64, to: slot.offset, as: slot.type)
      } else {
        let v = try emit(value)
        try zeroIfAggregate(slot)
        try store(v, type: value.type, to: slot.offset, as: slot.type)
      }
    case .map(let name, let keys):
      guard let def = resources.maps[name] else { throw fail("Undefined map: \(name)", target.range) }
      if let agg = def.aggregation {
        guard case .call(_, let args) = value.kind else {
          throw fail(
            "\(name) holds \(def.valueType) values; assign it with \(def.valueType.description.dropLast(2))()",
            value.range)
        }
        try aggregate(agg, def: def, keys: keys, arguments: args, at: range)
      } else if let op {
        if op == .add || op == .sub {
          try addToMap(def, keys: keys, delta: value, negate: op == .sub, at: range)
        } else {
          let current = try readMap(def, keys: keys, at: target.range)
          let rhs = try emit(value)
          let result = try arithmetic(op.binary, current, rhs, signed: def.valueType.isSigned)
          try writeMap(def, keys: keys, value: result, valueType: .int64, at: range)
        }
      } else {
        let v = try emit(value)
        try writeMap(def, keys: keys, value: v, valueType: value.type, at: range)
      }
    default:
      throw fail("Only maps and scratch variables can be assigned to", target.range)
    }
  }

  private func zeroIfAggregate(_ slot: (offset: Int16, type: BPFType)) throws {
    if !slot.type.isInteger { try zero(slot.offset, slot.type.size) }
  }
}
