/// Text that is bytes: a string literal (`"\xff"`) or a string read from the kernel need not be
/// UTF-8, and bpftrace keeps and prints such bytes exactly. `text` is for names and messages.
public struct ByteString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public var bytes: [UInt8]

  public init(_ text: String) { bytes = Array(text.utf8) }
  public init(bytes: [UInt8]) { self.bytes = bytes }
  public init<S: Sequence>(bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
  public init(stringLiteral value: String) { self.init(value) }

  /// As Swift text; bytes that are not UTF-8 become U+FFFD.
  public var text: String { String(decoding: bytes, as: UTF8.self) }
  public var description: String { text }
  public var count: Int { bytes.count }
  public var isEmpty: Bool { bytes.isEmpty }
}
