/// String searches and copies unrolled over stack buffers (stack offsets must be constants for the
/// verifier): strlen, strcontains with a runtime needle, strstr, str_concat, memcmp, and s[i].
extension ProgramGenerator {
  /// strlen(s): characters before the first NUL (or the whole buffer); a char pointer is read first.
  func strlen(_ args: [Expr], _ e: Expr) throws -> Value {
    let source = try emit(args[0])
    let result = try newTemp(at: e.range)
    guard case .bytes(let off, let size) = source else {
      throw fail("internal: strlen() of a value not in memory", e.range)
    }
    let end = asm.newLabel()
    let stops = (0..<size).map { _ in asm.newLabel() }
    for i in 0..<size {
      asm.emit(.load(.b, .r1, fp, off + Int16(i)))
      asm.emit(.jumpIf(.eq, .r1, .imm(0), stops[i]))
    }
    asm.mov(.r1, Int32(size))
    asm.emit(.jump(end))
    for (i, stop) in stops.enumerated() {
      asm.bind(stop)
      asm.mov(.r1, Int32(i))
      asm.emit(.jump(end))
    }
    asm.bind(end)
    setTemp(result, from: .r1)
    return result
  }

  /// strcontains(haystack, needle) for two strings in memory: every start of the haystack
  /// against the needle up to its NUL, unrolled (stack offsets must be constants).
  func strcontainsRuntime(_ args: [Expr], _ e: Expr) throws -> Value {
    let hay = try emit(args[0])
    let needle = try emit(args[1])
    guard case .bytes(let ho, let hs) = hay, case .bytes(let no, let ns) = needle else {
      throw fail("internal: string not in memory", e.range)
    }
    guard hs * ns <= 16384 else {
      throw fail(
        "strcontains() of strings this long (\(hs) and \(ns) bytes) needs too much code; shorten them with str(s, n)",
        e.range)
    }
    let result = try newTemp(at: e.range)
    let found = asm.newLabel()
    let missing = asm.newLabel()
    let end = asm.newLabel()
    for start in 0..<hs {
      let next = asm.newLabel()
      var matchedWhole = true
      for k in 0..<ns {
        asm.emit(.load(.b, .r2, fp, no + Int16(k)))
        asm.emit(.jumpIf(.eq, .r2, .imm(0), found))
        // The haystack's buffer ends while the needle goes on: no later start can match either.
        guard start + k < hs else {
          asm.emit(.jump(missing))
          matchedWhole = false
          break
        }
        asm.emit(.load(.b, .r1, fp, ho + Int16(start + k)))
        if k == 0 { asm.emit(.jumpIf(.eq, .r1, .imm(0), missing)) }
        asm.emit(.jumpIf(.ne, .r1, .reg(.r2), next))
      }
      // Every needle byte matched and it has no NUL: found (code after a jump would be unreachable).
      if matchedWhole { asm.emit(.jump(found)) }
      asm.bind(next)
    }
    asm.emit(.jump(missing))
    return flag(zeroAt: missing, oneAt: found, end: end, into: result)
  }

  /// `s[i]` of a string in memory: the character (a signed byte) at a constant index.
  func stringCharacter(_ base: Expr, _ index: Expr, size: Int, _ e: Expr) throws -> Value {
    guard case .integer(let i, _) = index.kind else {
      throw fail("Indexing a string needs a constant index (a runtime index is not supported yet)", index.range)
    }
    guard i < UInt64(size) else { throw fail("Index \(i) is out of bounds for a string of \(size) bytes", index.range) }
    let s = try emit(base)
    guard case .bytes(let off, _) = s else { throw fail("internal: string not in memory", e.range) }
    let t = try newTemp(at: e.range)
    asm.emit(.load(.b, .r1, fp, off + Int16(i)))
    extend(.r1, bits: 8, signed: true)
    setTemp(t, from: .r1)
    return t
  }

  /// strstr(haystack, needle): the index of the needle's first occurrence, -1 when absent (0 for
  /// an empty needle); every start tried against the needle up to its NUL, unrolled.
  func strstr(_ args: [Expr], _ e: Expr) throws -> Value {
    let hay = try emit(args[0])
    let needle = try emit(args[1])
    guard case .bytes(let ho, let hs) = hay, case .bytes(let no, let ns) = needle else {
      throw fail("internal: string not in memory", e.range)
    }
    guard hs * ns <= 16384 else {
      throw fail(
        "strstr() of strings this long (\(hs) and \(ns) bytes) needs too much code; shorten them with str(s, n)",
        e.range)
    }
    let result = try newTemp(at: e.range)
    let end = asm.newLabel()
    let missing = asm.newLabel()
    for start in 0..<hs {
      let next = asm.newLabel()
      let found = asm.newLabel()
      var matchedWhole = true
      for k in 0..<ns {
        asm.emit(.load(.b, .r2, fp, no + Int16(k)))
        asm.emit(.jumpIf(.eq, .r2, .imm(0), found))
        guard start + k < hs else {
          asm.emit(.jump(missing))
          matchedWhole = false
          break
        }
        asm.emit(.load(.b, .r1, fp, ho + Int16(start + k)))
        if k == 0 { asm.emit(.jumpIf(.eq, .r1, .imm(0), missing)) }
        asm.emit(.jumpIf(.ne, .r1, .reg(.r2), next))
      }
      if matchedWhole { asm.emit(.jump(found)) }
      asm.bind(found)
      asm.mov(.r1, Int32(start))
      asm.emit(.jump(end))
      asm.bind(next)
    }
    asm.bind(missing)
    asm.mov(.r1, -1)
    asm.bind(end)
    setTemp(result, from: .r1)
    return result
  }

  /// str_concat(a, b): a up to its NUL, then b (the result has room for both).
  func strConcat(_ args: [Expr], _ e: Expr) throws -> Value {
    let va = try emit(args[0])
    let vb = try emit(args[1])
    guard case .bytes(let oa, let sa) = va, case .bytes(let ob, let sb) = vb else {
      throw fail("internal: string not in memory", e.range)
    }
    let size = e.type.size
    let off = try allocate(size, at: e.range)
    try zero(off, size)
    copy(from: fp, oa, to: fp, off, size: min(sa, size))
    let end = asm.newLabel()
    let at = (0..<sa).map { _ in asm.newLabel() }
    for i in 0..<sa {
      asm.emit(.load(.b, .r1, fp, oa + Int16(i)))
      asm.emit(.jumpIf(.eq, .r1, .imm(0), at[i]))
    }
    asm.emit(.jump(at[sa - 1]))  // no NUL: b replaces the last byte
    for (i, label) in at.enumerated() {
      asm.bind(label)
      copy(from: fp, ob, to: fp, off + Int16(i), size: min(sb, size - i))
      asm.emit(.jump(end))
    }
    asm.bind(end)
    return .bytes(off, size: size)
  }

  /// memcmp(a, b, n): 0 when the first n bytes match, else a[i] - b[i] (signed bytes) at the first
  /// difference.
  func memcmp(_ args: [Expr], _ e: Expr) throws -> Value {
    guard case .integer(let n, _) = args[2].kind else { throw fail("memcmp() needs a literal count", args[2].range) }
    var offsets: [Int16] = []
    for a in args.prefix(2) {
      let v = try emit(a)
      if case .bytes(let off, _) = v {
        offsets.append(off)
      } else {
        let off = try allocate(8, at: a.range)
        try store(v, type: a.type, to: off, as: a.type.isInteger ? a.type : .uint64)
        offsets.append(off)
      }
    }
    let result = try newTemp(at: e.range)
    let end = asm.newLabel()
    asm.mov(.r1, 0)
    for i in 0..<Int(n) {
      asm.emit(.load(.b, .r1, fp, offsets[0] + Int16(i)))
      asm.emit(.load(.b, .r2, fp, offsets[1] + Int16(i)))
      extend(.r1, bits: 8, signed: true)
      extend(.r2, bits: 8, signed: true)
      asm.emit(.alu64(.sub, .r1, .reg(.r2)))
      asm.emit(.jumpIf(.ne, .r1, .imm(0), end))
    }
    asm.bind(end)
    setTemp(result, from: .r1)
    return result
  }
}
