"""A workload for probes to count: renames itself (comm) and makes N getppid(2) calls.

    python3 workload.py N [COMM]

Cells run it from a `!` line, tests start it in the background; probes filter on its comm
(default "bpfrepl-wl"), so exactly N events are its own.
"""
import ctypes
import os
import sys

PR_SET_NAME = 15


def main():
    n = int(sys.argv[1])
    comm = (sys.argv[2] if len(sys.argv) > 2 else "bpfrepl-wl").encode()[:15]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NAME, ctypes.c_char_p(comm), 0, 0, 0) != 0:
        sys.exit(f"prctl(PR_SET_NAME) failed: errno {ctypes.get_errno()}")
    getppid = os.getppid  # glibc does not cache it: one system call each
    for _ in range(n):
        getppid()
    print(f"{n} getppid calls")


if __name__ == "__main__":
    main()
