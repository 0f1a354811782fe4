/// Kernel BTF as Sema's `TypeLibrary`: loaded on first use (tens of ms), then cached.
public final class BTFTypeLibrary: TypeLibrary, @unchecked Sendable {
  private var btf: BTFTypes??
  private var cache: [String: RecordLayout?] = [:]

  public init() {}

  private var types: BTFTypes? {
    if btf == nil { btf = .some(try? BTFTypes.vmlinux()) }
    return btf ?? nil
  }

  /// The vmlinux BTF id of a global kernel variable (per-CPU ones included), for percpu_kaddr().
  public func kernelVariableID(named name: String) -> Int32? {
    types?.typeID(named: name, kind: UInt32(BTFTypes.Kind.variable.rawValue)).map { Int32(bitPattern: $0) }
  }

  /// The vmlinux BTF id of a kernel function, for kfunc calls.
  public func kernelFunctionID(named name: String) -> Int32? {
    types?.functionID(name).map { Int32(bitPattern: $0) }
  }

  public func record(named name: String) -> RecordLayout? {
    if let hit = cache[name] { return hit }
    let layout = lookup(name)
    cache[name] = layout
    return layout
  }

  private func lookup(_ name: String) -> RecordLayout? {
    guard let types else { return nil }
    let record: BTFTypes.Record?
    if name.hasPrefix("btf#"), let id = UInt32(name.dropFirst(4)) {
      record = types.record(id: id)
    } else {
      var bare = name
      for prefix in ["struct ", "union "] where bare.hasPrefix(prefix) { bare = String(bare.dropFirst(prefix.count)) }
      record = types.record(named: bare)
    }
    guard let record else { return nil }
    let fields = record.fields.map { f in
      var type = BTFTypeLibrary.bpfType(f.type)
      // Kernels build with -funsigned-char, so BTF can't tell `char` from `u8`: the C name can.
      if case .array(.integer(8, _), let n) = type, f.typeName.hasPrefix("char") || f.typeName.hasPrefix("const char") {
        type = .string(size: n)
      }
      return RecordLayout.Field(
        name: f.name, offset: f.offset, bitOffset: f.bitfieldSize > 0 ? f.bitOffset : 0, bitfieldSize: f.bitfieldSize,
        type: type)
    }
    return RecordLayout(
      name: BTFTypeLibrary.recordName(record.name, id: record.id, isUnion: record.isUnion), size: record.size,
      fields: fields)
  }

  static func recordName(_ name: String, id: UInt32, isUnion: Bool) -> String {
    name.isEmpty ? "btf#\(id)" : (isUnion ? "union " : "struct ") + name
  }

  /// Sema's view of a BTF type.
  static func bpfType(_ t: BTFType) -> BPFType {
    switch t {
    case .integer(let size, let signed, _, let isBool):
      return isBool ? .boolean : .integer(bits: max(8, min(64, size * 8)), signed: signed)
    case .enumeration(_, let size, let signed):
      return .integer(bits: max(8, min(64, size * 8)), signed: signed)
    case .pointer(let pointee):
      switch pointee {
      case .void, .function, .opaque: return .pointer(.integer(bits: 8, signed: false), user: false)
      default: return .pointer(bpfType(pointee), user: false)
      }
    case .array(let element, let count):
      if case .integer(1, _, true, _) = element { return .string(size: count) }
      return .array(bpfType(element), count: count)
    case .record(let name, let id, let isUnion, let size):
      return .record(name: recordName(name, id: id, isUnion: isUnion), size: size)
    default:
      return .none
    }
  }
}
