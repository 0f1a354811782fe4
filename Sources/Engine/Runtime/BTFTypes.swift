import CLibbpf
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A resolved BTF type: typedefs, const, volatile, restrict and type tags are looked through.
/// Records appear by name/id/size only (no fields) so pointers to big structs stay cheap;
/// ask `BTFTypes.record(id:)` for the fields.
public indirect enum BTFType: Sendable, Equatable {
  case void
  case integer(size: Int, signed: Bool, isChar: Bool, isBool: Bool)
  case pointer(BTFType)
  case array(BTFType, count: Int)
  /// A struct or union; `name` is "" for anonymous ones.
  case record(name: String, id: UInt32, isUnion: Bool, size: Int)
  case enumeration(name: String, size: Int, signed: Bool)
  case float(size: Int)
  case function
  /// A forward declaration the BTF never completes.
  case opaque(name: String, isUnion: Bool)
  case unknown(kind: Int)

  /// Size in bytes (pointers 8; void, functions and opaque records 0).
  public var size: Int {
    switch self {
    case .void, .function, .opaque, .unknown: return 0
    case .integer(let s, _, _, _), .record(_, _, _, let s), .enumeration(_, let s, _), .float(let s): return s
    case .pointer: return 8
    case .array(let e, let n): return e.size * n
    }
  }
}

/// Types from kernel BTF (/sys/kernel/btf/vmlinux) through libbpf: struct layouts for
/// `args->field` on tp_btf/fentry, casts to `struct task_struct *`, and so on.
public final class BTFTypes: @unchecked Sendable {
  public struct Field: Sendable, Equatable {
    public var name: String  // "" for an anonymous nested struct/union
    public var offset: Int  // bytes from the start of the record (bitOffset / 8)
    public var bitOffset: Int  // bits from the start of the record
    public var bitfieldSize: Int  // 0 unless a bitfield
    public var size: Int
    public var type: BTFType
    /// The C spelling of the declared type, typedefs kept: `pid_t`, `struct mm_struct *`.
    public var typeName: String
  }

  public struct Record: Sendable, Equatable {
    public var name: String
    public var id: UInt32
    public var isUnion: Bool
    public var size: Int
    public var fields: [Field]

    /// A field by name, looking into anonymous nested structs/unions (as C does).
    public func field(named name: String, in btf: BTFTypes) -> Field? {
      if let f = fields.first(where: { $0.name == name }) { return f }
      for f in fields where f.name.isEmpty {
        if case .record(_, let id, _, _) = f.type, let inner = btf.record(id: id),
          var hit = inner.field(named: name, in: btf)
        {
          hit.offset += f.offset
          hit.bitOffset += f.bitOffset
          return hit
        }
      }
      return nil
    }
  }

  let btf: OpaquePointer

  private init(_ btf: OpaquePointer) { self.btf = btf }

  deinit { btf__free(btf) }

  private static let shared = Mutex<BTFTypes?>(nil)

  /// The running kernel's BTF, loaded once (tens of ms) and shared.
  public static func vmlinux() throws -> BTFTypes {
    try shared.withLock { cached in
      if let c = cached { return c }
      guard let raw = btf__load_vmlinux_btf() else {
        throw BPFError("btf__load_vmlinux_btf", errno: errno, detail: "is /sys/kernel/btf/vmlinux there?")
      }
      let t = BTFTypes(raw)
      cached = t
      return t
    }
  }

  // BTF_KIND_* (stable kernel ABI values).
  enum Kind: UInt16 {
    case unknown = 0
    case int, ptr, array, structure, union, enumeration, fwd, typedef, volatile, const,
      restrict, function, functionProto, variable, datasec, float, declTag, typeTag, enum64
  }

  /// The id of a named type of the given BTF kind number, e.g. (`task_struct`, struct).
  public func typeID(named name: String, kind: UInt32) -> UInt32? {
    let id = btf__find_by_name_kind(btf, name, kind)
    return id > 0 ? UInt32(id) : nil
  }

  /// The BTF id of `btf_trace_NAME`, the attach target of a `tp_btf` (BTF-typed raw
  /// tracepoint) program for raw tracepoint NAME.
  public func rawTracepointTypeID(_ name: String) -> UInt32? {
    typeID(named: "btf_trace_" + name, kind: UInt32(Kind.typedef.rawValue))
  }

  /// The BTF id of kernel function NAME (the attach target of fentry/fexit).
  public func functionID(_ name: String) -> UInt32? {
    typeID(named: name, kind: UInt32(Kind.function.rawValue))
  }

  /// A struct (or union, if no struct has that name) by name.
  public func record(named name: String) -> Record? {
    if let id = typeID(named: name, kind: UInt32(Kind.structure.rawValue)) { return record(id: id) }
    if let id = typeID(named: name, kind: UInt32(Kind.union.rawValue)) { return record(id: id) }
    // A typedef of a struct (`typedef struct {...} foo_t`).
    if let id = typeID(named: name, kind: UInt32(Kind.typedef.rawValue)),
      case .record(_, let rid, _, _) = resolve(id)
    {
      return record(id: rid)
    }
    return nil
  }

  /// The record with this type id, with its fields.
  public func record(id: UInt32) -> Record? {
    guard let t = btf__type_by_id(btf, id) else { return nil }
    let kind = Kind(rawValue: btf_kind(t))
    guard kind == .structure || kind == .union else { return nil }
    let n = Int(btf_vlen(t))
    let members = btf_members(t)!
    var fields: [Field] = []
    fields.reserveCapacity(n)
    for i in 0..<n {
      let m = members[i]
      let bitOffset = Int(btf_member_bit_offset(t, UInt32(i)))
      let bitfield = Int(btf_member_bitfield_size(t, UInt32(i)))
      let type = resolve(m.type)
      fields.append(
        Field(
          name: name(m.name_off), offset: bitOffset / 8, bitOffset: bitOffset, bitfieldSize: bitfield,
          size: bitfield > 0 ? (bitfield + 7) / 8 : type.size, type: type, typeName: cName(m.type)))
    }
    return Record(
      name: name(t.pointee.name_off), id: id, isUnion: kind == .union,
      size: Int(t.pointee.size), fields: fields)
  }

  /// Resolves a type id to its description (through typedef/const/volatile/restrict/tags).
  public func resolve(_ id: UInt32) -> BTFType {
    var id = id
    for _ in 0..<64 {  // modifier chains are short; the bound guards against a malformed loop
      if id == 0 { return .void }
      guard let t = btf__type_by_id(btf, id) else { return .unknown(kind: -1) }
      let raw = btf_kind(t)
      guard let kind = Kind(rawValue: raw) else { return .unknown(kind: Int(raw)) }
      switch kind {
      case .typedef, .volatile, .const, .restrict, .typeTag:
        id = t.pointee.type
        continue
      case .int:
        let enc = btf_int_encoding(t)
        return .integer(
          size: Int(t.pointee.size), signed: enc & 1 != 0, isChar: enc & 2 != 0,
          isBool: enc & 4 != 0)
      case .ptr:
        return .pointer(resolve(t.pointee.type))  // records inside stay shallow
      case .array:
        let a = btf_array(t)!.pointee
        return .array(resolve(a.type), count: Int(a.nelems))
      case .structure, .union:
        return .record(name: name(t.pointee.name_off), id: id, isUnion: kind == .union, size: Int(t.pointee.size))
      case .enumeration, .enum64:
        return .enumeration(name: name(t.pointee.name_off), size: Int(t.pointee.size), signed: btf_kflag(t))
      case .float:
        return .float(size: Int(t.pointee.size))
      case .function, .functionProto:
        return .function
      case .fwd:
        return .opaque(name: name(t.pointee.name_off), isUnion: btf_kflag(t))
      default:
        return .unknown(kind: Int(raw))
      }
    }
    return .unknown(kind: -1)
  }

  /// C spelling of a type id, typedef names kept (`pid_t`, `const char *`, `struct file *`).
  public func cName(_ id: UInt32) -> String {
    var suffix = ""
    var prefix = ""
    var id = id
    for _ in 0..<64 {
      if id == 0 { return prefix + "void" + suffix }
      guard let t = btf__type_by_id(btf, id), let kind = Kind(rawValue: btf_kind(t)) else { return "?" }
      let n = name(t.pointee.name_off)
      switch kind {
      case .int, .float, .typedef: return prefix + n + suffix
      case .structure: return prefix + "struct " + (n.isEmpty ? "(anon)" : n) + suffix
      case .union: return prefix + "union " + (n.isEmpty ? "(anon)" : n) + suffix
      case .enumeration, .enum64: return prefix + "enum " + n + suffix
      case .fwd: return prefix + (btf_kflag(t) ? "union " : "struct ") + n + suffix
      case .ptr:
        suffix = " *" + suffix
        id = t.pointee.type
      case .const:
        prefix += "const "
        id = t.pointee.type
      case .volatile:
        prefix += "volatile "
        id = t.pointee.type
      case .restrict, .typeTag: id = t.pointee.type
      case .array:
        let a = btf_array(t)!.pointee
        suffix = suffix + "[\(a.nelems)]"
        id = a.type
      case .functionProto, .function: return prefix + "func" + suffix
      default: return "?"
      }
    }
    return "?"
  }

  func name(_ offset: UInt32) -> String {
    guard let p = btf__name_by_offset(btf, offset) else { return "" }
    return String(cString: p)
  }
}
