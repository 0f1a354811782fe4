/// Struct and union layouts Sema can look into: kernel BTF, and later C definitions written in
/// the program. A protocol so the type checker stays testable without a kernel.
public protocol TypeLibrary: AnyObject {
  /// A record by C name: "task_struct", "struct task_struct", "union foo", or "btf#ID" for an
  /// anonymous nested record.
  func record(named name: String) -> RecordLayout?
}

public struct RecordLayout: Sendable, Equatable {
  public struct Field: Sendable, Equatable {
    public var name: String
    public var offset: Int
    /// For bitfields: the bit offset from the record start and the width in bits (else 0).
    public var bitOffset: Int
    public var bitfieldSize: Int
    public var type: BPFType
    public init(name: String, offset: Int, bitOffset: Int = 0, bitfieldSize: Int = 0, type: BPFType) {
      self.name = name
      self.offset = offset
      self.bitOffset = bitOffset
      self.bitfieldSize = bitfieldSize
      self.type = type
    }
  }

  /// As Sema names it: "struct task_struct".
  public var name: String
  public var size: Int
  public var fields: [Field]

  public init(name: String, size: Int, fields: [Field]) {
    self.name = name
    self.size = size
    self.fields = fields
  }
}

extension TypeLibrary {
  /// A field of a record by name, looking through anonymous nested structs and unions (their
  /// fields read as if they were the outer record's), offsets relative to the outer record.
  public func field(_ name: String, of record: String) -> RecordLayout.Field? {
    guard let layout = self.record(named: record) else { return nil }
    if let f = layout.fields.first(where: { $0.name == name }) { return f }
    for f in layout.fields where f.name.isEmpty {
      guard case .record(let inner, _) = f.type, var hit = field(name, of: inner) else { continue }
      hit.offset += f.offset
      if hit.bitfieldSize > 0 { hit.bitOffset += f.offset * 8 }
      return hit
    }
    return nil
  }
}

extension TypeLibrary {
  /// Kernel variables by name, where the library knows them (kernel BTF does); nil otherwise.
  public func kernelVariableID(named name: String) -> Int32? {
    if let program = self as? ProgramTypeLibrary { return program.fallback?.kernelVariableID(named: name) }
    return (self as? BTFTypeLibrary)?.kernelVariableID(named: name)
  }

  /// Kernel functions (kfuncs) by name, where the library knows them; nil otherwise.
  public func kernelFunctionID(named name: String) -> Int32? {
    if let program = self as? ProgramTypeLibrary { return program.fallback?.kernelFunctionID(named: name) }
    return (self as? BTFTypeLibrary)?.kernelFunctionID(named: name)
  }
}
