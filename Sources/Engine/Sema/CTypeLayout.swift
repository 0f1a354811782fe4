/// Sizes and field offsets of kernel C types (from BTF) for sizeof() and offsetof(), which
/// upstream evaluates at compile time.
enum CTypeLayout {
  /// `struct x` / `union x` / `enum x`, a typedef (`pid_t`), or nil when `name` is neither an
  /// aggregate spelling nor a BTF typedef (builtin types are the type checker's business).
  static func size(ofTypeNamed name: String) -> Result<Int, SemaMessage>? {
    let words = name.split(separator: " ", maxSplits: 1).map(String.init)
    guard let btf = try? BTFTypes.vmlinux() else {
      return words.count == 2 && ["struct", "union", "enum"].contains(words[0])
        ? .failure(SemaMessage("Unknown type: \(name) (no kernel BTF to look it up in)")) : nil
    }
    if words.count == 2, words[0] == "struct" || words[0] == "union" {
      guard let r = btf.record(named: words[1]) else { return .failure(SemaMessage("Unknown type: \(name)")) }
      return .success(r.size)
    }
    if words.count == 2, words[0] == "enum" {
      guard let id = btf.typeID(named: words[1], kind: UInt32(BTFTypes.Kind.enumeration.rawValue))
        ?? btf.typeID(named: words[1], kind: UInt32(BTFTypes.Kind.enum64.rawValue))
      else { return .failure(SemaMessage("Unknown type: \(name)")) }
      return .success(btf.resolve(id).size)
    }
    if let id = btf.typeID(named: name, kind: UInt32(BTFTypes.Kind.typedef.rawValue)) {
      return .success(btf.resolve(id).size)
    }
    return nil
  }

  /// The record a type name or a value's type stands for: `struct task_struct` -> task_struct.
  static func recordName(_ spelled: String) -> String {
    for prefix in ["struct ", "union "] where spelled.hasPrefix(prefix) { return String(spelled.dropFirst(prefix.count)) }
    return spelled
  }

  /// Byte offset of `path` (e.g. ["se", "cfs_rq"]) inside record `name`, through nested records.
  static func offset(in name: String, path: [String], spelled: String) -> Result<Int, SemaMessage> {
    guard let btf = try? BTFTypes.vmlinux() else {
      return .failure(SemaMessage("offsetof() needs kernel BTF to find '\(spelled)'"))
    }
    guard var record = btf.record(named: recordName(name)) else { return .failure(SemaMessage("Unknown type: \(spelled)")) }
    var offset = 0
    var owner = spelled
    for (i, field) in path.enumerated() {
      guard let f = record.field(named: field, in: btf) else {
        return .failure(SemaMessage("'\(owner)' has no field named '\(field)'"))
      }
      offset += f.offset
      if i == path.count - 1 { break }
      guard case .record(_, let id, _, _) = f.type, let inner = btf.record(id: id) else {
        return .failure(SemaMessage("'\(field)' is not a struct or union, so it has no field '\(path[i + 1])'"))
      }
      record = inner
      owner = f.typeName
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
