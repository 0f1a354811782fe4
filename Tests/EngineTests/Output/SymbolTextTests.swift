import Glibc
import Testing

@testable import Engine

/// Values user space formats: MAC addresses, errno texts, strftime timestamps.
@Suite(.serialized) struct SymbolTextTests {
  @Test func macAddressesAreUpperCaseHexPairs() {
    #expect(SymbolText.macAddress([0x01, 0x02, 0xab, 0xcd, 0xef, 0xff]) == "01:02:AB:CD:EF:FF")
  }

  @Test func errnoTextsTakeTheMagnitude() {
    #expect(SymbolText.errorText(1) == "Operation not permitted")
    #expect(SymbolText.errorText(-2) == "No such file or directory")
    #expect(SymbolText.errorText(100_000).hasPrefix("Unknown error"))
  }

  @Test func strftimeExtensionsAndLocalTime() {
    let old = getenv("TZ").map { String(cString: $0) }
    setenv("TZ", "UTC", 1)
    tzset()
    defer {
      if let old { setenv("TZ", old, 1) } else { unsetenv("TZ") }
      tzset()
    }
    let t: Int64 = 1_700_000_000_123_456_789
    #expect(Timestamp.format(wallNanoseconds: t, "%Y-%m-%dT%H:%M:%S.%f") == "2023-11-14T22:13:20.123456")
    #expect(Timestamp.format(wallNanoseconds: t, "%l|%k") == "123|123456789")
    #expect(Timestamp.format(wallNanoseconds: 5, "%H") == "(?)")
    #expect(Timestamp.format(wallNanoseconds: t, "") == "(?)")
  }
}
