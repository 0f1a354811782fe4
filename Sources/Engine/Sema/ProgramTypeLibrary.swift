/// Types from C definitions written in programs, in front of another library (kernel BTF): a
/// struct defined in the program hides a kernel one of the same name. In a session one library
/// lives as long as the session, so a cell's definitions serve later cells; a compile that fails
/// leaves it as it was (`begin`/`commit`/`rollback`, like the map table).
public final class ProgramTypeLibrary: TypeLibrary, @unchecked Sendable {
  public let fallback: TypeLibrary?

  private struct State {
    var records: [String: RecordLayout] = [:]
    var alignments: [String: Int] = [:]
    /// Enumerator name -> (value, the enum's name: "enum color", or "enum <anon#N>").
    var enumerators: [String: (value: Int64, type: String)] = [:]
    /// Enum name -> value -> enumerator name, for printing enum values as upstream does.
    var enumNames: [String: [Int64: String]] = [:]
    /// Object-like `#define NAME text` macros.
    var macros: [String: String] = [:]
    var anonymousCount = 0
  }
  private var state = State()
  private var saved: State?

  public init(fallback: TypeLibrary?) {
    self.fallback = fallback
  }

  public func record(named name: String) -> RecordLayout? {
    if let r = ownRecord(name) { return r }
    return fallback?.record(named: name)
  }

  private func ownRecord(_ name: String) -> RecordLayout? {
    if let r = state.records[name] { return r }
    if !name.hasPrefix("struct "), !name.hasPrefix("union ") {
      return state.records["struct " + name] ?? state.records["union " + name]
    }
    return nil
  }

  /// The value of an enumerator written in a program's `enum { ... }`.
  public func enumerator(_ name: String) -> Int64? { state.enumerators[name]?.value }

  /// The enum an enumerator belongs to.
  public func enumType(ofEnumerator name: String) -> String? { state.enumerators[name]?.type }

  /// Whether a program defined `enum NAME` ("enum NAME").
  public func hasEnum(_ name: String) -> Bool { state.enumNames[name] != nil }

  /// The enumerator of enum `type` with this value, if any.
  public func enumeratorName(_ type: String, value: Int64) -> String? { state.enumNames[type]?[value] }

  /// The replacement text of an object-like `#define`.
  public func macro(_ name: String) -> String? { state.macros[name] }

  // MARK: staging

  public func begin() { saved = state }
  public func commit() { saved = nil }
  public func rollback() {
    if let s = saved { state = s }
    saved = nil
  }

  // MARK: definitions (the C declaration parser fills these)

  func define(_ layout: RecordLayout, alignment: Int) {
    state.records[layout.name] = layout
    state.alignments[layout.name] = alignment
  }

  func defineEnumerator(_ name: String, _ value: Int64, of type: String) {
    state.enumerators[name] = (value, type)
    // The first enumerator with a value names it (as C's switch would see it).
    if state.enumNames[type]?[value] == nil { state.enumNames[type, default: [:]][value] = name }
  }

  func defineEnum(_ type: String) { state.enumNames[type, default: [:]] = state.enumNames[type] ?? [:] }

  func defineMacro(_ name: String, _ text: String) { state.macros[name] = text }

  func anonymousName(isUnion: Bool) -> String {
    state.anonymousCount += 1
    return (isUnion ? "union " : "struct ") + "(anon#\(state.anonymousCount))"
  }

  func anonymousEnumName() -> String {
    state.anonymousCount += 1
    return "enum <anon#\(state.anonymousCount)>"
  }

  /// A complete record as a C type, for use by value inside a definition (nil if unknown).
  func recordType(_ name: String) -> CType? {
    guard let r = record(named: name) else { return nil }
    return .record(name: r.name, size: r.size, align: recordAlignment(r, depth: 0))
  }

  private func recordAlignment(_ r: RecordLayout, depth: Int) -> Int {
    if let a = state.alignments[r.name] { return a }
    // Kernel BTF has no alignments: the strictest member's, as the compiler chose it.
    guard depth < 8 else { return 8 }
    return r.fields.map { alignment(of: $0.type, depth: depth + 1) }.max() ?? 1
  }

  private func alignment(of t: BPFType, depth: Int) -> Int {
    switch t {
    case .integer(let bits, _): return max(1, bits / 8)
    case .boolean, .string, .buffer: return 1
    case .array(let e, _): return alignment(of: e, depth: depth)
    case .record(let name, _):
      guard let r = record(named: name) else { return 8 }
      return recordAlignment(r, depth: depth)
    default: return 8
    }
  }

  /// Pointers to records declared before they were complete (`struct node *next` inside
  /// `struct node`) get the record's final size.
  func completePointers() {
    for (name, var r) in state.records {
      var changed = false
      for i in r.fields.indices {
        let t = completed(r.fields[i].type)
        if t != r.fields[i].type {
          r.fields[i].type = t
          changed = true
        }
      }
      if changed { state.records[name] = r }
    }
  }

  private func completed(_ t: BPFType) -> BPFType {
    switch t {
    case .pointer(.record(let name, _), let user):
      guard let r = record(named: name) else { return t }
      return .pointer(.record(name: r.name, size: r.size), user: user)
    case .pointer(let p, let user): return .pointer(completed(p), user: user)
    case .array(let e, let n): return .array(completed(e), count: n)
    default: return t
    }
  }
}
