#!/usr/bin/env python3
"""bpfrepl and the installed bpftrace side by side on the same programs, interleaved run by run.

Prints a table of medians with the ratio (>1: bpfrepl is better) and writes it as markdown to
bench/results.md. Numbers only: nothing here passes or fails. Run as root; see bench/README.md.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Failed, Run, Tool, procs_running, stats_of, wait_gone  # noqa: E402
from table import Row, interleave, pick, progress, stop_after_measuring  # noqa: E402
from sessions import SESSION_ROWS, close_sessions  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORK_COMM = "bpfbench_work"  # the workload's comm, for filters (15 chars at most)
GETPPID = "tracepoint:syscalls:sys_enter_getppid"


class Workload:
    """bench/workload.c compiled into a temp dir, run pinned to one CPU (a tracepoint perf event
    open on CPU 0 makes events there dearer, so every run uses the same CPU)."""

    def __init__(self, tmpdir, cpu):
        self.path = os.path.join(tmpdir, WORK_COMM)
        self.cpu = str(cpu)
        subprocess.run(["cc", "-O2", "-o", self.path, os.path.join(HERE, "workload.c")], check=True)

    def argv(self, *args):
        return ["taskset", "-c", self.cpu, self.path, *map(str, args)]

    def run(self, *args):
        subprocess.run(self.argv(*args), check=True)

    def start(self, *args):
        return subprocess.Popen(self.argv(*args))


# ---- rows ---------------------------------------------------------------------------------------

def row_startup(ctx):
    prog = "BEGIN { exit(); }"

    def once(tool):
        r = Run(tool, prog)
        if r.wait(60) != 0:
            raise Failed(r.error())
        return (r.t_exit - r.t0) * 1000

    return [Row(f"startup: `{prog}`", "ms", interleave(ctx.tools, ctx.runs_fast, once))]


def row_first_event(ctx):
    prog = f"{GETPPID} {{ @ = count(); exit(); }}"
    # A background caller, slowed (50 us between calls) so it doesn't starve the tool's CPU.
    bg = ctx.work.start("getppid", 0, 50)

    def once(tool):
        r = Run(tool, prog)
        if r.wait(60) != 0:
            raise Failed(r.error())
        printed = r.out.first_time(lambda line: line.startswith("@:"))
        if printed is None:
            raise Failed("exited without printing @")
        # The two differ by the kernel's release of the perf link (tens of ms here).
        return {"map": (printed - r.t0) * 1000, "exit": (r.t_exit - r.t0) * 1000}

    try:
        res = interleave(ctx.tools, ctx.runs_first, once)
    finally:
        bg.kill()
        bg.wait()
    label = "first event `sys_enter_getppid { @ = count(); exit(); }`"
    return [Row(f"{label}: map printed", "ms", pick(res, "map")),
            Row(f"{label}: command returns", "ms", pick(res, "exit"))]


def wait_attached(r, poke, timeout=30):
    """Poke the workload until one of the tool's programs has run: bpftrace prints 'Attaching'
    before it attaches, so the line alone doesn't mean the probes are live."""
    r.wait_for_line("Attach", timeout)
    base = stats_of(r.pid)
    deadline = time.perf_counter() + timeout
    while True:
        r.check()
        poke()
        now = stats_of(r.pid)
        if any(cnt > base.get(i, (0, 0))[1] for i, (_, cnt) in now.items()):
            return
        if time.perf_counter() > deadline:
            r.kill()
            raise Failed(f"probe never fired within {timeout} s")
        time.sleep(0.01)


PER_EVENT = [
    ("@ = count()", f"{GETPPID} {{ @ = count(); }}"),
    ("@[comm, tid] = count()", f"{GETPPID} {{ @[comm, tid] = count(); }}"),
    ("@h = hist(pid)", f"{GETPPID} {{ @h = hist(pid); }}"),
    ("/pid == 1/ (filtered out)", f"{GETPPID} /pid == 1/ {{ @ = count(); }}"),
]


def row_per_event(ctx):
    rows = []
    for label, prog in PER_EVENT:
        progress(f"per-event: {label}")

        def once(tool):
            r = Run(tool, prog)
            try:
                wait_attached(r, lambda: ctx.work.run("getppid", 1000))
                before = stats_of(r.pid)
                ctx.work.run("getppid", ctx.events)
                after = stats_of(r.pid)
            finally:
                stop_after_measuring(ctx, r, f"per event `{label}`")
            # The tool's program for this probe is the one that counted the workload's calls.
            deltas = [(a[1] - before.get(i, (0, 0))[1], a[0] - before.get(i, (0, 0))[0])
                      for i, a in after.items()]
            cnt, ns = max(deltas, default=(0, 0))
            if cnt < ctx.events // 2:
                raise Failed(f"only {cnt} of {ctx.events} events counted")
            return ns / cnt

        rows.append(Row(f"per event: `{label}`", "ns", interleave(ctx.tools, ctx.runs_slow, once)))
    return rows


LOST = re.compile(r"Lost (\d+) events")


def row_printf(ctx):
    prog = f'{GETPPID} {{ printf("%d %s\\n", tid, comm); }}'

    def once(tool):
        r = Run(tool, prog)
        try:
            wait_attached(r, lambda: ctx.work.run("getppid", 10))
            time.sleep(0.2)  # let the pokes' lines arrive before counting from here
            start_lines, t0 = r.out.newlines, time.perf_counter()
            ctx.work.run("getppid", ctx.printf_events)
            quiet_since(r, 0.5, 30)
        finally:
            stop_after_measuring(ctx, r, "printf")
        text = r.out.text() + r.err.text()  # bpftrace 0.17 prints "Lost" on stdout, bpfrepl on stderr
        lost = sum(int(n) for n in LOST.findall(text))
        lines = r.out.newlines - start_lines - len(LOST.findall(r.out.text()))
        last = r.out.last_time or t0
        return {"rate": lines / max(last - t0, 1e-6), "lost": lost, "lines": lines}

    res = interleave(ctx.tools, ctx.runs_slow, once)
    n = f"{ctx.printf_events // 1000}k"
    return [Row(f"printf: events/s delivered ({n} getppid)", "ev/s", pick(res, "rate"), higher_is_better=True),
            Row(f"printf: lines received (of {n})", "", pick(res, "lines"), ratio=False),
            Row(f"printf: events reported lost (of {n})", "", pick(res, "lost"), ratio=False)]


def quiet_since(r, quiet, timeout):
    """Wait until stdout has been silent for `quiet` seconds: the tool has drained its buffers."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        last = r.out.last_time or 0
        if time.perf_counter() - last > quiet:
            return
        time.sleep(0.05)


def row_large_map(ctx):
    keys = ctx.map_keys
    base = 1 << 20  # invalid fds: close() fails fast, each value a distinct key
    prog = f'tracepoint:syscalls:sys_enter_close /comm == "{WORK_COMM}"/ {{ @[args->fd] = count(); }}'
    # Both cap maps at 4096 keys unless told otherwise: 0.17 reads BPFTRACE_MAP_KEYS_MAX, bpfrepl
    # (like current upstream) BPFTRACE_MAX_MAP_KEYS.
    env = {"BPFTRACE_MAP_KEYS_MAX": str(2 * keys), "BPFTRACE_MAX_MAP_KEYS": str(2 * keys)}

    def once(tool):
        r = Run(tool, prog, env)
        try:
            wait_attached(r, lambda: ctx.work.run("close", 1, base + keys + 1))
            ctx.work.run("close", keys, base)
        except BaseException:
            r.kill()
            raise
        t_signal = time.perf_counter()
        if r.stop(120) != 0:
            raise Failed(r.error())
        printed = sum(1 for line in r.out.text().splitlines() if line.startswith("@["))
        if printed < keys:  # the map filled up: timing a smaller print would compare unlike things
            raise Failed(f"only {printed} of {keys} keys stored and printed")
        return (r.t_exit - t_signal) * 1000

    return [Row(f"large map: SIGINT to exit, printing {keys // 1000}k keys", "ms",
                interleave(ctx.tools, ctx.runs_slow, once))]


def row_wildcard(ctx):
    prog = "t:syscalls:sys_exit_* { @ = count(); } interval:ms:1 { exit(); }"

    def once(tool):
        before = procs_running(tool.path)
        r = Run(tool, prog)
        if r.wait(300) != 0:
            raise Failed(r.error())
        # bpfrepl hands slow link releases to a detached child: wait for it, so the kernel is
        # idle before the next run, and report when the last link went away.
        gone = wait_gone(tool.path, before)
        times = [t for t in (r.out.first_time(lambda line: line.startswith("Attach")),
                             r.err.first_time(lambda line: line.startswith("Attach"))) if t is not None]
        attach = min(times) if times else None
        printed = r.out.first_time(lambda line: line.startswith("@"))
        if attach is None or printed is None:
            raise Failed("no 'Attach...' or map line")
        return {"attach": (attach - r.t0) * 1000, "map": (printed - r.t0) * 1000,
                "exit": (r.t_exit - r.t0) * 1000, "gone": (gone - r.t0) * 1000}

    label = "wildcard `t:syscalls:sys_exit_*`"
    if ctx.runs_wildcard == 0:  # ~60 s a run pair: more than --quick's whole budget
        skipped = {t.name: "skipped by --quick" for t in ctx.tools}
        return [Row(f"{label}: map printed", "ms", skipped)]
    res = interleave(ctx.tools, ctx.runs_wildcard, once)
    ctx.wildcard_bpftrace = pick(res, "exit")["bpftrace"]  # the session wildcard cell's baseline
    return [Row(f"{label}: 'Attaching' line", "ms", pick(res, "attach")),
            Row(f"{label}: map printed", "ms", pick(res, "map")),
            Row(f"{label}: command returns", "ms", pick(res, "exit")),
            Row(f"{label}: last link released", "ms", pick(res, "gone"))]


ROWS = [("startup", row_startup), ("first-event", row_first_event), ("per-event", row_per_event),
        ("wildcard", row_wildcard), ("printf", row_printf), ("large-map", row_large_map)] + SESSION_ROWS


# ---- output -------------------------------------------------------------------------------------

def table(rows, tools):
    head = ["benchmark", *[t.name for t in tools], "ratio", "runs"]
    body = [[r.label, *[r.cell(t.name) for t in tools], r.ratio(), r.runs()] for r in rows]
    return head, body


def session_table(rows):
    """Rows of sessions.py: bpfrepl against a baseline that differs from row to row."""
    head = ["benchmark", "bpfrepl", "baseline", "ratio", "goal", "runs"]
    body = [[r.label, r.cell("bpfrepl"), f"{r.baseline}: {r.cell('baseline')}" if r.baseline else "–",
             r.ratio("bpfrepl", "baseline"), r.goal_cell(), r.runs()] for r in rows]
    return head, body


def print_table(head, body):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    for line in [head, ["-" * w for w in widths], *body]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())


def markdown_table(head, body):
    return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"] + \
        ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in body]


def markdown(tables, ctx):
    """tables: (title or None, head, body); an empty body leaves its table out."""
    out = [f"# bpfrepl vs bpftrace — {datetime.date.today().isoformat()}", "",
           f"Machine: {platform.node()}, Linux {platform.release()}, {os.cpu_count()} CPUs. "
           f"bpftrace: `{ctx.bpftrace_version}`. bpfrepl: `{ctx.bpfrepl_version}`. "
           f"Mode: {ctx.mode}. Load average before / after: {ctx.load_before} / {ctx.load_after}.", "",
           "Medians, with (min–max) when there are 3 runs or more. ratio = bpftrace / bpfrepl for "
           "times, bpfrepl / bpftrace for rates: >1 means bpfrepl is better. runs = bpfrepl/bpftrace "
           "runs. See bench/README.md.", ""]
    for title, head, body in tables:
        if not body:
            continue
        if title:
            out += [f"## {title}", "",
                    "ratio = baseline / bpfrepl: >1 means bpfrepl is better. p50/p90 rows show that "
                    "percentile instead of the median. goal: bpfrepl's target for the number. "
                    "runs = bpfrepl/baseline runs.", ""]
        out += markdown_table(head, body) + [""]
    if ctx.notes:
        out += ["Notes from this run:", ""] + [f"- {n}" for n in ctx.notes]
    return "\n".join(out).rstrip("\n") + "\n"


# ---- setup --------------------------------------------------------------------------------------

class Context:
    pass


def version_of(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def bpfrepl_version(path):
    """The last commit that changed the sources of the checkout the binary sits in (commits to
    bench/ don't change the binary), marked dirty if the sources have uncommitted changes."""
    def git(*args):
        out = subprocess.run(["git", "-C", os.path.dirname(path), *args], capture_output=True, text=True)
        return out.stdout.strip()
    paths = ["--", ":/Sources", ":/Package.swift"]
    commit = git("log", "-1", "--format=%h %cs", *paths)
    dirty = " +uncommitted changes" if git("status", "--porcelain", "--untracked-files=no", *paths) else ""
    return commit + dirty if commit else "unknown"


def loadavg():
    """The machine may be shared: a busy one explains noisy numbers."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def prepare_kernel():
    """tracefs mounted, bpf stats on (for ns/event); returns the previous stats setting."""
    if not os.path.ismount("/sys/kernel/tracing"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=False)
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        old = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    return old


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer runs, wildcard rows skipped (~40 s)")
    p.add_argument("--runs", type=int, help="runs of the startup row (default 20, quick 10); first event gets N/2, per-event/printf/map N/6")
    p.add_argument("--wildcard-runs", type=int, help="runs of the wildcard row and of the session's wildcard cell (default 2, quick 0: skipped)")
    p.add_argument("--only", help="comma-separated rows: " + ",".join(n for n, _ in ROWS))
    p.add_argument("--bpfrepl", default=os.environ.get("BPFREPL_BIN", ".build/release/bpfrepl"))
    p.add_argument("--bpftrace", default=shutil.which("bpftrace") or "/usr/bin/bpftrace")
    p.add_argument("--out", default=os.path.join(HERE, "results.md"))
    return p.parse_args()


def make_context(args, tmpdir):
    ctx = Context()
    ctx.notes = []
    fast = args.runs or (10 if args.quick else 20)
    ctx.runs_fast = fast
    ctx.runs_first = max(1, fast // 2)
    ctx.runs_slow = max(1, fast // 6)
    # One run pair costs ~55 s (bpftrace attaching, then bpfrepl's links being released), and a
    # wildcard cell ~25 s (its links' release), so the default stays at 2 to keep the whole run
    # under 4 minutes.
    ctx.runs_wildcard = args.wildcard_runs if args.wildcard_runs is not None else (0 if args.quick else 2)
    ctx.events = 200_000
    ctx.printf_events = 500_000
    ctx.map_keys = 100_000
    # Session rows: kernel starts cost ~0.5-2 s each for ipykernel; round trips ~10 ms a pair.
    ctx.runs_kernel_start = 4 if args.quick else 10
    ctx.runs_rss = 3
    ctx.runs_round_trip = 50 if args.quick else 200
    ctx.runs_cell = 5 if args.quick else 10
    # A bare statement (compiled, loaded and run once as BPF) and a magic (no BPF: the protocol).
    ctx.trivial_cells = [("`@x = 1`", "@x = 1"), ("`%help`", "%help")]
    ctx.mode = ("quick" if args.quick else "default") + f" (runs: {fast} startup, {ctx.runs_first} first event, " \
        f"{ctx.runs_slow} per-event/printf/map, {ctx.runs_wildcard} wildcard; sessions: " \
        f"{ctx.runs_kernel_start} kernel starts, {ctx.runs_rss} RSS, {ctx.runs_round_trip} round trips, " \
        f"{ctx.runs_cell} cells, {ctx.runs_wildcard} wildcard cells)"
    bpfrepl = os.path.abspath(args.bpfrepl)
    ctx.bpfrepl, ctx.bpftrace, ctx.tmpdir = bpfrepl, args.bpftrace, tmpdir
    ctx.tools = [Tool("bpfrepl", bpfrepl), Tool("bpftrace", args.bpftrace)]
    ctx.bpftrace_version = version_of([args.bpftrace, "--version"])
    ctx.bpfrepl_version = bpfrepl_version(bpfrepl)
    ctx.work = Workload(tmpdir, cpu=1 if os.cpu_count() > 1 else 0)
    return ctx


def run_row(ctx, name, fn):
    """A row that fails outside its runs (a kernel that never answers, a missing Python module)
    becomes a note: the other rows' numbers are still worth having."""
    try:
        return fn(ctx)
    except (Failed, ImportError, OSError) as e:
        ctx.notes.append(f"{name}: not measured: {type(e).__name__}: {e}")
        progress(ctx.notes[-1])
        return []


def main():
    args = parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/run.py needs root (BPF, tracefs, bpf stats)")
    for t in (args.bpfrepl, args.bpftrace):
        if not os.access(t, os.X_OK):
            sys.exit(f"not executable: {t} (set BPFREPL_BIN or --bpfrepl/--bpftrace)")
    wanted = set(args.only.split(",")) if args.only else {n for n, _ in ROWS}
    old_stats = prepare_kernel()
    started = time.perf_counter()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="bpfbench.") as tmp:
            ctx = make_context(args, tmp)
            ctx.load_before = loadavg()
            try:
                for name, fn in ROWS:
                    if name in wanted:
                        t = time.perf_counter()
                        progress(f"{name} ...")
                        rows += run_row(ctx, name, fn)
                        progress(f"{name}: {time.perf_counter() - t:.0f} s")
            finally:
                close_sessions(ctx)
            ctx.load_after = loadavg()
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(old_stats)
    tables = [(None, *table([r for r in rows if not hasattr(r, "baseline")], ctx.tools)),
              ("Sessions and the Jupyter kernel", *session_table([r for r in rows if hasattr(r, "baseline")]))]
    for _, head, body in tables:
        if body:
            print()
            print_table(head, body)
    for n in ctx.notes:
        print(f"note: {n}")
    with open(args.out, "w") as f:
        f.write(markdown(tables, ctx))
    print(f"\n({time.perf_counter() - started:.0f} s; written to {os.path.relpath(args.out)})")


if __name__ == "__main__":
    main()
