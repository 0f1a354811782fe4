/// What Sema and CodeGen need to know about the place a probe's program runs: which builtins mean
/// something there and how to read them. Providers (Runtime/Providers) build these.
public struct ProbeContext: Sendable {
  public enum ProgramKind: String, Sendable {
    /// BPF_PROG_TYPE_TRACEPOINT: ctx is the raw tracepoint record.
    case tracepoint
    /// BPF_PROG_TYPE_PERF_EVENT (interval, profile, software, hardware).
    case perfEvent
    /// BPF_PROG_TYPE_RAW_TRACEPOINT; also used for BEGIN/END run through test_run.
    case rawTracepoint
    /// BPF_PROG_TYPE_KPROBE (kprobe, kretprobe, uprobe, uretprobe, usdt): ctx is pt_regs.
    case kprobe
    /// BPF_PROG_TYPE_TRACING (fentry/fexit): ctx is an array of u64 arguments.
    case tracing
  }

  public var kind: ProgramKind
  /// The provider's canonical name, e.g. "tracepoint".
  public var provider: String
  /// Tracepoint record layout, for `args`.
  public var tracepointFields: [TracepointField]?
  /// Whether `arg0..argN` / `retval` read pt_regs (kprobe-like), and whether this is a return probe.
  public var hasRegisterArguments: Bool = false
  public var isReturnProbe: Bool = false
  /// Whether this is a user-space probe (ustack/usym and `arg` reads use user memory).
  public var isUserSpace: Bool = false
  /// For `iter:KIND` probes: the iterator, whose context is `struct bpf_iter__KIND`.
  public var iterator: String? = nil
  /// The traced binary of a user-space probe (uaddr resolves its symbols).
  public var binaryPath: String? = nil
  /// For usdt probes: the argument operands of the probe's locations (see `UsdtArgumentSets`).
  public var usdtArguments: UsdtArgumentSets? = nil

  public init(kind: ProgramKind, provider: String, tracepointFields: [TracepointField]? = nil) {
    self.kind = kind
    self.provider = provider
    self.tracepointFields = tracepointFields
  }

  /// Two targets can share one program exactly when their contexts are the same.
  public var layoutKey: String {
    var key = "\(kind.rawValue)|\(provider)|\(hasRegisterArguments)|\(isReturnProbe)|\(isUserSpace)|\(iterator ?? "")"
    if let binaryPath { key += "|" + binaryPath }
    if let usdtArguments { key += "|usdt:" + usdtArguments.layoutKey }
    if let fields = tracepointFields {
      key += "|" + fields.map { "\($0.name):\($0.cType):\($0.offset):\($0.size):\($0.isSigned)" }.joined(separator: ",")
    }
    return key
  }
}

/// One field of a tracepoint record, from the tracefs `format` file.
public struct TracepointField: Equatable, Sendable {
  public var name: String
  /// The C type as written in the format file, without the field name (e.g. "const char *", "long").
  public var cType: String
  public var offset: Int
  public var size: Int
  public var isSigned: Bool
  /// `char comm[16]` -> 16
  public var arrayLength: Int?
  /// `__data_loc char[] name`: a u32 holding (length << 16 | offset) of data after the record.
  public var isDataLoc: Bool

  public init(
    name: String, cType: String, offset: Int, size: Int, isSigned: Bool, arrayLength: Int? = nil,
    isDataLoc: Bool = false
  ) {
    self.name = name
    self.cType = cType
    self.offset = offset
    self.size = size
    self.isSigned = isSigned
    self.arrayLength = arrayLength
    self.isDataLoc = isDataLoc
  }

  /// The bpftrace type of this field when read through `args->name`.
  public var type: BPFType {
    if isDataLoc { return .string(size: 64) }
    let base = cType.replacingAll("const ", with: "").replacingAll("volatile ", with: "")
    if base.contains("*") {
      let pointee = base.split(separator: "*").first.map { String($0).trimmed } ?? ""
      if pointee == "char" || pointee == "unsigned char" {
        return .pointer(.integer(bits: 8, signed: true), user: cType.contains("__user") || name.contains("name"))
      }
      return .pointer(.integer(bits: 8, signed: false), user: false)
    }
    if let n = arrayLength {
      if base.hasPrefix("char") || base.hasPrefix("unsigned char") || base.hasPrefix("u8") {
        return .string(size: n)
      }
      let elem = n > 0 ? size / n : size
      return .array(.integer(bits: max(8, elem * 8), signed: isSigned), count: n)
    }
    switch size {
    case 1, 2, 4, 8: return .integer(bits: size * 8, signed: isSigned)
    default: return .buffer(size: size)
    }
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = Substring(self)
    while let r = rest.range(of: target) {
      result += rest[..<r.lowerBound]
      result += replacement
      rest = rest[r.upperBound...]
    }
    return result + rest
  }

  var trimmed: String {
    var s = Substring(self)
    while s.first?.isWhitespace == true { s = s.dropFirst() }
    while s.last?.isWhitespace == true { s = s.dropLast() }
    return String(s)
  }
}

extension Substring {
  var trimmed: String { String(self).trimmed }

  func range(of target: String) -> Range<Substring.Index>? {
    guard !target.isEmpty, target.count <= count else { return nil }
    var i = startIndex
    while i < endIndex {
      if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
      i = index(after: i)
    }
    return nil
  }
}
