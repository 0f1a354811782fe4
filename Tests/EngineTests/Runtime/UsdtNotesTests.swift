import Foundation
import Testing

@testable import Engine

/// `.note.stapsdt` entries as libelf gives them to us, against what binutils' readelf prints.
struct UsdtNotesTests {
  static let binary: String? = {
    let dir = NSTemporaryDirectory() + "bpfrepl-usdt-notes-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let code = """
      #define _SDT_HAS_SEMAPHORES 1
      #include <sys/sdt.h>
      unsigned short demo_gated_semaphore __attribute__((section(".probes")));
      unsigned short demo_plain_semaphore __attribute__((section(".probes")));
      volatile int counter = 5;
      int main(int argc, char **argv) {
        DTRACE_PROBE2(demo, plain, argc, counter);
        if (demo_gated_semaphore) DTRACE_PROBE1(demo, gated, 42);
        return 0;
      }
      """
    try? code.write(toFile: dir + "/notes.c", atomically: true, encoding: .utf8)
    guard let r = try? run("/usr/bin/cc", ["-O2", "-o", dir + "/notes", dir + "/notes.c"]), r.status == 0 else {
      return nil
    }
    return dir + "/notes"
  }()

  @Test func notesMatchReadelf() throws {
    let path = try #require(UsdtNotesTests.binary, "cc could not build the target (systemtap-sdt-dev installed?)")
    let notes = try UsdtNotes.read(path: path)
    let text = try run("/usr/bin/readelf", ["-n", path]).out
    func values(_ label: String) -> [String] {
      text.split(separator: "\n").compactMap { line in
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix(label) ? String(t.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) : nil
      }
    }
    #expect(notes.map(\.provider) == values("Provider:"))
    #expect(notes.map(\.name) == values("Name:"))
    #expect(notes.map(\.argumentText) == values("Arguments:"))
    #expect(notes.map(\.name).sorted() == ["gated", "plain"])
    // Location: 0x..., Base: 0x..., Semaphore: 0x...
    let addresses = values("Location:").map { line in
      line.split(separator: ",").map {
        UInt64($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces).dropFirst(2), radix: 16)!
      }
    }
    #expect(notes.map(\.address) == addresses.map { $0[0] })
    #expect(notes.map(\.semaphoreAddress) == addresses.map { $0[2] })
    // Both are in loadable segments: code, and the writable .probes section.
    let elf = try ElfSymbols(path: path)
    for n in notes {
      #expect(n.fileOffset == elf.fileOffset(forAddress: n.address))
      #expect(n.semaphoreFileOffset != nil && n.semaphoreFileOffset == elf.fileOffset(forAddress: n.semaphoreAddress))
    }
  }

  @Test func filesWithoutNotesHaveNoProbes() throws {
    let path = try #require(TargetBinary.path)
    #expect(try UsdtNotes.read(path: path).isEmpty)
  }
}
