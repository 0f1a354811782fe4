#if canImport(Glibc)
  import Glibc
#endif

/// A file descriptor this process owns: closed exactly once, on `close()` or deinit.
/// Every bpf object (map, program, link, perf event) is held by one of these and nothing is
/// pinned, so the death of the process releases everything.
public final class OwnedDescriptor: CustomStringConvertible, @unchecked Sendable {
  private var fd: Int32

  /// Takes ownership of `fd` (which must be >= 0).
  public init(adopting fd: Int32) {
    precondition(fd >= 0, "OwnedDescriptor needs a valid fd")
    self.fd = fd
  }

  /// The descriptor number; -1 after close.
  public var rawValue: Int32 { fd }
  public var isOpen: Bool { fd >= 0 }

  /// Closes now; later calls do nothing.
  public func close() {
    if fd >= 0 {
      _ = Glibc.close(fd)
      fd = -1
    }
  }

  public var description: String { "fd \(fd)" }

  deinit { close() }
}
