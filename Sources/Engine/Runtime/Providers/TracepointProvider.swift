/// `tracepoint:CATEGORY:NAME` (alias `t`), wildcards in both parts; `args` from the format file.
final class TracepointProvider: ProbeProvider {
  let names = ["tracepoint", "t"]
  private var layouts: [String: [TracepointField]] = [:]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard ap.parts.count == 2, !ap.parts[0].isEmpty, !ap.parts[1].isEmpty else {
      throw invalid(ap, "tracepoint probe must have a category and a name, e.g. tracepoint:syscalls:sys_enter_openat")
    }
    let (cat, name) = (ap.parts[0], ap.parts[1])
    var matches: [(String, String)]
    if Glob.hasWildcard(cat) || Glob.hasWildcard(name) {
      matches = ((try? Tracefs.tracepoints(category: cat, name: name)) ?? []).map { ($0.category, $0.name) }
    } else {
      matches = [(cat, name)]
    }
    if matches.isEmpty { throw invalid(ap, "No tracepoints match \(ap.raw)") }
    return try matches.map { (c, n) in
      let fields: [TracepointField]
      if let cached = layouts["\(c):\(n)"] {
        fields = cached
      } else {
        do { fields = try Tracefs.format(category: c, name: n).fields.map(TracepointField.init) } catch {
          throw invalid(ap, "tracepoint not found: \(c):\(n)")
        }
        layouts["\(c):\(n)"] = fields
      }
      return ProbeTarget(
        name: "tracepoint:\(c):\(n)", spec: .tracepoint(category: c, event: n),
        context: ProbeContext(kind: .tracepoint, provider: "tracepoint", tracepointFields: fields))
    }
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .tracepoint(let c, let n) = target.spec else { return nil }
    return try program.attachTracepoint(category: c, name: n, cookie: cookie)
  }
}

/// `rawtracepoint:NAME` (alias `rt`).
final class RawTracepointProvider: ProbeProvider {
  let names = ["rawtracepoint", "rt"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard let name = ap.parts.last, !name.isEmpty else {
      throw invalid(ap, "rawtracepoint probe needs a tracepoint name")
    }
    var ctx = ProbeContext(kind: .rawTracepoint, provider: "rawtracepoint")
    ctx.hasRegisterArguments = false
    return [ProbeTarget(name: "rawtracepoint:\(name)", spec: .rawTracepoint(event: name), context: ctx)]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .rawTracepoint(let n) = target.spec else { return nil }
    return try program.attachRawTracepoint(name: n)
  }
}

extension TracepointField {
  /// Sema's view of a tracefs format field.
  init(_ f: TracepointFormat.Field) {
    self.init(
      name: f.name, cType: f.type, offset: f.offset, size: f.size, isSigned: f.isSigned,
      arrayLength: f.isDataLoc || f.arrayLength == 0 ? nil : f.arrayLength, isDataLoc: f.isDataLoc)
  }
}
