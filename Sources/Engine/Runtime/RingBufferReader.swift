import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// Reads records from a BPF_MAP_TYPE_RINGBUF map with libbpf's ring_buffer. Each record is
/// handed to `handler` in order; the buffer is only valid during the call (copy what you keep).
/// Not thread-safe: poll/consume from one thread at a time.
public final class RingBufferReader {
  /// Holds the Swift closure; the C callback gets it back through an unmanaged pointer.
  private final class Box {
    let handler: (UnsafeRawBufferPointer) -> Void
    init(_ handler: @escaping (UnsafeRawBufferPointer) -> Void) { self.handler = handler }
  }

  private let ring: OpaquePointer
  private let box: Unmanaged<Box>
  /// Keeps the map (and so its fd) alive while libbpf has it mmapped.
  public let map: BPFMap

  public init(map: BPFMap, handler: @escaping (UnsafeRawBufferPointer) -> Void) throws {
    guard map.kind == .ringbuf else {
      throw BPFError("ring_buffer__new(\(map.name))", errno: EINVAL, detail: "map is \(map.kind), not a ringbuf")
    }
    let box = Unmanaged.passRetained(Box(handler))
    // Returning 0 keeps libbpf consuming; non-zero would stop the current batch.
    let callback: ring_buffer_sample_fn = { ctx, data, size in
      let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
      box.handler(UnsafeRawBufferPointer(start: data, count: size))
      return 0
    }
    guard let ring = ring_buffer__new(map.fd, callback, box.toOpaque(), nil) else {
      let e = errno
      box.release()
      throw BPFError("ring_buffer__new(\(map.name))", errno: e)
    }
    self.ring = ring
    self.box = box
    self.map = map
  }

  /// Waits up to `timeoutMs` (-1: forever, 0: don't wait) for records and delivers them.
  /// Returns how many were delivered. EINTR counts as 0 records, not an error.
  @discardableResult
  public func poll(timeoutMs: Int32) throws -> Int {
    let n = ring_buffer__poll(ring, timeoutMs)
    if n == -EINTR { return 0 }
    return Int(try checked("ring_buffer__poll(\(map.name))", n))
  }

  /// Delivers every record available now, without waiting.
  @discardableResult
  public func consume() throws -> Int {
    let n = ring_buffer__consume(ring)
    return Int(try checked("ring_buffer__consume(\(map.name))", n))
  }

  /// An epoll fd that becomes readable when records arrive, for an external event loop.
  public var epollFD: Int32 { ring_buffer__epoll_fd(ring) }

  deinit {
    ring_buffer__free(ring)
    box.release()
  }
}
