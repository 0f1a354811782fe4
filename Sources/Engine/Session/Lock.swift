import Glibc

/// A plain pthread mutex: the session's state is touched by the cell thread and the event pump.
final class Lock: @unchecked Sendable {
  private var m = pthread_mutex_t()
  init() { pthread_mutex_init(&m, nil) }
  deinit { pthread_mutex_destroy(&m) }

  func locked<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(&m)
    defer { pthread_mutex_unlock(&m) }
    return try body()
  }
}

/// Starts `body` on its own thread.
func startThread(_ body: @escaping () -> Void) {
  final class Box {
    let body: () -> Void
    init(_ b: @escaping () -> Void) { body = b }
  }
  let box = Unmanaged.passRetained(Box(body)).toOpaque()
  var tid = pthread_t()
  pthread_create(
    &tid, nil,
    { arg in
      let b = Unmanaged<AnyObject>.fromOpaque(arg!).takeRetainedValue() as! Box
      b.body()
      return nil
    }, box)
  pthread_detach(tid)
}
