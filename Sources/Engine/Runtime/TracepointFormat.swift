#if canImport(Glibc)
  import Glibc
#endif

/// The record layout of one tracepoint, parsed from tracefs `events/CAT/NAME/format`.
public struct TracepointFormat: Sendable, Equatable {
  public struct Field: Sendable, Equatable {
    /// Field name, e.g. `ret`, `filename`, `prev_comm`.
    public var name: String
    /// The C type without the name or array suffix: `long`, `const char *`, `char`.
    /// For `__data_loc char[] name` it is `char` (see `isDataLoc`).
    public var type: String
    /// The declaration as tracefs prints it, e.g. `char prev_comm[16]`.
    public var declaration: String
    public var offset: Int
    public var size: Int
    public var isSigned: Bool
    /// Fixed arrays `T x[N]` have N; flexible arrays `T x[]` have 0; scalars nil.
    public var arrayLength: Int?
    /// `__data_loc T[] x`: a u32 at `offset` holding (length << 16 | offset of the data).
    public var isDataLoc: Bool
    /// `__rel_loc`: like data_loc, but the data offset is relative to the end of this field.
    public var isRelLoc: Bool
    /// `common_type`, `common_pid`... the header every record starts with.
    public var isCommon: Bool

    public var isArray: Bool { arrayLength != nil }
    public var isPointer: Bool { type.hasSuffix("*") }
  }

  public var category: String
  public var name: String
  public var id: UInt64
  /// Every field in order, common ones included.
  public var allFields: [Field]

  /// The event's own fields (what `args` exposes), without `common_*`.
  public var fields: [Field] { allFields.filter { !$0.isCommon } }
  public var commonFields: [Field] { allFields.filter { $0.isCommon } }

  public func field(named name: String) -> Field? { allFields.first { $0.name == name } }

  /// Parses the text of a `format` file.
  public init(category: String, name: String, text: String) throws {
    self.category = category
    self.name = name
    self.id = 0
    self.allFields = []
    for rawLine in text.split(separator: "\n") {
      let line = FileIO.trim(rawLine)
      if line.hasPrefix("ID:") {
        id = UInt64(FileIO.trim(line.dropFirst(3))) ?? 0
      } else if line.hasPrefix("field:") {
        allFields.append(try TracepointFormat.parseField(line))
      }
    }
    if allFields.isEmpty {
      throw BPFError("parse tracepoint format \(category):\(name)", errno: EINVAL, detail: "no fields")
    }
  }

  /// `field:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;`
  static func parseField(_ line: String) throws -> Field {
    var declaration = ""
    var offset = -1
    var size = -1
    var signed = false
    for part in line.split(separator: ";") {
      let item = FileIO.trim(part)
      guard let colon = item.firstIndex(of: ":") else { continue }
      let key = item[..<colon]
      let value = FileIO.trim(item[item.index(after: colon)...])
      switch key {
      case "field": declaration = value
      case "offset": offset = Int(value) ?? -1
      case "size": size = Int(value) ?? -1
      case "signed": signed = value == "1"
      default: break
      }
    }
    guard !declaration.isEmpty, offset >= 0, size >= 0 else {
      throw BPFError("parse tracepoint field", errno: EINVAL, detail: line)
    }
    var decl = Substring(declaration)
    var isDataLoc = false
    var isRelLoc = false
    if decl.hasPrefix("__data_loc ") {
      isDataLoc = true
      decl = decl.dropFirst(11)
    }
    if decl.hasPrefix("__rel_loc ") {
      isRelLoc = true
      decl = decl.dropFirst(10)
    }
    // Name: the last identifier, possibly followed by [N].
    var arrayLength: Int? = nil
    var body = decl
    if body.hasSuffix("]"), let open = body.lastIndex(of: "[") {
      let inside = body[body.index(after: open)..<body.index(before: body.endIndex)]
      arrayLength = Int(inside) ?? 0
      body = body[..<open]
    }
    var nameStart = body.endIndex
    while nameStart > body.startIndex {
      let c = body[body.index(before: nameStart)]
      if c.isLetter || c.isNumber || c == "_" { nameStart = body.index(before: nameStart) } else { break }
    }
    let name = String(body[nameStart...])
    var type = FileIO.trim(body[..<nameStart])
    // `__data_loc char[] name`: the brackets belong to the type.
    if type.hasSuffix("[]") {
      type = FileIO.trim(type.dropLast(2))
      if arrayLength == nil { arrayLength = 0 }
    }
    return Field(
      name: name, type: type, declaration: declaration, offset: offset, size: size,
      isSigned: signed, arrayLength: arrayLength, isDataLoc: isDataLoc, isRelLoc: isRelLoc,
      isCommon: name.hasPrefix("common_"))
  }
}
