// Process helpers that must not run Swift code between fork and exec, and a file-handle
// struct with a flexible array member that Swift cannot build.
#define _GNU_SOURCE
#include "bpfshim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int bpfrepl_cgroup_id(const char *path, uint64_t *id) {
  struct {
    struct file_handle fh;
    uint64_t cgid;
  } h;
  int mount_id;
  h.fh.handle_bytes = sizeof(uint64_t);
  if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0) return -errno;
  *id = h.cgid;
  return 0;
}

int bpfrepl_spawn_held(const char *file, char *const argv[], int *release_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return -errno;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    return -e;
  }
  if (pid == 0) {
    // The child must not outlive a tracer that dies before releasing it.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    close(fds[1]);
    char go;
    if (read(fds[0], &go, 1) != 1) _exit(127);
    // Signals the tracer blocked or ignored must not stay so in the command.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(file, argv);
    _exit(127);
  }
  close(fds[0]);
  *release_fd = fds[1];
  return pid;
}
