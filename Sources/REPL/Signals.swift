import Glibc

/// Signals reach a front end as calls on an ordinary thread: the handler only writes the signal
/// number to a pipe (async-signal-safe), and a thread reads it and may then take locks, call
/// `session.interrupt()` or wake the line editor. Handlers (not a blocked mask with sigwait) so
/// that `!command` children start with default dispositions and an unblocked mask.
enum Signals {
  nonisolated(unsafe) private static var writeFD: Int32 = -1

  /// A parent may have started us with these blocked; then Ctrl-C would never arrive. Call before
  /// creating the Session, so that its threads inherit the unblocked mask.
  static func unblock(_ signals: [Int32]) {
    var mask = sigset_t()
    sigemptyset(&mask)
    for s in signals { sigaddset(&mask, s) }
    sigprocmask(SIG_UNBLOCK, &mask, nil)
  }

  /// Installs the handlers for `signals` and starts the thread that calls `handler`.
  static func start(_ signals: [Int32], handler: @escaping (Int32) -> Void) {
    var fds: [Int32] = [0, 0]
    pipe(&fds)
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    writeFD = fds[1]
    let readFD = fds[0]
    for s in signals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { signo in
        let saved = errno
        var b = UInt8(truncatingIfNeeded: signo)
        _ = write(Signals.writeFD, &b, 1)
        errno = saved
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(s, &action, nil)
    }
    unblock(signals)
    BackgroundThread.start {
      var b: UInt8 = 0
      while true {
        let n = read(readFD, &b, 1)
        if n == 1 { handler(Int32(b)) } else if n < 0, errno == EINTR { continue } else { return }
      }
    }
  }
}

/// A detached pthread running `body`.
enum BackgroundThread {
  static func start(_ body: @escaping () -> Void) {
    final class Box {
      let body: () -> Void
      init(_ b: @escaping () -> Void) { body = b }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var tid = pthread_t()
    pthread_create(
      &tid, nil,
      { arg in
        Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
        return nil
      }, box)
    pthread_detach(tid)
  }
}
