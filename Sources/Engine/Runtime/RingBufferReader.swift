import CLibbpf

/// Reads records from a BPF ring buffer map through libbpf, handing each to a Swift closure.
public final class RingBufferReader: @unchecked Sendable {
  final class Box {
    let handler: (UnsafeRawBufferPointer) -> Void
    init(_ h: @escaping (UnsafeRawBufferPointer) -> Void) { handler = h }
  }
  private let box: Box
  private let ring: OpaquePointer

  public init(map: BPFMap, handler: @escaping (UnsafeRawBufferPointer) -> Void) throws {
    box = Box(handler)
    let ctx = Unmanaged.passUnretained(box).toOpaque()
    let callback: ring_buffer_sample_fn = { ctx, data, size in
      let box = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
      box.handler(UnsafeRawBufferPointer(start: data, count: Int(size)))
      return 0
    }
    guard let r = ring_buffer__new(map.fd, callback, ctx, nil) else {
      throw BPFError("ring_buffer__new", errno: errno_value())
    }
    ring = r
  }

  deinit { ring_buffer__free(ring) }

  /// Waits up to `timeoutMs` for records and handles them; returns how many.
  @discardableResult
  public func poll(timeoutMs: Int32) -> Int32 { ring_buffer__poll(ring, timeoutMs) }

  /// Handles whatever is ready without waiting.
  @discardableResult
  public func consume() -> Int32 { ring_buffer__consume(ring) }

  public var epollFD: Int32 { ring_buffer__epoll_fd(ring) }
}

import Glibc

func errno_value() -> Int32 { errno }
