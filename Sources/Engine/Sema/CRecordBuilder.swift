/// Lays out the members of one struct or union as `cc` does on x86-64 (System V ABI): each member
/// at the next multiple of its alignment, bitfields packed into units of their declared type
/// without straddling one, the size rounded up to the strictest alignment. `packed` drops all
/// alignment; `aligned(N)` raises the record's.
struct CRecordBuilder {
  let isUnion: Bool
  let packed: Bool
  private(set) var fields: [RecordLayout.Field] = []
  /// The next free bit of a struct; for a union, the widest member so far.
  private var bits = 0
  private var alignment = 1

  init(isUnion: Bool, packed: Bool) {
    self.isUnion = isUnion
    self.packed = packed
  }

  /// A member; `bitWidth` for bitfields, `memberAlignment` from an `aligned(N)` attribute on it.
  mutating func add(name: String, type: CType, bitWidth: Int?, memberAlignment: Int? = nil) {
    if let width = bitWidth {
      addBitfield(name: name, type: type, width: width)
      return
    }
    let align = packed ? (memberAlignment ?? 1) : max(type.alignment, memberAlignment ?? 1)
    alignment = max(alignment, align)
    let offset = isUnion ? 0 : roundUp((bits + 7) / 8, align)
    fields.append(RecordLayout.Field(name: name, offset: offset, type: type.bpfType))
    bits = isUnion ? max(bits, type.size * 8) : (offset + type.size) * 8
  }

  private mutating func addBitfield(name: String, type: CType, width: Int) {
    let unit = type.size * 8
    var start = isUnion ? 0 : bits
    if !packed {
      if width == 0 {
        bits = roundUp(bits, type.alignment * 8)
        return
      }
      // A bitfield never straddles a unit of its own type.
      if unit > 0, start / unit != (start + width - 1) / unit { start = roundUp(start, unit) }
      // Named bitfields count toward the record's alignment, unnamed ones do not.
      if !name.isEmpty { alignment = max(alignment, type.alignment) }
    }
    if !name.isEmpty {
      fields.append(
        RecordLayout.Field(name: name, offset: start / 8, bitOffset: start, bitfieldSize: width, type: type.bpfType))
    }
    bits = isUnion ? max(bits, start + width) : start + width
  }

  /// (size, alignment) of the finished record.
  func finish(minimumAlignment: Int) -> (size: Int, alignment: Int) {
    let align = max(alignment, minimumAlignment)
    return (roundUp((bits + 7) / 8, align), align)
  }

  private func roundUp(_ v: Int, _ a: Int) -> Int { a <= 1 ? v : (v + a - 1) / a * a }
}
