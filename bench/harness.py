"""Process, pipe and BPF-stats helpers for bench/run.py (standard library only)."""
import json
import os
import subprocess
import threading
import time

# bpftrace 0.17 always warns about RLIMIT_MEMLOCK here; it is not a failure.
STDERR_NOISE = ("RLIMIT_MEMLOCK",)


class Failed(Exception):
    """A tool could not run a program; the message is the first meaningful error line."""


class Tool:
    def __init__(self, name, path, env=None):
        self.name = name
        self.path = path
        self.env = env or {}

    def argv(self, prog):
        return [self.path, "-e", prog]

    def environ(self, extra=None):
        env = dict(os.environ)
        env.update(self.env)
        env.update(extra or {})
        return env


class Stream(threading.Thread):
    """Drains a pipe on its own thread, remembering when each chunk arrived, so a slow reader
    never throttles the tool and lines can be time-stamped afterwards."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.fd = pipe.fileno()
        self.chunks = []  # (perf_counter time, bytes)
        self.newlines = 0
        self.last_time = None
        self.start()

    def run(self):
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not data:
                break
            now = time.perf_counter()
            self.chunks.append((now, data))
            self.newlines += data.count(b"\n")
            self.last_time = now

    def text(self):
        return b"".join(c for _, c in list(self.chunks)).decode(errors="replace")

    def timed_lines(self):
        """(time the line's last byte arrived, line) for every complete line."""
        out, partial = [], b""
        for t, data in list(self.chunks):
            parts = (partial + data).split(b"\n")
            partial = parts.pop()
            out.extend((t, p.decode(errors="replace")) for p in parts)
        return out

    def first_time(self, predicate):
        for t, line in self.timed_lines():
            if predicate(line):
                return t
        return None


class Run:
    """One tool process with both output pipes drained in the background."""

    def __init__(self, tool, prog, env=None):
        self.tool = tool
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(tool.argv(prog), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=tool.environ(env))
        self.out = Stream(self.proc.stdout)
        self.err = Stream(self.proc.stderr)
        self.t_exit = None

    @property
    def pid(self):
        return self.proc.pid

    def wait(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            where = blocked_in(self.pid)
            self.kill()
            raise Failed(f"timed out after {timeout:.0f} s{where}")
        self.t_exit = time.perf_counter()
        self.out.join(5)
        self.err.join(5)
        return self.proc.returncode

    def stop(self, timeout=60):
        """SIGINT, as Ctrl-C would: both tools print their maps and exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(2)
        return self.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self):
        return self.proc.poll() is None

    def error(self):
        return first_error(self.err.text()) or f"exit status {self.proc.returncode}"

    def check(self):
        """Raise Failed if the process already ended badly."""
        rc = self.proc.poll()
        if rc is not None and rc != 0:
            self.wait(5)
            raise Failed(self.error())

    def wait_for_line(self, needle, timeout=30):
        deadline = time.perf_counter() + timeout
        # bpftrace 0.17 says 'Attaching N probes...' on stdout; bpfrepl (like upstream) 'Attached N
        # probes' on stderr: a needle may be in either.
        while needle not in self.out.text() and needle not in self.err.text():
            if not self.alive():
                self.wait(5)
                raise Failed(self.error() if self.proc.returncode else f"exited before printing {needle!r}")
            if time.perf_counter() > deadline:
                self.kill()
                raise Failed(f"no {needle!r} line within {timeout} s")
            time.sleep(0.002)


def blocked_in(pid):
    """Where a hung process's threads wait, for the error message: ' (wchan: a, b)'."""
    places = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/wchan") as f:
                places.append(f.read().strip() or "running")
    except OSError:
        pass
    return f" (wchan: {', '.join(sorted(set(places)))})" if places else ""


def first_error(stderr_text):
    for line in stderr_text.splitlines():
        if line.strip() and not any(n in line for n in STDERR_NOISE):
            return line.strip()
    return None


def bpf_prog_ids(pid):
    """Ids of the BPF programs a process references through its descriptors (program fds, and
    link fds: a tool may close the program fd once the link holds it)."""
    ids = set()
    base = f"/proc/{pid}/fdinfo"
    try:
        names = os.listdir(base)
    except OSError:
        return ids
    for name in names:
        try:
            with open(f"{base}/{name}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except (OSError, ValueError):
            continue
    return ids


def prog_stats(prog_id):
    """(run_time_ns, run_cnt) of one program; needs kernel.bpf_stats_enabled=1."""
    out = subprocess.run(["bpftool", "prog", "show", "id", str(prog_id), "-j"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None
    info = json.loads(out.stdout)
    return info.get("run_time_ns", 0), info.get("run_cnt", 0)


def stats_of(pid):
    stats = {}
    for pid_ in bpf_prog_ids(pid):
        s = prog_stats(pid_)
        if s is not None:
            stats[pid_] = s
    return stats


def procs_running(exe):
    """Pids whose executable is exe: a tool may leave a detached child releasing links."""
    pids = set()
    real = os.path.realpath(exe)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/exe") == real:
                    pids.add(int(entry))
            except OSError:
                pass
    return pids


def wait_gone(exe, before, timeout=180):
    """Wait until no process of exe is left beyond those in before; returns when that happened."""
    deadline = time.perf_counter() + timeout
    while procs_running(exe) - before:
        if time.perf_counter() > deadline:
            break
        time.sleep(0.01)
    return time.perf_counter()
