import Foundation

/// Diagnostics go to stderr (Jupyter shows the kernel's stderr in its log); stdout
/// is left alone. `BPFREPL_KERNEL_DEBUG=1` adds per-message tracing.
enum KernelLog {
  static let debugEnabled = ProcessInfo.processInfo.environment["BPFREPL_KERNEL_DEBUG"] == "1"
  private static let lock = NSLock()

  static func error(_ text: @autoclosure () -> String) { write("error", text()) }
  static func warn(_ text: @autoclosure () -> String) { write("warning", text()) }
  static func info(_ text: @autoclosure () -> String) { write("info", text()) }
  static func debug(_ text: @autoclosure () -> String) {
    if debugEnabled { write("debug", text()) }
  }

  private static func write(_ level: String, _ text: String) {
    let line = "[bpfrepl kernel] \(level): \(text)\n"
    // write(2) rather than FileHandle: a closed stderr must not crash the kernel.
    lock.lock()
    _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    lock.unlock()
  }
}
