import Foundation
import Testing

@testable import Engine

/// A tseries map lives across cells like any map: printed, zeroed and cleared by later cells.
@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root to load BPF programs"))
struct TimeSeriesSessionTests {
  @Test func printZeroAndClearInLaterCells() throws {
    let (s, t) = try makeSession()
    defer { s.shutdown() }
    #expect(s.execute("BEGIN { @a = tseries(5, 1s, 3); }", cell: 1) == .ok)
    #expect(s.execute("print(@a)", cell: 2) == .ok)
    let lines = t.text(cell: 2).split(separator: "\n", omittingEmptySubsequences: false)
    // @a:, range, axis, one row, axis, range, blank line.
    #expect(lines.count == 8, "\(t.text(cell: 2))")
    #expect(lines.first == "@a:")
    #expect(lines.count > 3 && lines[3].hasSuffix(".000000000 |                         *                         | 5"))
    // Same shape: the map is reused; another interval is an error and changes nothing.
    #expect(s.execute("BEGIN { @a = tseries(6, 1s, 3); }", cell: 3) == .ok)
    let r = s.execute("BEGIN { @a = tseries(6, 2s, 3); }", cell: 4)
    guard case .error(_, let message, _) = r else {
      Issue.record("expected an error, got \(r)")
      return
    }
    #expect(message.contains("Different tseries bounds in a single map unsupported"))
    #expect(s.execute("zero(@a)", cell: 5) == .ok)
    #expect(s.execute("print(@a)", cell: 6) == .ok)
    #expect(t.text(cell: 6) == "@a:\n<no data>\n")
    #expect(s.execute("clear(@a)", cell: 7) == .ok)
    #expect(s.execute("print(@a)", cell: 8) == .ok)
    #expect(t.text(cell: 8) == "")
  }
}
