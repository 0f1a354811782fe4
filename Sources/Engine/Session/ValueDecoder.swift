import Glibc

/// Turns raw bytes from maps and ring-buffer records into Output's values, by Sema type.
struct ValueDecoder: Sendable {
  var probeNames: @Sendable (UInt64) -> String?
  /// (stack id, pid, user) -> the symbolized stack.
  var stacks: @Sendable (Int64, Int32, Bool) -> StackTrace

  /// Symbol kinds only the session can resolve (ksym, usym, strftime); nil for the rest.
  var symbols: @Sendable (SymbolKind, UnsafeRawBufferPointer) -> OutputValue?
  /// (enum type, value) -> the enumerator's name, from the program's C definitions.
  var enumeratorName: @Sendable (String, Int64) -> String? = { _, _ in nil }
  /// Struct layouts (program definitions, kernel BTF) for printing struct values.
  var recordLayout: @Sendable (String) -> RecordLayout? = { _ in nil }

  init(
    probeNames: @escaping @Sendable (UInt64) -> String? = { _ in nil },
    stacks: @escaping @Sendable (Int64, Int32, Bool) -> StackTrace = { _, _, _ in StackTrace(frames: []) },
    symbols: @escaping @Sendable (SymbolKind, UnsafeRawBufferPointer) -> OutputValue? = { _, _ in nil }
  ) {
    self.probeNames = probeNames
    self.stacks = stacks
    self.symbols = symbols
  }

  /// The items of a tuple or record, laid out by `TupleLayout`.
  func decode(_ bytes: UnsafeRawBufferPointer, _ items: [BPFType]) -> [OutputValue] {
    zip(items, TupleLayout(items).offsets).map { t, off in
      decode(UnsafeRawBufferPointer(rebasing: bytes[min(off, bytes.count)..<min(off + t.size, bytes.count)]), t)
    }
  }

  func decode(_ bytes: UnsafeRawBufferPointer, _ type: BPFType) -> OutputValue {
    switch type {
    case .integer(let bits, let signed):
      let raw = integer(bytes, size: bits / 8)
      if signed {
        let shift = UInt64(64 - bits)
        return .signed(Int64(bitPattern: raw << shift) >> Int64(shift))
      }
      return .unsigned(raw)
    case .boolean:
      return .boolean(integer(bytes, size: 1) != 0)
    case .enumeration(let name):
      let v = integer(bytes, size: 8)
      guard let label = enumeratorName(name, Int64(bitPattern: v)) else { return .signed(Int64(bitPattern: v)) }
      return .symbolic(label, v)
    case .string(let n):
      let slice = bytes.prefix(n)
      let end = slice.firstIndex(of: 0) ?? slice.endIndex
      // Bytes as read: upstream prints a string's bytes whether or not they are UTF-8.
      var text = Array(slice[slice.startIndex..<end])
      // Upstream marks a string that filled its whole buffer (no NUL) as cut.
      if end == slice.endIndex, n > 0 { text += [UInt8(ascii: "."), UInt8(ascii: ".")] }
      return .string(ByteString(bytes: text))
    case .buffer(let n):
      return .buffer(Array(bytes.prefix(n)))
    case .tuple(let items):
      return .tuple(decode(bytes, items))
    case .namedTuple(let names, let items):
      return .record(zip(names, decode(bytes, items)).map { RecordField($0, $1) })
    case .symbol(.probe):
      let id = integer(bytes, size: 8)
      return .string(ByteString(probeNames(id) ?? "probe#\(id)"))
    case .pointer:
      return .pointer(integer(bytes, size: 8))
    case .symbol(.inet):
      return .string(ByteString(ValueDecoder.inet(bytes)))
    case .symbol(let kind):
      return symbols(kind, bytes) ?? SymbolText.decode(kind, bytes)
    case .sizedBuffer(let capacity):
      let length = min(Int(integer(bytes, size: 4)), capacity, max(0, bytes.count - 8))
      return .buffer(Array(bytes[8..<(8 + length)]))
    case .stack(let user, let mode, let depth):
      let id = Int64(bitPattern: integer(bytes, size: 8))
      let pid = Int32(
        truncatingIfNeeded: integer(UnsafeRawBufferPointer(rebasing: bytes[min(8, bytes.count)...]), size: 4))
      var trace = stacks(id, pid, user)
      trace.frames = Array(trace.frames.prefix(depth))
      trace.mode = mode == "perf" ? .perf : mode == "raw" ? .raw : .bpftrace
      return .stack(trace)
    case .record(let name, _):
      guard let layout = recordLayout(name) else { return .none }
      return .record(recordFields(layout, bytes))
    case .array(let element, let count):
      let size = element.size
      return .array(
        (0..<count).map { i in
          decode(
            UnsafeRawBufferPointer(rebasing: bytes[min(i * size, bytes.count)..<min((i + 1) * size, bytes.count)]),
            element)
        })
    default:
      return .unsigned(integer(bytes, size: min(8, bytes.count)))
    }
  }

  /// `{ .a = 1, .b = ... }`: the fields of an anonymous nested struct or union print as the
  /// outer struct's, as C reads them.
  private func recordFields(_ layout: RecordLayout, _ bytes: UnsafeRawBufferPointer) -> [RecordField] {
    var fields: [RecordField] = []
    for f in layout.fields {
      let start = min(f.offset, bytes.count)
      let end = min(f.offset + max(f.type.size, f.bitfieldSize > 0 ? 8 : 0), bytes.count)
      let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
      if f.name.isEmpty, case .record(let inner, _) = f.type, let innerLayout = recordLayout(inner) {
        fields += recordFields(innerLayout, slice)
      } else if f.bitfieldSize > 0 {
        var word: UInt64 = 0
        for (i, b) in slice.prefix(8).enumerated() { word |= UInt64(b) << UInt64(8 * i) }
        let bits = (word >> UInt64(f.bitOffset - f.offset * 8)) & ((1 << UInt64(f.bitfieldSize)) - 1)
        fields.append(RecordField(f.name, f.type.isSigned ? .signed(Int64(bits)) : .unsigned(bits)))
      } else {
        fields.append(RecordField(f.name, decode(slice, f.type)))
      }
    }
    return fields
  }

  /// (family u64, 16 address bytes) as inet_ntop prints it.
  static func inet(_ bytes: UnsafeRawBufferPointer) -> String {
    guard bytes.count >= 24 else { return "" }
    let family = Int32(bytes[0])
    var out = [CChar](repeating: 0, count: 64)
    let ok = bytes.baseAddress!.advanced(by: 8).withMemoryRebound(to: UInt8.self, capacity: 16) { p in
      inet_ntop(family == 10 ? AF_INET6 : AF_INET, p, &out, 64) != nil
    }
    return ok ? String(cString: out) : ""
  }

  func integer(_ bytes: UnsafeRawBufferPointer, size: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<min(size, bytes.count) { v |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    return v
  }
}
