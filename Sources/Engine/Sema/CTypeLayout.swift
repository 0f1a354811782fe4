/// Field offsets for offsetof(), which upstream evaluates at compile time: through the struct
/// layouts of the type library (kernel BTF in a session).
enum CTypeLayout {
  /// Byte offset of `path` (e.g. ["se", "cfs_rq"]) inside record `record`, through nested records.
  static func offset(in record: String, path: [String], types: TypeLibrary?) -> Result<Int, SemaMessage> {
    guard let types, types.record(named: record) != nil else {
      return .failure(SemaMessage("Unknown struct/union: '\(record)' (types come from kernel BTF)"))
    }
    var offset = 0
    var owner = record
    for (i, name) in path.enumerated() {
      guard let f = types.field(name, of: owner) else {
        return .failure(SemaMessage("'\(owner)' has no field named '\(name)'"))
      }
      offset += f.offset
      if i == path.count - 1 { break }
      guard case .record(let inner, _) = f.type else {
        return .failure(SemaMessage("'\(f.type)' is not a C type."))
      }
      owner = inner
    }
    return .success(offset)
  }

  /// `a.b.c` of offsetof's second argument as a list of names.
  static func fieldPath(_ e: Expr) -> [String]? {
    switch e.kind {
    case .identifier(let n): return [n]
    case .field(let base, let n): return fieldPath(base).map { $0 + [n] }
    default: return nil
    }
  }
}
