/// Turns raw bytes from maps and ring-buffer records into printable values, by type.
public indirect enum OutputValue: Equatable, Sendable {
  case signed(Int64)
  case unsigned(UInt64)
  case string(String)
  case tuple([OutputValue])
  case symbol(String)
  case none

  public var text: String {
    switch self {
    case .signed(let v): String(v)
    case .unsigned(let v): String(v)
    case .string(let s), .symbol(let s): s
    case .tuple(let items): "(" + items.map(\.text).joined(separator: ", ") + ")"
    case .none: ""
    }
  }

  var integer: Int64? {
    switch self {
    case .signed(let v): v
    case .unsigned(let v): Int64(bitPattern: v)
    default: nil
    }
  }
}

public struct ValueDecoder: Sendable {
  public var probeNames: @Sendable (UInt64) -> String?

  public init(probeNames: @escaping @Sendable (UInt64) -> String? = { _ in nil }) {
    self.probeNames = probeNames
  }

  public func decode(_ bytes: UnsafeRawBufferPointer, _ type: BPFType) -> OutputValue {
    switch type {
    case .integer(let bits, let signed):
      let raw = readInteger(bytes, size: bits / 8)
      if signed {
        let shift = UInt64(64 - bits)
        return .signed(Int64(bitPattern: raw << shift) >> Int64(shift))
      }
      return .unsigned(raw)
    case .boolean:
      return .unsigned(readInteger(bytes, size: 1) != 0 ? 1 : 0)
    case .string(let n), .buffer(let n):
      let slice = bytes.prefix(n)
      let end = slice.firstIndex(of: 0) ?? slice.endIndex
      return .string(String(decoding: slice[slice.startIndex..<end], as: UTF8.self))
    case .tuple(let items):
      let layout = TupleLayout(items)
      return .tuple(
        zip(items, layout.offsets).map { t, off in
          decode(UnsafeRawBufferPointer(rebasing: bytes[min(off, bytes.count)..<min(off + t.size, bytes.count)]), t)
        })
    case .symbol(.probe):
      let id = readInteger(bytes, size: 8)
      return .symbol(probeNames(id) ?? "probe#\(id)")
    case .pointer, .symbol, .stack:
      return .unsigned(readInteger(bytes, size: 8))
    default:
      return .unsigned(readInteger(bytes, size: min(8, bytes.count)))
    }
  }

  func readInteger(_ bytes: UnsafeRawBufferPointer, size: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<min(size, bytes.count) { v |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    return v
  }
}
