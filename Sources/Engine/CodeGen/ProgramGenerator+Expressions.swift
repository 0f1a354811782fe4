extension ProgramGenerator {
  /// Generates code that computes `e`; integers come back normalized to 64 bits.
  func emit(_ e: Expr) throws -> Value {
    switch e.kind {
    case .integer(let v, _):
      return .constant(Int64(bitPattern: v))
    case .boolean(let b):
      return .constant(b ? 1 : 0)
    case .string(let s):
      let size = max(e.type.size, s.count + 1)
      let off = try allocate(size, at: e.range)
      try storeLiteral(s.bytes, size: size, at: off)
      return .bytes(off, size: size)
    case .identifier(let name):
      return try builtin(name, e)
    case .variable(let name):
      guard let slot = variables[name] else { throw fail("Undefined variable: \(name)", e.range) }
      if slot.type.isInteger || slot.type == .none {
        // A copy: arithmetic works in place on temporaries, and must not change the variable.
        let t = try newTemp(at: e.range)
        asm.emit(.load(.dw, .r1, fp, slot.offset))
        setTemp(t, from: .r1)
        return t
      }
      return .bytes(slot.offset, size: slot.type.size)
    case .positional, .positionalCount:
      throw fail("Positional parameters are resolved before code generation", e.range)
    case .map(let name, let keys):
      guard let def = resources.maps[name] else { throw fail("Undefined map: \(name)", e.range) }
      return try readMap(def, keys: keys, at: e.range)
    case .call(let name, let args):
      return try call(name, args, e)
    case .typeName:
      throw fail("A type can not be used as a value here", e.range)
    case .binary(let op, let lhs, let rhs):
      if op.isComparison || op.isLogical {
        return try booleanValue(e)
      }
      let signed = e.type.isSigned
      var l = try emit(lhs)
      var r = try emit(rhs)
      if op == .add || op == .sub, case .pointer(let pointee, _) = e.type, pointee.size > 1 {
        let scale = Value.constant(Int64(pointee.size))
        if case .pointer = lhs.type {
          r = try arithmetic(.mul, r, scale, signed: false)
        } else {
          l = try arithmetic(.mul, l, scale, signed: false)
        }
      }
      return try arithmetic(op, l, r, signed: signed)
    case .unary(let op, let operand):
      switch op {
      case .logicalNot:
        return try booleanValue(e)
      case .plus:
        return try emit(operand)
      case .negate:
        let v = try emit(operand)
        if case .constant(let c) = v { return .constant(0 &- c) }
        let t = try owned(v, at: e.range)
        if case .register(let r) = t {
          asm.emit(.alu64(.neg, r, .imm(0)))
        } else {
          load(t, into: .r1)
          asm.emit(.alu64(.neg, .r1, .imm(0)))
          setTemp(t, from: .r1)
        }
        return t
      case .bitNot:
        let v = try emit(operand)
        return try arithmetic(.bitXor, v, .constant(-1), signed: true)
      case .dereference:
        let v = try emit(operand)
        // A struct is used through its address: nothing to read until a field is taken.
        if case .record = e.type { return try owned(v, at: e.range) }
        if case .string(let n) = e.type { return try readString(at: v, offset: 0, size: n, at: e.range) }
        let t = try owned(v, at: e.range)
        let width = min(8, max(1, e.type.size))
        var userOrUnknown = true
        if case .pointer(_, let user) = operand.type { userOrUnknown = user }
        try readKernel(
          pointer: t, size: width, signed: e.type.isSigned, into: t, at: e.range, anyAddressSpace: userOrUnknown)
        return t
      case .addressOf:
        throw fail("The & operator is not supported yet", e.range)
      }
    case .increment(let target, let isDecrement, let isPrefix):
      let delta: Int64 = isDecrement ? -1 : 1
      switch target.kind {
      case .map(let name, let keys):
        guard let def = resources.maps[name] else { throw fail("Undefined map: \(name)", target.range) }
        return try incrementMap(def, keys: keys, delta: delta, returnNew: isPrefix, at: e.range)
      case .variable(let name):
        guard let slot = variables[name] else { throw fail("Undefined variable: \(name)", target.range) }
        let old = try newTemp(at: e.range)
        asm.emit(.load(.dw, .r1, fp, slot.offset))
        if !isPrefix { setTemp(old, from: .r1) }
        asm.emit(.alu64(.add, .r1, .imm(Int32(delta))))
        asm.emit(.store(.dw, fp, slot.offset, .r1))
        if isPrefix { setTemp(old, from: .r1) }
        return old
      default:
        throw fail("++/-- need a map or a variable", e.range)
      }
    case .ternary(let cond, let a, let b):
      let elseLabel = asm.newLabel()
      let end = asm.newLabel()
      if e.type.isInteger {
        let result = try newTemp(at: e.range)
        try jump(cond, when: false, to: elseLabel)
        let va = try emit(a)
        load(va, into: .r1)
        release(va)
        setTemp(result, from: .r1)
        asm.emit(.jump(end))
        asm.bind(elseLabel)
        let vb = try emit(b)
        load(vb, into: .r1)
        release(vb)
        setTemp(result, from: .r1)
        asm.bind(end)
        return result
      }
      let size = e.type.size
      let off = try allocate(size, at: e.range)
      try zero(off, size)
      try jump(cond, when: false, to: elseLabel)
      try storeBranch(try emit(a), a.type, to: off, as: e.type)
      asm.emit(.jump(end))
      asm.bind(elseLabel)
      try storeBranch(try emit(b), b.type, to: off, as: e.type)
      asm.bind(end)
      return .bytes(off, size: size)
    case .cast(_, let operand):
      let v = try emit(operand)
      if e.type == .boolean, operand.type != .boolean { return try truthValue(v, at: e.range) }
      guard case .integer(let bits, let signed) = e.type, bits < 64 else { return v }
      if case .constant(let c) = v {
        let shift = Int64(64 - bits)
        return .constant(
          signed ? (c << shift) >> shift : Int64(bitPattern: (UInt64(bitPattern: c) << UInt64(shift)) >> UInt64(shift)))
      }
      let t = try owned(v, at: e.range)
      load(t, into: .r1)
      extend(.r1, bits: bits, signed: signed)
      setTemp(t, from: .r1)
      return t
    case .field(let base, let name), .arrow(let base, let name):
      if case .tracepointArgs = base.type { return try tracepointField(name, e) }
      var element: (items: [BPFType], index: Int)? = nil
      if case .tuple(let items) = base.type, let i = Int(name) { element = (items, i) }
      if case .namedTuple(let names, let items) = base.type, let i = names.firstIndex(of: name) { element = (items, i) }
      if let (items, i) = element {
        let v = try emit(base)
        guard case .bytes(let off, _) = v else { throw fail("internal: tuple not in memory", e.range) }
        let layout = TupleLayout(items)
        let elemOff = off + Int16(layout.offsets[i])
        if items[i].isInteger {
          let t = try newTemp(at: e.range)
          try loadInteger(from: fp, elemOff, type: items[i], into: .r1)
          setTemp(t, from: .r1)
          return t
        }
        return .bytes(elemOff, size: items[i].size)
      }
      // A record value is held as its address, so `.` and `->` read the same way.
      if case .record(let r, _) = base.type {
        return try recordField(try address(of: try emit(base), at: e.range), record: r, name, e)
      }
      if case .pointer(.record(let r, _), _) = base.type { return try recordField(try emit(base), record: r, name, e) }
      throw fail("Field access on '\(base.type)' is not supported yet", e.range)
    case .index(let base, let index):
      if case .string(let size) = base.type { return try stringCharacter(base, index, size: size, e) }
      let elementSize: Int
      switch base.type {
      case .pointer(let t, _): elementSize = max(1, t.size)
      case .array(let t, _): elementSize = max(1, t.size)
      default: throw fail("Indexing '\(base.type)' with '\(index.type)' is not supported yet", e.range)
      }
      // base address + index * element size, then read the element.
      let address = try arithmetic(
        .add, base.type.isHeldByAddress ? try address(of: try emit(base), at: e.range) : try emit(base),
        try arithmetic(.mul, try emit(index), .constant(Int64(elementSize)), signed: false),
        signed: false)
      return try readMemory(at: address, offset: 0, type: e.type, bitfield: nil, at: e.range)
    case .tuple(let items):
      let layout = TupleLayout(items.map(\.type))
      let off = try allocate(layout.size, at: e.range)
      try zero(off, layout.size)
      for (item, itemOff) in zip(items, layout.offsets) {
        let v = try emit(item)
        try store(v, type: item.type, to: off + Int16(itemOff), as: item.type)
      }
      return .bytes(off, size: layout.size)
    case .record(let fields):
      // Evaluated in source order; laid out as the record's type says.
      guard case .namedTuple(let names, let types) = e.type else { throw fail("internal: untyped record", e.range) }
      let layout = TupleLayout(types)
      let off = try allocate(layout.size, at: e.range)
      try zero(off, layout.size)
      for f in fields {
        guard let i = names.firstIndex(of: f.name) else { continue }
        try store(try emit(f.value), type: f.value.type, to: off + Int16(layout.offsets[i]), as: types[i])
      }
      return .bytes(off, size: layout.size)
    case .block(let statements, let value):
      for s in statements { try generate(s) }
      return try emit(value)
    }
  }

  /// Loads an integer of `type` from memory at base+offset into r, extended to 64 bits.
  func loadInteger(from base: Register, _ offset: Int16, type: BPFType, into r: Register) throws {
    let size = max(1, min(8, type.size))
    asm.emit(.load(MemorySize(bytes: size) ?? .dw, r, base, offset))
    if type.isSigned { extend(r, bits: size * 8, signed: true) }
  }

  func storeLiteral(_ bytes: [UInt8], size: Int, at off: Int16) throws {
    var padded = bytes
    padded += [UInt8](repeating: 0, count: max(0, size - bytes.count))
    for c in ProgramGenerator.chunks(size, aligned: [Int(off)]) {
      let (i, chunk) = (c.at, c.size)
      var word: UInt64 = 0
      for b in 0..<chunk { word |= UInt64(padded[i + b]) << (8 * UInt64(b)) }
      if chunk == 8, Int32(exactly: Int64(bitPattern: word)) == nil {
        asm.emit(.loadImm64(.r1, word))
        asm.emit(.store(.dw, fp, off + Int16(i), .r1))
      } else {
        let imm = chunk == 8 ? Int32(truncatingIfNeeded: Int64(bitPattern: word)) : Int32(truncatingIfNeeded: word)
        asm.emit(.storeImm(MemorySize(bytes: chunk)!, fp, off + Int16(i), imm))
      }
    }
  }

  /// `(bool)x`: 1 when x is not zero (a byte store must not turn 256 into false).
  func truthValue(_ v: Value, at range: SourceRange) throws -> Value {
    if case .constant(let c) = v { return .constant(c != 0 ? 1 : 0) }
    let t = try owned(v, at: range)
    load(t, into: .r1)
    let done = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r1, .imm(0), done))
    asm.mov(.r1, 1)
    asm.bind(done)
    setTemp(t, from: .r1)
    return t
  }

  /// 0/1 from a condition.
  func booleanValue(_ e: Expr) throws -> Value {
    let result = try newTemp(at: e.range)
    let isFalse = asm.newLabel()
    let end = asm.newLabel()
    try jump(e, when: false, to: isFalse)
    asm.mov(.r1, 1)
    asm.emit(.jump(end))
    asm.bind(isFalse)
    asm.mov(.r1, 0)
    asm.bind(end)
    setTemp(result, from: .r1)
    return result
  }

  /// Jumps to `target` when `e` is truthy (`when == true`) or falsy.
  func jump(_ e: Expr, when: Bool, to target: Label) throws {
    switch e.kind {
    case .binary(.logicalAnd, let a, let b):
      if when {
        let skip = asm.newLabel()
        try jump(a, when: false, to: skip)
        try jump(b, when: true, to: target)
        asm.bind(skip)
      } else {
        try jump(a, when: false, to: target)
        try jump(b, when: false, to: target)
      }
    case .binary(.logicalOr, let a, let b):
      if when {
        try jump(a, when: true, to: target)
        try jump(b, when: true, to: target)
      } else {
        let skip = asm.newLabel()
        try jump(a, when: true, to: skip)
        try jump(b, when: false, to: target)
        asm.bind(skip)
      }
    case .unary(.logicalNot, let a):
      try jump(a, when: !when, to: target)
    case .binary(let op, let a, let b) where op.isComparison:
      if case .string = a.type, case .string = b.type {
        try compareStrings(a, b, equal: (op == .equal) == when, to: target)
        return
      }
      let signed = a.type.isSigned && b.type.isSigned
      var cond: JumpOp
      switch op {
      case .equal: cond = .eq
      case .notEqual: cond = .ne
      case .less: cond = signed ? .slt : .lt
      case .lessEqual: cond = signed ? .sle : .le
      case .greater: cond = signed ? .sgt : .gt
      default: cond = signed ? .sge : .ge
      }
      if !when { cond = cond.negated }
      let l = try emit(a)
      let r = try emit(b)
      if case .constant(let x) = l, case .constant(let y) = r {
        constantJump(compare(op, x, y, signed: signed) == when, to: target)
        return
      }
      load(l, into: .r1)
      let rhs = operand(r, scratch: .r2)
      asm.emit(.jumpIf(cond, .r1, rhs, target))
      release(l)
      release(r)
    default:
      let v = try emit(e)
      if case .constant(let c) = v {
        constantJump((c != 0) == when, to: target)
        return
      }
      load(v, into: .r1)
      release(v)
      asm.emit(.jumpIf(when ? .ne : .eq, .r1, .imm(0), target))
    }
  }

  /// A branch decided at compile time, still as a conditional jump: an unconditional one would
  /// leave the other path's code unreachable, which the verifier rejects (it prunes the dead path).
  private func constantJump(_ taken: Bool, to target: Label) {
    asm.mov(.r1, taken ? 1 : 0)
    asm.emit(.jumpIf(.ne, .r1, .imm(0), target))
  }

  private func compare(_ op: BinaryOperator, _ x: Int64, _ y: Int64, signed: Bool) -> Bool {
    let (ux, uy) = (UInt64(bitPattern: x), UInt64(bitPattern: y))
    switch op {
    case .equal: return x == y
    case .notEqual: return x != y
    case .less: return signed ? x < y : ux < uy
    case .lessEqual: return signed ? x <= y : ux <= uy
    case .greater: return signed ? x > y : ux > uy
    default: return signed ? x >= y : ux >= uy
    }
  }

  /// String equality up to the first NUL, as bpftrace compares strings. A literal side compiles to
  /// a few word compares; two runtime strings compare byte by byte.
  private func compareStrings(_ a: Expr, _ b: Expr, equal: Bool, to target: Label) throws {
    let notEqualLabel = equal ? asm.newLabel() : target
    let equalLabel = equal ? target : asm.newLabel()
    func literal(_ e: Expr) -> [UInt8]? {
      if case .string(let s) = e.kind { return s.bytes + [0] }
      return nil
    }
    if let lit = literal(b) ?? literal(a) {
      let other = literal(b) != nil ? a : b
      let v = try emit(other)
      guard case .bytes(let off, let size) = v else { throw fail("internal: string not in memory", a.range) }
      if lit.count > size {
        // The literal can't fit in the other string's buffer: never equal (known now, but still a
        // conditional jump so the code after it stays reachable for the verifier).
        constantJump(true, to: notEqualLabel)
      } else {
        for c in ProgramGenerator.chunks(lit.count, aligned: [Int(off)]) {
          let (i, chunk) = (c.at, c.size)
          var word: UInt64 = 0
          for k in 0..<chunk { word |= UInt64(lit[i + k]) << (8 * UInt64(k)) }
          asm.emit(.load(MemorySize(bytes: chunk)!, .r1, fp, off + Int16(i)))
          if chunk == 8, Int32(exactly: Int64(bitPattern: word)) == nil {
            asm.emit(.loadImm64(.r2, word))
            asm.emit(.jumpIf(.ne, .r1, .reg(.r2), notEqualLabel))
          } else if chunk == 8 {
            asm.emit(.jumpIf(.ne, .r1, .imm(Int32(truncatingIfNeeded: Int64(bitPattern: word))), notEqualLabel))
          } else {
            asm.emit(.jumpIf(.ne, .r1, .imm(Int32(truncatingIfNeeded: word)), notEqualLabel))
          }
        }
        asm.emit(.jump(equalLabel))
      }
    } else {
      let va = try emit(a)
      let vb = try emit(b)
      guard case .bytes(let oa, let sa) = va, case .bytes(let ob, let sb) = vb else {
        throw fail("internal: string not in memory", a.range)
      }
      let n = min(sa, sb)
      for i in 0..<n {
        asm.emit(.load(.b, .r1, fp, oa + Int16(i)))
        asm.emit(.load(.b, .r2, fp, ob + Int16(i)))
        asm.emit(.jumpIf(.ne, .r1, .reg(.r2), notEqualLabel))
        asm.emit(.jumpIf(.eq, .r1, .imm(0), equalLabel))
      }
      // Equal through the shorter buffer: equal if the longer one ends there too.
      if sa != sb {
        let (lo, ls) = sa > sb ? (oa, sa) : (ob, sb)
        _ = ls
        asm.emit(.load(.b, .r1, fp, lo + Int16(n)))
        asm.emit(.jumpIf(.ne, .r1, .imm(0), notEqualLabel))
      }
      asm.emit(.jump(equalLabel))
    }
    if equal { asm.bind(notEqualLabel) } else { asm.bind(equalLabel) }
  }
}

extension ProgramGenerator {
  /// A ternary branch's value into the result: tuples whose strings are shorter than the result's
  /// are copied element by element into the result's layout.
  func storeBranch(_ v: Value, _ from: BPFType, to off: Int16, as to: BPFType) throws {
    guard case .tuple(let src) = from, case .tuple(let dst) = to, from != to, case .bytes(let at, _) = v else {
      return try store(v, type: from, to: off, as: to)
    }
    let (a, b) = (TupleLayout(src), TupleLayout(dst))
    for i in src.indices {
      let (so, dso) = (at + Int16(a.offsets[i]), off + Int16(b.offsets[i]))
      if case .tuple = src[i] {
        try storeBranch(.bytes(so, size: src[i].size), src[i], to: dso, as: dst[i])
      } else {
        copy(from: fp, so, to: fp, dso, size: min(src[i].size, dst[i].size))
      }
    }
  }
}
