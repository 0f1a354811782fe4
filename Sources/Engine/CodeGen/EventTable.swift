/// What user space does with each kind of record the programs send through the ring buffer.
/// Ids are unique within a session, so records of every cell's programs share one ring buffer.
public enum EventKind: Sendable {
  /// printf/errorf/warnf: the format and the types of the values that follow the id.
  case printf(format: ByteString, argumentTypes: [BPFType], severity: String)
  /// print(value)
  case printValue(BPFType)
  /// print(@map, top, div)
  case printMap(name: String, top: Int, div: Int)
  case clearMap(name: String)
  case zeroMap(name: String)
  /// exit(code)
  case exit
  /// join(array [, delimiter]): `JoinLayout.count` string slots follow the id.
  case join(delimiter: String)
  /// time([format]): strftime of the moment user space handles it.
  case time(format: String)
  /// system(format, args...): runs the formatted command with `sh -c` and prints its output.
  case system(format: String, argumentTypes: [BPFType])
  /// cat(format, args...): prints the contents of the file the format names.
  case cat(format: String, argumentTypes: [BPFType])
}

/// One registered event: its id, what it is, where it came from, and the layout of its payload
/// (a tuple of `argumentTypes` after the 8-byte id).
public struct EventDescriptor: Sendable {
  public var id: UInt64
  public var kind: EventKind
  public var payloadTypes: [BPFType]
  public var range: SourceRange
  /// The session cell whose program sends it (0 in one-shot runs): its output belongs to that cell.
  public var cell: Int

  public var payloadLayout: TupleLayout { TupleLayout(payloadTypes) }
  /// Bytes of the whole record: the id, then the payload.
  public var recordSize: Int { 8 + payloadLayout.size }
}

public final class EventTable: @unchecked Sendable {
  public private(set) var events: [UInt64: EventDescriptor] = [:]
  private var nextID: UInt64 = 1
  /// The cell being compiled; events registered now belong to it.
  public var currentCell = 0

  public init() {}

  public func register(_ kind: EventKind, payload: [BPFType], range: SourceRange) -> EventDescriptor {
    let d = EventDescriptor(id: nextID, kind: kind, payloadTypes: payload, range: range, cell: currentCell)
    events[nextID] = d
    nextID += 1
    return d
  }

  public subscript(id: UInt64) -> EventDescriptor? { events[id] }
}

/// Names of concrete probes (e.g. `tracepoint:syscalls:sys_exit_read`) by id. The id is the BPF
/// cookie of the attachment, which is how a program shared by many attach points knows which one
/// fired (`probe` builtin).
public final class ProbeNameTable: @unchecked Sendable {
  public private(set) var names: [String] = []
  private var index: [String: UInt64] = [:]

  public init() {}

  public func id(for name: String) -> UInt64 {
    if let i = index[name] { return i }
    let i = UInt64(names.count)
    names.append(name)
    index[name] = i
    return i
  }

  public func name(_ id: UInt64) -> String? { id < names.count ? names[Int(id)] : nil }
}

/// join() records are built in ring-buffer memory (too big for the BPF stack): the id, then
/// `count` slots of `slotSize` bytes, each a NUL-terminated argument (an empty slot ends the list).
public enum JoinLayout {
  public static let count = 16
  public static let slotSize = 256
  public static var recordSize: Int { 8 + count * slotSize }
}
