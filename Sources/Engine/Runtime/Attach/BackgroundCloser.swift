import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Closes descriptors on a background thread.
///
/// Why: on this kernel releasing one tracepoint perf-event link costs ~40-80 ms
/// (synchronize_rcu_tasks_trace in perf_event_detach_bpf_prog, then
/// tracepoint_synchronize_unregister), serialized under a kernel mutex — 360 syscall
/// tracepoints take ~27 s to detach (bpftrace 0.17 takes as long). A session hands such fds
/// here and returns at once; until a fd is closed its program still runs at that attach point.
public final class BackgroundCloser: @unchecked Sendable {
  public static let shared = BackgroundCloser()

  private struct State {
    var queue: [OwnedDescriptor] = []
    var running = false
  }
  private let state = Mutex(State())
  private var cond = pthread_cond_t()
  private var condMutex = pthread_mutex_t()

  private init() {
    pthread_cond_init(&cond, nil)
    pthread_mutex_init(&condMutex, nil)
  }

  /// Queues `fds` to be closed in order; returns immediately.
  public func close(_ fds: [OwnedDescriptor]) {
    if fds.isEmpty { return }
    let start = state.withLock { s -> Bool in
      s.queue.append(contentsOf: fds)
      if s.running { return false }
      s.running = true
      return true
    }
    if start { spawnWorker() }
  }

  /// Descriptors queued but not yet closed.
  public var pending: Int { state.withLock { $0.queue.count } }

  /// Blocks until every queued descriptor is closed (session end, tests).
  public func waitUntilIdle() {
    pthread_mutex_lock(&condMutex)
    while state.withLock({ $0.running }) { pthread_cond_wait(&cond, &condMutex) }
    pthread_mutex_unlock(&condMutex)
  }

  private func spawnWorker() {
    var thread = pthread_t()
    let me = Unmanaged.passRetained(self).toOpaque()
    let r = pthread_create(
      &thread, nil,
      { arg in
        let closer = Unmanaged<BackgroundCloser>.fromOpaque(arg!).takeRetainedValue()
        closer.drain()
        return nil
      }, me)
    if r != 0 {
      // No thread: close here, synchronously.
      Unmanaged<BackgroundCloser>.fromOpaque(me).release()
      drain()
    } else {
      pthread_detach(thread)
    }
  }

  private func drain() {
    while true {
      let next = state.withLock { s -> OwnedDescriptor? in
        if s.queue.isEmpty {
          s.running = false
          return nil
        }
        return s.queue.removeFirst()
      }
      guard let fd = next else { break }
      fd.close()
    }
    pthread_mutex_lock(&condMutex)
    pthread_cond_broadcast(&cond)
    pthread_mutex_unlock(&condMutex)
  }
}
