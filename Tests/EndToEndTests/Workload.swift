import Foundation

/// Processes the tool tests trace.
enum Workload {
  /// Runs a program to completion; its stdout.
  @discardableResult
  static func run(_ path: String, _ args: String...) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return "" }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// Starts a program in the background (output discarded).
  static func start(_ path: String, _ args: String...) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
  }

  /// A new file with some content in the temporary directory.
  static func tempFile(_ tag: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-\(tag)-\(getpid())").path
    FileManager.default.createFile(atPath: path, contents: Data("bpfrepl\n".utf8))
    return path
  }

  /// A writable directory whose filesystem sits on a block device (not tmpfs/overlay).
  static func directoryOnABlockDevice() -> String? {
    for dir in ["/var/tmp", NSTemporaryDirectory(), FileManager.default.currentDirectoryPath] {
      var st = stat()
      guard stat(dir, &st) == 0, access(dir, W_OK) == 0 else { continue }
      let major = (st.st_dev >> 8) & 0xfff
      let minor = (st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00)
      if FileManager.default.fileExists(atPath: "/sys/dev/block/\(major):\(minor)") { return dir }
    }
    return nil
  }
}
