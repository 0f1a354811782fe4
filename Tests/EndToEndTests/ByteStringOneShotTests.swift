import Foundation
import Testing

/// String literals with bytes that are not UTF-8 (`"\xff"`) are kept and printed byte for byte,
/// as upstream bpftrace prints them.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct ByteStringOneShotTests {
  /// Runs bpfrepl and returns its raw stdout bytes.
  func stdoutBytes(_ program: String) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Bpfrepl.path)
    p.arguments = ["-e", program]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Array(data)
  }

  @Test func printfAndMapKeysKeepTheBytes() throws {
    let bytes = try stdoutBytes(#"BEGIN { printf("%s|\xfe\n", "\xff\xab"); @["\xff"] = 1; @s = "\xc3\xa9t\xe9"; }"#)
    let expected: [UInt8] =
      [0xff, 0xab] + Array("|".utf8) + [0xfe] + Array("\n\n\n@[".utf8) + [0xff] + Array("]: 1\n@s: ".utf8)
      + [0xc3, 0xa9] + Array("t".utf8) + [0xe9, 0x0a]
    #expect(bytes == expected, "got \(bytes)")
  }

  @Test func printAndComparisonUseTheBytes() throws {
    let bytes = try stdoutBytes(
      #"BEGIN { print("\x80ok"); if ("\xff" == "\xfe") { printf("equal\n"); } else { printf("differ %d\n", sizeof("\xff\xfe")); } }"#
    )
    #expect(bytes == [0x80] + Array("ok\ndiffer 3\n\n\n".utf8), "got \(bytes)")
  }
}
