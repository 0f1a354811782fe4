/// A piece of program text and the name diagnostics call it by ("stdin" for `-e`, a path for files,
/// "cell[3]" in a session).
public final class SourceFile: @unchecked Sendable {
  public let name: String
  public let text: String
  /// UTF-8 bytes of `text`; offsets everywhere in the front end index into this.
  public let bytes: [UInt8]
  private let lineStarts: [Int]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
    self.lineStarts = starts
  }

  /// 1-based line and column of a byte offset.
  public func position(of offset: Int) -> (line: Int, column: Int) {
    var lo = 0
    var hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
    }
    return (lo + 1, offset - lineStarts[lo] + 1)
  }

  /// The text of a 1-based line, without its newline.
  public func line(_ number: Int) -> String {
    guard number >= 1, number <= lineStarts.count else { return "" }
    let start = lineStarts[number - 1]
    var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  /// `name:line:col-endcol` (or `name:line-endline` across lines), as diagnostics start.
  public func locationText(of range: SourceRange) -> String {
    let s = position(of: range.start)
    let e = position(of: max(range.start, range.end))
    if s.line != e.line { return "\(name):\(s.line)-\(e.line)" }
    return "\(name):\(s.line):\(s.column)-\(max(e.column, s.column + 1))"
  }

  public func text(of range: SourceRange) -> String {
    let s = max(0, min(range.start, bytes.count))
    let e = max(s, min(range.end, bytes.count))
    return String(decoding: bytes[s..<e], as: UTF8.self)
  }
}

/// A half-open byte range [start, end) in one SourceFile.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  public var start: Int
  public var end: Int

  public init(_ start: Int, _ end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  public static let none = SourceRange(0, 0)

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(min(start, other.start), max(end, other.end))
  }

  public var description: String { "\(start)..<\(end)" }
}
