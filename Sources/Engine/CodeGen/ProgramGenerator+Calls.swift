/// Builtin functions: those that act in the kernel (delete, str) and those that send a record to
/// user space through the ring buffer (printf, print, clear, zero, exit).
extension ProgramGenerator {
  func call(_ name: String, _ args: [Expr], _ e: Expr) throws -> Value {
    switch name {
    case "printf", "errorf", "warnf":
      guard case .string(let format) = args[0].kind else { throw fail("printf needs a format string", e.range) }
      let values = Array(args.dropFirst())
      let payload = values.map { MapDefinition.widened($0.type) }
      let severity = name == "printf" ? "" : name == "errorf" ? "ERROR" : "WARNING"
      let d = resources.events.register(
        .printf(format: format, argumentTypes: payload, severity: severity), payload: payload, range: e.range)
      try sendEvent(d, values, at: e.range)
      return .void
    case "exit":
      let d = resources.events.register(.exit, payload: [.int64], range: e.range)
      try sendEvent(d, args.isEmpty ? [] : args, at: e.range, defaults: [.constant(0)])
      // Conditional in form: statements after exit() are dead, and unreachable code fails to load.
      asm.mov(.r1, 1)
      asm.emit(.jumpIf(.ne, .r1, .imm(0), returnLabel))
      return .void
    case "print":
      if case .map(let m, let keys) = args[0].kind, keys.isEmpty {
        let top = args.count > 1 ? integerLiteral(args[1]) : 0
        let div = args.count > 2 ? integerLiteral(args[2]) : 0
        let d = resources.events.register(.printMap(name: m, top: Int(top), div: Int(div)), payload: [], range: e.range)
        try sendEvent(d, [], at: e.range)
      } else {
        // Booleans print as true/false and tuples are laid out by their own element types, so
        // both keep their type (maps widen them).
        let t: BPFType
        switch args[0].type {
        case .boolean, .tuple: t = args[0].type
        default: t = MapDefinition.widened(args[0].type)
        }
        let d = resources.events.register(.printValue(t), payload: [t], range: e.range)
        try sendEvent(d, [args[0]], at: e.range)
      }
      return .void
    case "clear", "zero":
      guard case .map(let m, _) = args[0].kind else { throw fail("\(name)() expects a map", e.range) }
      let kind: EventKind = name == "clear" ? .clearMap(name: m) : .zeroMap(name: m)
      let d = resources.events.register(kind, payload: [], range: e.range)
      try sendEvent(d, [], at: e.range)
      return .void
    case "delete":
      let mapExpr = args[0]
      guard case .map(let m, var keys) = mapExpr.kind, let def = resources.maps[m] else {
        throw fail("delete() expects a map element", e.range)
      }
      if args.count == 2 { keys = [args[1]] }
      let key = try buildKey(def, keys, at: e.range)
      asm.emit(.loadMap(.r1, resources.ref(def.name)))
      pointer(.r2, toStack: key)
      asm.call(.mapDeleteElem)
      return .void
    case "time":
      var format = "%H:%M:%S\n"
      if case .string(let f)? = args.first?.kind { format = f.text }
      let d = resources.events.register(.time(format: format), payload: [], range: e.range)
      try sendEvent(d, [], at: e.range)
      return .void
    case "join":
      var delimiter = " "
      if args.count == 2, case .string(let d) = args[1].kind { delimiter = d.text }
      let d = resources.events.register(.join(delimiter: delimiter), payload: [], range: e.range)
      try join(args[0], event: d, at: e.range)
      return .void
    case "ntop":
      return try ntop(args, e)
    case "kstack", "ustack":
      return try builtin(name, e)
    case "has_key":
      guard case .map(let m, _) = args[0].kind, let def = resources.maps[m] else {
        throw fail("has_key() expects a map", e.range)
      }
      let key = try buildKey(def, [args[1]], at: e.range)
      lookup(def, key: key)
      let t = try newTemp(at: e.range)
      let end = asm.newLabel()
      asm.mov(.r1, 0)
      asm.emit(.jumpIf(.eq, .r0, .imm(0), end))
      asm.mov(.r1, 1)
      asm.bind(end)
      setTemp(t, from: .r1)
      return t
    case "str", "strncmp", "strcontains", "str_concat", "memcmp", "buf", "macaddr", "strerror", "strftime", "strlen",
      "pton", "signal_name",
      "strstr", "syscall_name":
      return try stringCall(name, args, e)
    case "ksym", "usym", "kaddr", "uaddr", "cgroupid", "sizeof", "offsetof":
      return try symbolCall(name, args, e)
    case "system", "cat", "signal":
      return try actionCall(name, args, e)
    case "fail", "kptr", "uptr", "reg", "static_assert", "comm", "nsecs", "bswap", "assert", "percpu_kaddr", "write_user", "override", "debugf",
      "path", "socket_cookie",
      "unwatch":
      return try stdlibCall(name, args, e)
    case "len" where { if case .stack = args[0].type { return true } else { return false } }():
      return try stackLength(args[0], e)
    case "len":
      guard case .map(let m, _) = args[0].kind, let def = resources.maps[m] else {
        throw fail("len() expects a map", e.range)
      }
      return try mapLength(def, at: e.range)
    case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist":
      throw fail("\(name)() can only be assigned to a map, e.g. @x = \(name)(...)", e.range)
    default:
      throw fail("The function \(name)() is not supported yet", e.range)
    }
  }

  private func integerLiteral(_ e: Expr) -> Int64 {
    if case .integer(let v, _) = e.kind { return Int64(bitPattern: v) }
    return 0
  }

  /// Builds the record [id, payload...] on the stack and submits it to the ring buffer, counting
  /// a lost event when the buffer is full (never silent loss).
  func sendEvent(_ d: EventDescriptor, _ args: [Expr], at range: SourceRange, defaults: [Value] = []) throws {
    let size = d.recordSize
    let record = try allocate(size, at: range)
    try zero(record, size)
    if let id = Int32(exactly: d.id) {
      asm.emit(.storeImm(.dw, fp, record, id))
    } else {
      asm.emit(.loadImm64(.r1, d.id))
      asm.emit(.store(.dw, fp, record, .r1))
    }
    let layout = d.payloadLayout
    for (i, type) in d.payloadTypes.enumerated() {
      let at = record + 8 + Int16(layout.offsets[i])
      if i < args.count {
        try store(try emit(args[i]), type: args[i].type, to: at, as: type)
      } else if i < defaults.count {
        try store(defaults[i], type: .int64, to: at, as: type)
      }
    }
    asm.emit(.loadMap(.r1, resources.ringBuffer))
    pointer(.r2, toStack: record)
    asm.mov(.r3, Int32(size))
    asm.mov(.r4, 0)
    asm.call(.ringbufOutput)
    let sent = asm.newLabel()
    asm.emit(.jumpIf(.eq, .r0, .imm(0), sent))
    asm.emit(.loadMapValue(.r1, resources.lostCounter, offset: 0))
    asm.mov(.r2, 1)
    asm.emit(.atomic(.add, .dw, .r1, 0, .r2))
    asm.bind(sent)
  }
}

extension ProgramGenerator {
  /// join(argv): copies up to 16 user strings from an array of pointers straight into a reserved
  /// ring-buffer record (4 KiB: far beyond the 512-byte stack).
  func join(_ array: Expr, event d: EventDescriptor, at range: SourceRange) throws {
    let base = try spillToSlot(try owned(try emit(array), at: range))
    let record = try allocate(8, at: range)
    let element = try allocate(8, at: range)
    let done = asm.newLabel()
    let lost = asm.newLabel()
    asm.emit(.loadMap(.r1, resources.ringBuffer))
    asm.mov(.r2, Int32(JoinLayout.recordSize))
    asm.mov(.r3, 0)
    asm.call(.ringbufReserve)
    asm.emit(.jumpIf(.eq, .r0, .imm(0), lost))
    asm.emit(.store(.dw, fp, record, .r0))
    asm.emit(.storeImm(.dw, .r0, 0, Int32(d.id)))
    // Reserved memory is not zeroed: mark every slot empty first.
    for i in 0..<JoinLayout.count { asm.emit(.storeImm(.b, .r0, Int16(8 + i * JoinLayout.slotSize), 0)) }
    for i in 0..<JoinLayout.count {
      asm.emit(.storeImm(.dw, fp, element, 0))
      pointer(.r1, toStack: element)
      asm.mov(.r2, 8)
      asm.emit(.load(.dw, .r3, fp, base))
      asm.emit(.alu64(.add, .r3, .imm(Int32(i * 8))))
      asm.call(.probeReadUser)
      asm.emit(.load(.dw, .r3, fp, element))
      asm.emit(.jumpIf(.eq, .r3, .imm(0), done))
      asm.emit(.load(.dw, .r1, fp, record))
      asm.emit(.alu64(.add, .r1, .imm(Int32(8 + i * JoinLayout.slotSize))))
      asm.mov(.r2, Int32(JoinLayout.slotSize))
      asm.call(.probeReadUserStr)
    }
    asm.bind(done)
    asm.emit(.load(.dw, .r1, fp, record))
    asm.mov(.r2, 0)
    asm.call(.ringbufSubmit)
    let end = asm.newLabel()
    asm.emit(.jump(end))
    asm.bind(lost)
    asm.emit(.loadMapValue(.r1, resources.lostCounter, offset: 0))
    asm.mov(.r2, 1)
    asm.emit(.atomic(.add, .dw, .r1, 0, .r2))
    asm.bind(end)
  }

  /// ntop(addr) / ntop(af, addr): (family, 16 address bytes) for user space to print.
  func ntop(_ args: [Expr], _ e: Expr) throws -> Value {
    let addr = args.last!
    let off = try allocate(24, at: e.range)
    try zero(off, 24)
    let isV6 = addr.type.size == 16
    if args.count == 2 {
      try store(try emit(args[0]), type: args[0].type, to: off, as: .uint64)
    } else {
      asm.emit(.storeImm(.dw, fp, off, isV6 ? 10 : 2))  // AF_INET6 : AF_INET
    }
    let v = try emit(addr)
    if case .bytes(let src, let size) = v {
      copy(from: fp, src, to: fp, off + 8, size: min(16, size))
    } else {
      load(v, into: .r1)
      asm.emit(.store(.w, fp, off + 8, .r1))
      release(v)
    }
    return .bytes(off, size: 24)
  }
}
