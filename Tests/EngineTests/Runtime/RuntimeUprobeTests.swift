import Foundation
import Testing

@testable import Engine

/// Runs a command, returns its stdout (stderr discarded) and exit status.
@discardableResult
func run(_ path: String, _ args: [String]) throws -> (out: String, status: Int32) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: path)
  p.arguments = args
  let pipe = Pipe()
  p.standardOutput = pipe
  p.standardError = FileHandle.nullDevice
  try p.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (String(decoding: data, as: UTF8.self), p.terminationStatus)
}

/// A small C program with a probe-able function, compiled once per test process.
enum TargetBinary {
  static let path: String? = {
    let dir = NSTemporaryDirectory() + "bpfrepl-uprobe-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let src = dir + "/target.c"
    let code = """
      #include <stdlib.h>
      __attribute__((noinline)) int bpfrepl_target(int x) { __asm__ volatile(""); return x + 1; }
      int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 1, s = 0;
        for (int i = 0; i < n; i++) s += bpfrepl_target(i);
        return s < 0;
      }
      """
    try? code.write(toFile: src, atomically: true, encoding: .utf8)
    guard let r = try? run("/usr/bin/cc", ["-O1", "-o", dir + "/target", src]), r.status == 0 else { return nil }
    return dir + "/target"
  }()
}

/// nm's address of `symbol` mapped through readelf's PT_LOAD lines: the file offset.
func offsetPerBinutils(_ path: String, _ symbol: String, dynamic: Bool = false) throws -> UInt64? {
  let nm = try run("/usr/bin/nm", (dynamic ? ["-D"] : []) + ["--defined-only", path]).out
  // nm -D prints versioned names: `malloc@@GLIBC_2.2.5`.
  guard
    let line = nm.split(separator: "\n").first(where: {
      $0.hasSuffix(" " + symbol) || $0.contains(" " + symbol + "@")
    }),
    let addr = UInt64(line.split(separator: " ")[0], radix: 16)
  else { return nil }
  let rel = try run("/usr/bin/readelf", ["-lW", path]).out
  for l in rel.split(separator: "\n") where l.trimmingCharacters(in: .whitespaces).hasPrefix("LOAD") {
    let f = l.split(separator: " ")
    guard let off = UInt64(f[1].dropFirst(2), radix: 16), let vaddr = UInt64(f[2].dropFirst(2), radix: 16),
      let memsz = UInt64(f[5].dropFirst(2), radix: 16)
    else { continue }
    if addr >= vaddr && addr < vaddr + memsz { return addr - vaddr + off }
  }
  return nil
}

// Serialized: the uprobe tests count calls of the same target binary.
@Suite(.serialized) struct RuntimeUprobeTests {
  @Test func elfOffsetsMatchBinutils() throws {
    let target = try #require(TargetBinary.path, "cc could not build the target")
    let elf = try ElfSymbols(path: target)
    let sym = try #require(elf.function(named: "bpfrepl_target"))
    #expect(sym.kind == .function && sym.binding == .global && sym.size > 0)
    #expect(sym.fileOffset == (try offsetPerBinutils(target, "bpfrepl_target")))
    #expect(elf.function(named: "main") != nil)
    #expect(elf.functions(matching: "bpfrepl_*").map(\.name) == ["bpfrepl_target"])
    // Symbolization: an address inside the function maps back to it.
    let hit = try #require(elf.symbolize(address: sym.address + 1))
    #expect(hit.symbol.name == "bpfrepl_target" && hit.offset == 1)
  }

  @Test func libcSymbolsAndResolution() throws {
    let libc = try #require(LibraryResolver.path(forLibrary: "libc"))
    #expect(libc.hasSuffix("libc.so.6"))
    #expect(LibraryResolver.path(forLibrary: "c") == libc)
    #expect(LibraryResolver.path(forLibrary: "libc.so.6") == libc)
    let ldconfig = try run("/sbin/ldconfig", ["-p"]).out
    #expect(ldconfig.contains("=> \(libc)"))
    #expect(LibraryResolver.cacheEntries.count > 10)
    #expect(try ElfSymbols.resolveBinary("libc") == libc)
    #expect(try ElfSymbols.resolveBinary("bash").hasSuffix("/bash"))
    let elf = try ElfSymbols(path: libc)
    #expect(elf.isPositionIndependent)
    let malloc = try #require(elf.function(named: "malloc"))
    #expect(malloc.fileOffset == (try offsetPerBinutils(libc, "malloc", dynamic: true)))
  }

  @Test(.enabled(if: KernelFeatures.uprobes, "the kernel has no uprobe PMU"))
  func uprobeFiresWhenTheBinaryRuns() throws {
    let target = try #require(TargetBinary.path, "cc could not build the target")
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m), type: .kprobe, name: "uprobe")
    let a = try p.attachUprobe(binary: target, symbol: "bpfrepl_target", cookie: 5)
    #expect(a.kind == .uprobe && a.cookie == 5)
    try run(target, ["25"])
    #expect(try slot0(m) == 25)
    a.detach()
    try run(target, ["25"])
    #expect(try slot0(m) == 25)
  }

  @Test(.enabled(if: KernelFeatures.uprobes, "the kernel has no uprobe PMU"))
  func uretprobeFires() throws {
    let target = try #require(TargetBinary.path, "cc could not build the target")
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m), type: .kprobe, name: "uretprobe")
    let sym = try #require(try ElfSymbols(path: target).function(named: "bpfrepl_target"))
    let a = try p.attachUprobe(path: target, offset: try #require(sym.fileOffset), retprobe: true)
    #expect(a.kind == .uretprobe)
    try run(target, ["7"])
    #expect(try slot0(m) == 7)
  }

  @Test(.enabled(if: KernelFeatures.uprobes && KernelFeatures.attachCookie, "no uprobes or cookies"))
  func uprobeCookie() throws {
    let target = try #require(TargetBinary.path, "cc could not build the target")
    let m = try counterMap("cookie_up")
    let p = try BPFProgram(instructions: A.cookieRecorder(map: m), type: .kprobe, name: "cookie_up")
    let a = try p.attachUprobe(binary: target, symbol: "main", cookie: 0xABCDEF)
    try run(target, ["1"])
    a.detach()
    #expect(try slot0(m) == 0xABCDEF)
  }

  @Test func unknownSymbolIsTypedError() throws {
    let p = try BPFProgram(instructions: A.returnZero, type: .kprobe, name: "nosym")
    #expect(throws: BPFError.self) { try p.attachUprobe(binary: "/bin/true", symbol: "no_such_function_x") }
    #expect(throws: BPFError.self) { try p.attachUprobe(binary: "/no/such/file", symbol: "main") }
  }
}
