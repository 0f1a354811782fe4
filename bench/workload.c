/* Benchmark workload: a tight loop of one cheap syscall, so the traced tracepoint fires at a known
 * count and rate with no other work in between. Compiled by bench/run.py at run time.
 *
 *   workload getppid N [US]   N getppid() calls (N = 0: forever, until killed), US microseconds apart
 *   workload close N BASE     close(BASE + i) for i < N: N distinct, invalid fds (EBADF)
 *
 * syscall(2) directly: glibc may cache getppid-like results, and we want every call to trap. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s getppid N | close N BASE\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  if (strcmp(argv[1], "getppid") == 0) {
    long pause = argc > 3 ? atol(argv[3]) : 0;
    for (long i = 0; n == 0 || i < n; i++) {
      syscall(SYS_getppid);
      if (pause) usleep(pause);
    }
  } else if (strcmp(argv[1], "close") == 0 && argc > 3) {
    long base = atol(argv[3]);
    for (long i = 0; i < n; i++) syscall(SYS_close, base + i);
  } else {
    return 2;
  }
  return 0;
}
