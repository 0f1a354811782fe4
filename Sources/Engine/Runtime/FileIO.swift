#if canImport(Glibc)
  import Glibc
#endif

/// Whole-file reads and small writes with plain syscalls: no Foundation on startup paths.
enum FileIO {
  /// Contents of a file, or nil if it cannot be opened. Works for sysfs/tracefs files whose
  /// stat size is 0 or wrong (reads until EOF).
  static func read(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return nil }
    defer { _ = close(fd) }
    // sysfs/tracefs report size 0 or 4096; read until EOF into a growing malloc'd buffer.
    var capacity = 4096
    var st = stat()
    if fstat(fd, &st) == 0, st.st_size > 0 { capacity = max(capacity, Int(st.st_size) + 1) }
    var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    var used = 0
    while true {
      if used == capacity {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: used)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
      }
      let n = Glibc.read(fd, buffer + used, capacity - used)
      if n < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if n == 0 { break }
      used += n
    }
    return Array(UnsafeRawBufferPointer(start: buffer, count: used))
  }

  static func readText(_ path: String) -> String? {
    guard let bytes = read(path) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// First line of a small sysfs file, trimmed.
  static func readLine(_ path: String) -> String? {
    guard let text = readText(path) else { return nil }
    return trim(text.split(separator: "\n", maxSplits: 1).first ?? "")
  }

  /// Drops ASCII blanks at both ends (Foundation-free).
  static func trim<S: StringProtocol>(_ text: S) -> String {
    var s = Substring(text)
    while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
    return String(s)
  }

  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  /// Writes `text` to an existing file (sysctl, tracefs control files).
  static func write(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    if fd < 0 { throw BPFError.fromErrno("open(\(path))") }
    defer { _ = close(fd) }
    let n = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress!, $0.count - 1) }
    if n < 0 { throw BPFError.fromErrno("write(\(path))") }
  }

  /// Names in a directory (without . and ..), or nil if it cannot be read.
  static func listDirectory(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let ent = readdir(dir) {
      let name = withUnsafePointer(to: ent.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
