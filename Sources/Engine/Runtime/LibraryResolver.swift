#if canImport(Glibc)
  import Glibc
#endif

/// Finds shared libraries by name (`libc` -> /lib/x86_64-linux-gnu/libc.so.6) the way the
/// dynamic linker would: /etc/ld.so.cache, then the usual directories.
public enum LibraryResolver {
  public struct Entry: Sendable, Equatable {
    public var name: String  // libc.so.6
    public var path: String
    public var flags: Int32
  }

  /// `libc`, `c`, `libc.so` or `libc.so.6` -> a path; nil when unknown.
  public static func path(forLibrary name: String) -> String? {
    let base = name.hasPrefix("lib") ? name : "lib" + name
    let entries = cacheEntries
    func best(_ match: (Entry) -> Bool) -> String? {
      let hits = entries.filter(match)
      // Prefer the native ABI (libc6, x86-64 = 0x0303), then versioned sonames.
      return (hits.first { $0.flags == nativeFlags } ?? hits.first)?.path
    }
    if let p = best({ $0.name == name }) { return p }
    if let p = best({ $0.name.hasPrefix(base + ".so") }) { return p }
    for dir in [
      "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
      "/usr/local/lib",
    ] {
      for candidate in [name, base + ".so", base + ".so.6", base + ".so.1", base + ".so.0"] {
        if FileIO.exists(dir + "/" + candidate) { return dir + "/" + candidate }
      }
    }
    return nil
  }

  static let nativeFlags: Int32 = 0x0303

  /// The parsed /etc/ld.so.cache (new "glibc-ld.so.cache1.1" format), read once.
  public static let cacheEntries: [Entry] = parseCache(FileIO.read("/etc/ld.so.cache") ?? [])

  static func parseCache(_ bytes: [UInt8]) -> [Entry] {
    let magic = Array("glibc-ld.so.cache1.1".utf8)
    // An old-format ("ld.so-1.7.0") cache may precede the new one; find the new header.
    guard let start = find(magic, in: bytes) else { return [] }
    func u32(_ at: Int) -> UInt32? {
      guard at >= 0, at + 4 <= bytes.count else { return nil }
      return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
    func string(_ at: Int) -> String? {
      guard at >= 0, at < bytes.count, let end = bytes[at...].firstIndex(of: 0) else { return nil }
      return String(decoding: bytes[at..<end], as: UTF8.self)
    }
    guard let count = u32(start + 20) else { return [] }
    let headerSize = 48
    let entrySize = 24
    var out: [Entry] = []
    for i in 0..<Int(count) {
      let e = start + headerSize + i * entrySize
      // String offsets are relative to the new-format header.
      guard let flags = u32(e), let key = u32(e + 4), let value = u32(e + 8),
        let name = string(start + Int(key)), let path = string(start + Int(value))
      else { break }
      out.append(Entry(name: name, path: path, flags: Int32(bitPattern: flags)))
    }
    return out
  }

  private static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
    guard hay.count >= needle.count else { return nil }
    for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
      if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
    }
    return nil
  }
}
