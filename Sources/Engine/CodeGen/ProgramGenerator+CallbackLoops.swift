/// `for ($kv : @m) { ... }` and `len(@m)` (bpf_for_each_map_elem), `for ($i : a..b) { ... }` (bpf_loop):
/// loops whose body is a callback subprogram, so the verifier checks the body once whatever the count.
///
/// The program passes its own frame pointer as the callback context, and a callback addresses
/// every stack slot through it (`fp`), so `$variables` and scratch space stay in one frame at any
/// nesting and the callback itself uses no stack. Callbacks are generated where their statement
/// stands (so they see the allocator's state there) into a side buffer, appended after the exit;
/// what no path reaches (no `return` in the body) is dropped by `UnreachableCode`.
extension ProgramGenerator {
  /// Statements that need ctx kept in the frame for callbacks.
  static func containsCallbackLoop(_ statements: [Statement]) -> Bool {
    statements.contains { s in
      switch s.kind {
      case .forMap, .forRange: return true
      default: break
      }
      var nested = containsCallbackLoop(expressionBlocks(of: s))
      StatementChildren.forEach(s, expr: { _ in }, statement: { nested = nested || containsCallbackLoop([$0]) })
      return nested
    }
  }

  func forMap(variable: String, map: Expr, body: Block, at range: SourceRange) throws {
    guard case .map(let name, _) = map.kind, let def = resources.maps[name], let keyType = def.keyType,
      let valueType = MapIteration.valueType(of: def), let kv = variables[variable]
    else { throw fail("for loops can only iterate over a map with keys, e.g. `for ($kv : @m)`", map.range) }
    let layout = TupleLayout([keyType, valueType])
    let keyAt = kv.offset + Int16(layout.offsets[0])
    let valueAt = kv.offset + Int16(layout.offsets[1])
    // Set by a `return` (or exit()) in the body: the loop stops, and so does the probe.
    let stopped = try allocate(8, at: range)
    asm.emit(.storeImm(.dw, fp, stopped, 0))
    let callback = asm.newLabel()
    try generateCallback(callback, stopFlag: stopped, arguments: [.r2, .r3]) {
      copy(from: .r2, 0, to: fp, keyAt, size: keyType.size)
      if def.aggregation == nil {
        copy(from: .r3, 0, to: fp, valueAt, size: valueType.size)
      } else {
        try mergeAcrossCPUs(def, keyAt: keyAt, into: valueAt, at: range)
      }
      try generate(body)
    }
    asm.emit(.loadMap(.r1, resources.ref(def.name)))
    runLoop(.forEachMapElem, callback, stopFlag: stopped)
  }

  /// `for ($i : start..end)`: bpf_loop runs the body end - start times (none if end <= start), both
  /// bounds evaluated once, before the first iteration.
  func forRange(variable: String, start: Expr, end: Expr, body: Block, at range: SourceRange) throws {
    guard let slot = variables[variable] else { return }
    let first = try allocate(8, at: range)
    try store(try emit(start), type: start.type, to: first, as: .int64)
    let count = try spillToSlot(try emit(end))
    let stopped = try allocate(8, at: range)
    asm.emit(.storeImm(.dw, fp, stopped, 0))
    let callback = asm.newLabel()
    try generateCallback(callback, stopFlag: stopped, contextArgument: .r2, arguments: [.r1]) {
      // r1 = the iteration's index
      asm.emit(.load(.dw, .r2, fp, first))
      asm.emit(.alu64(.add, .r1, .reg(.r2)))
      asm.emit(.store(.dw, fp, slot.offset, .r1))
      try generate(body)
    }
    // An empty range skips the call: a callback the verifier sees never run must not be referenced
    // (it drops such code, and the kernel then finds a function pointer to nothing).
    let done = asm.newLabel()
    asm.emit(.load(.dw, .r1, fp, count))
    asm.emit(.load(.dw, .r2, fp, first))
    asm.emit(.alu64(.sub, .r1, .reg(.r2)))
    asm.emit(.jumpIf(.sle, .r1, .imm(0), done))
    runLoop(.loop, callback, stopFlag: stopped)
    asm.bind(done)
  }

  /// Calls the loop helper (r1 already set) with the callback and our context; a `return` in the
  /// body (the stop flag) then ends the probe.
  private func runLoop(_ helper: BPFHelper, _ callback: Label, stopFlag: Int16) {
    asm.emit(.loadFunction(.r2, callback))
    asm.mov(.r3, callbackContext)
    asm.mov(.r4, 0)
    asm.call(helper)
    asm.emit(.load(.dw, .r1, fp, stopFlag))
    asm.emit(.jumpIf(.ne, .r1, .imm(0), returnLabel))
  }

  /// `len(@m)`: the number of elements bpf_for_each_map_elem visits with a callback that does nothing.
  func mapLength(_ def: MapDefinition, at range: SourceRange) throws -> Value {
    guard !def.hasBucketKey else { throw fail("len() cannot count the keys of a \(def.valueType) map", range) }
    let callback: Label
    if let existing = countingCallback {
      callback = existing
    } else {
      callback = asm.newLabel()
      countingCallback = callback
      subprograms.append([.bind(callback), .subprogram, .alu64(.mov, .r0, .imm(0)), .exit])
    }
    asm.emit(.loadMap(.r1, resources.ref(def.name)))
    asm.emit(.loadFunction(.r2, callback))
    asm.mov(.r3, 0)
    asm.mov(.r4, 0)
    asm.call(.forEachMapElem)
    let t = try newTemp(at: range)
    setTemp(t, from: .r0)
    return t
  }

  /// Generates a callback -> 0 to go on, 1 to stop; `body` sees the callback's arguments in r1-r3
  /// (for_each_map_elem: map, key, value; bpf_loop: index), the context (our frame) is r4 or r2. `break` stops the loop, `continue` goes to the next element, and
  /// `return` sets `stopFlag` in the frame before stopping.
  private func generateCallback(
    _ label: Label, stopFlag: Int16, contextArgument: Register = .r4, arguments: [Register],
    body: () throws -> Void
  ) throws {
    var outer: [Instruction] = []
    asm.swapInstructions(&outer)
    let saved = (fp, freeRegisters, loops, returnLabel)
    defer {
      var callback: [Instruction] = []
      asm.swapInstructions(&callback)
      subprograms.append(callback)
      asm.swapInstructions(&outer)
      (fp, freeRegisters, loops, returnLabel) = saved
    }
    let next = asm.newLabel()
    let stop = asm.newLabel()
    let returned = asm.newLabel()
    asm.bind(label)
    asm.emit(.subprogram)
    if scratchFrame {
      // ctx from the caller's stack, kept on ours for nested loops; the same CPU's scratch frame.
      asm.emit(.load(.dw, .r6, contextArgument, ScratchFrame.contextOffset))
      asm.emit(.store(.dw, .r10, ScratchFrame.contextOffset, .r6))
      let keep: [Register] = [.r7, .r8]
      for (a, k) in zip(arguments, keep) { asm.mov(k, a) }
      enterScratchFrame(onFailure: stop)
      for (a, k) in zip(arguments, keep) { asm.mov(a, k) }
    } else {
      // r9 = the program's frame; r6 = ctx again (builtins read it); r7, r8 stay temporaries.
      asm.mov(.r9, contextArgument)
      fp = .r9
      freeRegisters = [.r8, .r7]
      if let contextSlot { asm.emit(.load(.dw, .r6, fp, contextSlot)) }
    }
    loops = [(stop, next)]
    returnLabel = returned
    try body()
    asm.bind(next)
    asm.mov(.r0, 0)
    asm.emit(.exit)
    asm.bind(returned)
    asm.emit(.storeImm(.dw, fp, stopFlag, 1))
    asm.bind(stop)
    asm.mov(.r0, 1)
    asm.emit(.exit)
  }

  /// Reads a per-CPU aggregation's value as the map printer shows it: counts and sums added up,
  /// the min/max of the CPUs that saw a value, the average of all samples.
  func mergeAcrossCPUs(_ def: MapDefinition, keyAt key: Int16, into result: Int16, at range: SourceRange) throws {
    guard let agg = def.aggregation else { return }
    let cpu = try allocate(8, at: range)
    let extra = try allocate(8, at: range)  // avg: the sample count; min/max: a value was seen
    asm.emit(.storeImm(.dw, fp, result, 0))
    asm.emit(.storeImm(.dw, fp, extra, 0))
    asm.emit(.storeImm(.dw, fp, cpu, 0))
    let top = asm.newLabel()
    let next = asm.newLabel()
    asm.bind(top)
    asm.emit(.loadMap(.r1, resources.ref(def.name)))
    pointer(.r2, toStack: key)
    asm.emit(.load(.dw, .r3, fp, cpu))
    asm.call(.mapLookupPercpuElem)
    asm.emit(.jumpIf(.eq, .r0, .imm(0), next))
    asm.emit(.load(.dw, .r1, .r0, 0))
    asm.emit(.load(.dw, .r2, fp, result))
    switch agg {
    case .min(let signed), .max(let signed):
      let isMin: Bool = { if case .min = agg { return true } else { return false } }()
      asm.emit(.load(.dw, .r3, .r0, 8))
      asm.emit(.jumpIf(.eq, .r3, .imm(0), next))
      let take = asm.newLabel()
      asm.emit(.load(.dw, .r3, fp, extra))
      asm.emit(.jumpIf(.eq, .r3, .imm(0), take))
      let keepOld: JumpOp = isMin ? (signed ? .sge : .ge) : (signed ? .sle : .le)
      asm.emit(.jumpIf(keepOld, .r1, .reg(.r2), next))
      asm.bind(take)
      asm.emit(.store(.dw, fp, result, .r1))
      asm.emit(.storeImm(.dw, fp, extra, 1))
    case .avg:
      asm.emit(.alu64(.add, .r2, .reg(.r1)))
      asm.emit(.store(.dw, fp, result, .r2))
      asm.emit(.load(.dw, .r1, .r0, 8))
      asm.emit(.load(.dw, .r2, fp, extra))
      asm.emit(.alu64(.add, .r2, .reg(.r1)))
      asm.emit(.store(.dw, fp, extra, .r2))
    default:
      asm.emit(.alu64(.add, .r2, .reg(.r1)))
      asm.emit(.store(.dw, fp, result, .r2))
    }
    asm.bind(next)
    asm.emit(.load(.dw, .r1, fp, cpu))
    asm.emit(.alu64(.add, .r1, .imm(1)))
    asm.emit(.store(.dw, fp, cpu, .r1))
    asm.emit(.jumpIf(.lt, .r1, .imm(Int32(BPFMap.possibleCPUs)), top))
    if case .avg(let signed) = agg {
      let done = asm.newLabel()
      asm.emit(.load(.dw, .r2, fp, extra))
      asm.emit(.jumpIf(.eq, .r2, .imm(0), done))
      asm.emit(.load(.dw, .r1, fp, result))
      asm.emit(.alu64(signed ? .sdiv : .div, .r1, .reg(.r2)))
      asm.emit(.store(.dw, fp, result, .r1))
      asm.bind(done)
    }
  }
}
