import Glibc

/// The kernel releases each perf link slowly (tens of ms), and a process's exit waits for all of
/// them. Probes are already silent once their gates close, so before exiting, a front end hands
/// the descriptors to a detached child, which closes them after we are gone: the command or
/// session ends at once, and nothing stays attached for longer than the kernel needs.
public enum DetachHandoff {
  /// Forks the closer if links are still being released; the caller then exits as usual.
  public static func beforeExit() {
    guard BackgroundCloser.shared.pending > 0 else { return }
    fflush(stdout)
    fflush(stderr)
    let parent = getpid()
    let child = fork()
    guard child == 0 else { return }  // parent (or fork failed: we close them ourselves)
    setsid()
    let null = open("/dev/null", O_RDWR)
    for fd in [Int32(0), 1, 2] { dup2(null, fd) }
    // Our copies only release the links once the parent's are gone.
    while getppid() == parent { usleep(1000) }
    let limit = Int32(min(getdtablesize(), 65536))
    for fd in 3..<limit { close(fd) }
    _exit(0)
  }
}
