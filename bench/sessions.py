"""Session rows of bench/run.py: the Jupyter kernel (driven with jupyter_client) and the terminal
REPL (driven through a pty with pexpect), each against a named baseline: a bpftrace process, or
ipykernel with the same client code. Needs jupyter_client, pexpect and ipykernel."""
import os
import re
import subprocess
import sys
import tempfile
import time
from queue import Empty

from harness import Failed, Run, Tool
from table import Row, interleave, percentile, pick, progress

GETPPID = "tracepoint:syscalls:sys_enter_getppid"
ATTACHED = re.compile(r"Attached (\d+) probes? in ([\d.]+) ms")
WILDCARD_CELL = 't:syscalls:sys_exit_* /comm == "ps"/ { @[probe, args->ret > 0 ? 0 : - args->ret] = count(); }'
PROMPT = r"bpfrepl \[(\d+)\]> "


class Side:
    """One column of a session row; `name` is what interleave() keys results by."""

    def __init__(self, name, what=None):
        self.name, self.what = name, what


def session_row(label, unit, results, baseline, goal=None, stat=None):
    """A row of the second table: results keyed 'bpfrepl' and 'baseline'; `baseline` names it."""
    kw = {"stat": stat} if stat else {}
    row = Row(label, unit, results, goal=goal, **kw)
    row.baseline = baseline
    return row


# ---- process helpers ----------------------------------------------------------------------------

def status_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise Failed(f"no {field} for pid {pid}")


def threads(pid):
    """The process's thread ids. A session hands detached links to a closer thread that exits
    when it has closed them all; the kernel releases each link inside close() (tens of ms apiece,
    under a mutex that a new tracepoint attach also takes). The descriptors leave /proc/PID/fd as
    close() begins, so the thread, not the fd table, says when the release is over."""
    try:
        return set(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return set()


def wait_released(pid, before, timeout=120):
    """Wait until every thread started since `before` (threads(pid) taken just before the detach)
    has ended; returns when that happened."""
    deadline = time.perf_counter() + timeout
    while threads(pid) - before:
        if time.perf_counter() > deadline:
            raise Failed(f"links not released within {timeout} s")
        time.sleep(0.005)
    return time.perf_counter()


def rss_breakdown(pid):
    """Resident MB by mapping kind, from /proc/PID/smaps: BPF maps mmapped into the process (a
    ring buffer's data pages are mapped twice, so they count double), other files (shared
    libraries), and anonymous memory."""
    parts = {"BPF map mmaps": 0, "libraries and other files": 0, "anonymous": 0}
    name = ""
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a mapping's header
                name = fields[5] if len(fields) > 5 else ""
            elif fields[0] == "Rss:":
                kind = ("BPF map mmaps" if name.startswith("anon_inode:bpf-map") else
                        "libraries and other files" if name.startswith("/") else "anonymous")
                parts[kind] += int(fields[1]) / 1024
    return parts


def note_breakdown(ctx, what, pid):
    """Once per process kind: where its idle RSS is, so a missed goal comes with its cause."""
    done = ctx.__dict__.setdefault("rss_noted", set())
    if what in done:
        return
    done.add(what)
    parts = ", ".join(f"{k} {v:.1f} MB" for k, v in rss_breakdown(pid).items())
    ctx.notes.append(f"bpfrepl {what} idle RSS by mapping (one run): {parts}")


def others_in_rcu_wait(own):
    """Threads of other user processes sleeping in an RCU grace-period wait: what releasing a
    tracepoint link does, under a kernel mutex that our attach needs too. The machine is shared
    (other builds and test suites attach and detach probes), and a run that starts while someone
    else releases links waits for them."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in own:
            continue
        try:
            if not open(f"/proc/{pid}/cmdline", "rb").read():  # kernel threads: RCU's own
                continue
            for tid in os.listdir(f"/proc/{pid}/task"):
                if "rcu" in open(f"/proc/{pid}/task/{tid}/wchan").read():
                    n += 1
        except OSError:
            continue
    return n


class Contention:
    """Looks for others_in_rcu_wait() just before and just after each timed run (never during
    it: a sampler would compete with the client for the CPU); a note says how many runs had
    company. A release that starts and ends within a run goes unseen."""

    def __init__(self, own):
        self.own, self.runs, self.busy = own, 0, 0

    def around(self, timed):
        before = others_in_rcu_wait(self.own())
        result = timed()
        after = others_in_rcu_wait(self.own())
        self.runs += 1
        self.busy += bool(before or after)
        return result

    def note(self, ctx, what):
        if self.busy:
            ctx.notes.append(f"{what}: {self.busy} of {self.runs} bpfrepl runs had another process releasing "
                             "BPF links just before or after them (a thread of it in an RCU wait); a run "
                             "that overlaps such a release waits for the kernel's mutex in perf_event_open")


# ---- a Jupyter kernel and its client ------------------------------------------------------------

class Kernel:
    """A kernel process started from a connection file we write, with a jupyter_client client.
    The client's sockets exist before the process does and retry their connection every 1 ms
    (zmq's default is 100 ms), so the start time is the kernel's, not the reconnect timer's."""

    def __init__(self, argv, tmpdir):
        import zmq
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file
        self.dir = tempfile.mkdtemp(prefix="kernel.", dir=tmpdir)
        self.conn, _ = write_connection_file(fname=os.path.join(self.dir, "kernel.json"), ip="127.0.0.1",
                                             key=b"bench-key", transport="tcp")
        self.zctx = zmq.Context()
        self.zctx.setsockopt(zmq.RECONNECT_IVL, 1)
        self.kc = BlockingKernelClient(connection_file=self.conn, context=self.zctx)
        self.kc.load_connection_file()
        self.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        self.stderr = open(os.path.join(self.dir, "stderr.log"), "wb")  # a file: never blocks the kernel
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([*argv, "-f", self.conn], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)

    @property
    def pid(self):
        return self.proc.pid

    def first_reply(self, timeout=60):
        """Seconds from spawn to the first kernel_info_reply (the request is queued at once)."""
        msg_id = self.kc.kernel_info()
        deadline = self.t0 + timeout
        while True:
            if self.proc.poll() is not None:
                raise Failed(f"kernel exited with status {self.proc.returncode}: {self.stderr_text()}")
            try:
                msg = self.kc.get_shell_msg(timeout=0.5)
            except Empty:
                if time.perf_counter() > deadline:
                    raise Failed(f"no kernel_info_reply within {timeout} s")
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return time.perf_counter() - self.t0

    def wait_iopub(self, timeout=30):
        """IOPub is a PUB socket: until our subscription has reached the kernel, its messages are
        dropped. Ask kernel_info until its busy/idle status comes back on IOPub."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            msg_id = self.kc.kernel_info()
            self.kc.get_shell_msg(timeout=timeout)
            try:
                while True:
                    m = self.kc.get_iopub_msg(timeout=0.1)
                    if m["parent_header"].get("msg_id") == msg_id:
                        self.drain()
                        return
            except Empty:
                pass
        raise Failed("IOPub never delivered a status message")

    def drain(self, quiet=0.05):
        try:
            while True:
                self.kc.get_iopub_msg(timeout=quiet)
        except Empty:
            pass

    def execute(self, code, timeout=120):
        """(ms from sending execute_request until both its execute_reply and its idle status have
        arrived, the reply, its IOPub messages): what a notebook waits for before the cell is done."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code)
        deadline = t0 + timeout
        reply, msgs, idle = None, [], False
        while reply is None:
            m = self.kc.get_shell_msg(timeout=max(0.0, deadline - time.perf_counter()))
            if m["parent_header"].get("msg_id") == msg_id:
                reply = m
        while not idle:
            m = self.kc.get_iopub_msg(timeout=max(0.0, deadline - time.perf_counter()))
            if m["parent_header"].get("msg_id") == msg_id:
                msgs.append(m)
                idle = m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
        ms = (time.perf_counter() - t0) * 1000
        if reply["content"]["status"] != "ok":
            raise Failed(f"{code!r}: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        return ms, reply, msgs

    def stderr_text(self):
        self.stderr.flush()
        with open(self.stderr.name, errors="replace") as f:
            lines = f.read().strip().splitlines()
        return lines[-1] if lines else "(nothing on stderr)"

    def close(self):
        self.kc.stop_channels()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        self.zctx.term()


def output_text(msgs, stream=None):
    """Stream text (of one stream, or all) and display text/plain of a cell's IOPub messages."""
    parts = []
    for m in msgs:
        c = m["content"]
        if m["msg_type"] == "stream" and stream in (None, c["name"]):
            parts.append(c["text"])
        elif stream in (None, "stdout") and m["msg_type"] in ("display_data", "update_display_data"):
            parts.append(c["data"].get("text/plain", ""))
    return "".join(parts)


def engine_ms(msgs):
    """The engine's own timing from the cell's 'Attached N probes in X ms' line: (N, X)."""
    m = ATTACHED.search(output_text(msgs, "stderr"))
    if not m:
        raise Failed(f"no 'Attached' line: {output_text(msgs)[:200]!r}")
    return int(m.group(1)), float(m.group(2))


def bpfrepl_kernel_argv(ctx):
    return [ctx.bpfrepl, "kernel"]


def ipykernel_argv(ctx):
    return [sys.executable, "-m", "ipykernel_launcher"]


def session_kernel(ctx):
    """The bpfrepl kernel the cell rows share, started once (and closed by close_sessions)."""
    if getattr(ctx, "kernel", None) is None:
        k = Kernel(bpfrepl_kernel_argv(ctx), ctx.tmpdir)
        k.first_reply()
        k.wait_iopub()
        ctx.kernel = k
    return ctx.kernel


def close_sessions(ctx):
    for k in (getattr(ctx, "kernel", None), getattr(ctx, "ipykernel", None)):
        if k is not None:
            k.close()


# ---- the terminal REPL --------------------------------------------------------------------------

class Repl:
    """bpfrepl's REPL on a pseudo-terminal, as a person would use it (history in a temp dir)."""

    def __init__(self, ctx):
        import pexpect
        home = tempfile.mkdtemp(prefix="repl.", dir=ctx.tmpdir)
        env = {k: v for k, v in os.environ.items() if k not in ("EDITRC", "BPFREPL_HISTORY")}
        env.update(TERM="xterm", HOME=home, BPFREPL_HISTORY=os.path.join(home, "history"), LC_ALL="C.UTF-8")
        self.p = pexpect.spawn(ctx.bpfrepl, ["--no-color"], env=env, cwd=home, encoding="utf-8",
                               codec_errors="replace", dimensions=(50, 250), timeout=120)
        self.p.delaybeforesend = None  # pexpect waits 50 ms before each send unless told not to
        self.p.expect(PROMPT)
        self.number = int(self.p.match.group(1))

    @property
    def pid(self):
        return self.p.pid

    def cell(self, line):
        """(ms from Enter to the next cell's prompt, what the cell printed)."""
        self.p.send(line)
        self.p.expect_exact(line[-20:])  # the echo: typing is not part of the cell's time
        t0 = time.perf_counter()
        self.p.send("\r")
        out = []
        while True:  # async output redraws the same prompt; the cell is done at the next number
            self.p.expect(PROMPT)
            out.append(self.p.before)
            if int(self.p.match.group(1)) > self.number:
                self.number = int(self.p.match.group(1))
                return (time.perf_counter() - t0) * 1000, "".join(out)

    def close(self):
        import pexpect
        self.p.sendeof()
        try:
            self.p.expect(pexpect.EOF, timeout=60)
        except pexpect.TIMEOUT:
            pass
        self.p.close(force=True)


# ---- rows ---------------------------------------------------------------------------------------

def row_kernel_start(ctx):
    """Spawn to the first kernel_info_reply, and the idle RSS right after, for both kernels."""
    sides = [Side("bpfrepl", bpfrepl_kernel_argv(ctx)), Side("baseline", ipykernel_argv(ctx))]

    def once(side):
        k = Kernel(side.what, ctx.tmpdir)
        try:
            start = k.first_reply() * 1000
            time.sleep(0.3)  # idle: let start-up threads settle before reading the RSS
            rss = status_kb(k.pid) / 1024
            if side.name == "bpfrepl":
                note_breakdown(ctx, "Jupyter kernel", k.pid)
        finally:
            k.close()
        return {"start": start, "rss": rss}

    res = interleave(sides, ctx.runs_kernel_start, once)
    ctx.kernel_rss = pick(res, "rss")
    return [session_row("Jupyter kernel: start to first `kernel_info_reply`", "ms", pick(res, "start"),
                        "ipykernel", goal=(50, "≤ 50 ms"))]


def row_rss(ctx):
    """Idle RSS: the REPL at its first prompt vs a bpftrace running `BEGIN {}`; the kernel after
    kernel_info (taken in kernel-start) vs ipykernel."""
    sides = [Side("bpfrepl"), Side("baseline")]
    bpftrace = Tool("bpftrace", ctx.bpftrace)

    def once(side):
        if side.name == "bpfrepl":
            r = Repl(ctx)
            try:
                time.sleep(0.3)
                note_breakdown(ctx, "REPL", r.pid)
                return status_kb(r.pid) / 1024
            finally:
                r.close()
        run = Run(bpftrace, "BEGIN {}")
        try:
            run.wait_for_line("Attach")
            time.sleep(0.3)  # it has attached BEGIN and sits in its event loop
            return status_kb(run.pid) / 1024
        finally:
            # SIGKILL, not SIGINT: bpftrace 0.17 sometimes sleeps through a SIGINT here, and
            # nothing it would print matters; it holds no links.
            run.kill()

    rows = [session_row("idle RSS: REPL at its prompt", "MB", interleave(sides, ctx.runs_rss, once),
                        "bpftrace running `BEGIN {}`", goal=(30, "≤ 30 MB"))]
    if getattr(ctx, "kernel_rss", None):
        rows.append(session_row("idle RSS: Jupyter kernel after `kernel_info`", "MB", ctx.kernel_rss,
                                "ipykernel", goal=(30, "≤ 30 MB")))
    return rows


def row_round_trip(ctx):
    """execute_request to reply + idle, same client code: trivial cells vs ipykernel's `pass`."""
    k = session_kernel(ctx)
    if getattr(ctx, "ipykernel", None) is None:
        ctx.ipykernel = Kernel(ipykernel_argv(ctx), ctx.tmpdir)
        ctx.ipykernel.first_reply()
        ctx.ipykernel.wait_iopub()
    rows = []
    for label, code in ctx.trivial_cells:
        progress(f"round trip: {label}")
        sides = [Side("bpfrepl", (k, code)), Side("baseline", (ctx.ipykernel, "pass"))]

        def once(side):
            kernel, text = side.what
            return kernel.execute(text)[0]

        for s in sides:  # warm both: first cells pay one-time costs (imports, lazy init)
            once(s)
        res = interleave(sides, ctx.runs_round_trip, once, pause=0)
        for q, goal in ((50, (2, "≤ 2 ms")), (90, None)):
            rows.append(session_row(f"Jupyter execute round trip, {label}: p{q}", "ms", res,
                                    "ipykernel `pass`", goal=goal, stat=percentile(q)))
    return rows


def row_cell_attach(ctx):
    """A one-tracepoint cell with a map: kernel (client side and engine's own), REPL (Enter to
    prompt), vs a bpftrace process from spawn to its first event."""
    cell = f"{GETPPID} {{ @[comm] = count(); }}"
    k = session_kernel(ctx)
    repl = Repl(ctx)
    bpftrace = Tool("bpftrace", ctx.bpftrace)
    comm = open("/proc/self/comm").read().strip()
    sides = [Side("kernel"), Side("repl"), Side("bpftrace")]

    def reset(pid, run_cell):
        before = threads(pid)
        run_cell("%reset")
        wait_released(pid, before)  # the next attach starts with the kernel idle

    foreign = Contention(lambda: {os.getpid(), k.pid, repl.pid})

    def once(side):
        if side.name == "kernel":
            ms, _, msgs = foreign.around(lambda: k.execute(cell))
            n, own = engine_ms(msgs)
            os.getppid()  # a getppid of ours: the probe must have counted it
            if comm not in output_text(k.execute("print(@)")[2]):
                raise Failed("probe attached but did not count")
            reset(k.pid, k.execute)
            return {"client": ms, "engine": own}
        if side.name == "repl":
            ms, out = foreign.around(lambda: repl.cell(cell))
            if not ATTACHED.search(out):
                raise Failed(f"no 'Attached' line: {out[-200:]!r}")
            reset(repl.pid, repl.cell)
            return {"client": ms}
        # bpftrace has no session: its "cell" is a process, live once its first event prints.
        bg = ctx.work.start("getppid", 0, 50)
        try:
            r = Run(bpftrace, f'{GETPPID} {{ @[comm] = count(); printf("live\\n"); exit(); }}')
            r.wait_for_line("live")
            t = r.out.first_time(lambda line: line == "live")
            r.wait(60)
        finally:
            bg.kill()
            bg.wait()
        return {"client": (t - r.t0) * 1000}

    try:
        res = interleave(sides, ctx.runs_cell, once)
    finally:
        repl.close()
    foreign.note(ctx, "cell to attached")

    def of(side, key="client"):
        v = res[side]
        return [d[key] for d in v] if isinstance(v, list) else v

    base = of("bpftrace")
    label = "cell to attached `sys_enter_getppid { @[comm] = count(); }`"
    what = "bpftrace -e, spawn to first event"
    goal = (5, "≤ 5 ms")
    return [
        session_row(f"{label}: kernel, client side", "ms", {"bpfrepl": of("kernel"), "baseline": base}, what, goal),
        session_row(f"{label}: kernel, engine's own 'Attached … in X ms'", "ms",
                    {"bpfrepl": of("kernel", "engine"), "baseline": base}, what, goal),
        session_row(f"{label}: REPL, Enter to next prompt", "ms", {"bpfrepl": of("repl"), "baseline": base},
                    what, goal),
    ]


def row_cell_wildcard(ctx):
    """The 361-probe wildcard cell in the warm kernel session; then %detach all, and the wait
    until the kernel has released every link (so runs don't overlap in the kernel)."""
    label = "wildcard cell `t:syscalls:sys_exit_* /comm == \"ps\"/ {…}`"
    what = "bpftrace -e, spawn to exit (wildcard row)"
    base = getattr(ctx, "wildcard_bpftrace", None) or "wildcard row not run"
    if ctx.runs_wildcard == 0:
        return [session_row(f"{label}: cell done", "ms", {"bpfrepl": "skipped by --quick", "baseline": base},
                            what, (300, "≤ 300 ms"))]
    k = session_kernel(ctx)
    foreign = Contention(lambda: {os.getpid(), k.pid})

    def once(side):
        ms, _, msgs = foreign.around(lambda: k.execute(WILDCARD_CELL))
        n, own = engine_ms(msgs)
        if n < 300:
            raise Failed(f"only {n} probes attached")
        before = threads(k.pid)
        detach_ms = k.execute("%detach all")[0]
        t_detached = time.perf_counter()
        if "No probes attached" not in output_text(k.execute("%probes")[2]):
            raise Failed("%probes not empty after %detach all")
        released = (wait_released(k.pid, before, timeout=180) - t_detached) * 1000
        k.execute("%reset")
        return {"client": ms, "engine": own, "detach": detach_ms, "released": released}

    res = interleave([Side("bpfrepl")], ctx.runs_wildcard, once)["bpfrepl"]
    foreign.note(ctx, "wildcard cell")
    goal = (300, "≤ 300 ms")

    def values(key):
        return [d[key] for d in res] if isinstance(res, list) else res

    return [
        session_row(f"{label}: cell done, client side", "ms", {"bpfrepl": values("client"), "baseline": base},
                    what, goal),
        session_row(f"{label}: engine's own 'Attached … in X ms'", "ms",
                    {"bpfrepl": values("engine"), "baseline": base}, what, goal),
        # No baseline: bpftrace has no way to detach while it keeps running.
        session_row(f"{label}: `%detach all` cell done", "ms", {"bpfrepl": values("detach")}, None),
        session_row(f"{label}: links released after `%detach all`", "ms", {"bpfrepl": values("released")}, None),
    ]


SESSION_ROWS = [("kernel-start", row_kernel_start), ("rss", row_rss), ("round-trip", row_round_trip),
                ("cell-attach", row_cell_attach), ("cell-wildcard", row_cell_wildcard)]
