"""Table rows for bench/run.py: per tool a list of values, a statistic of them, and a ratio."""
import statistics
import sys
import time

from harness import Failed


def percentile(q):
    """The q-th percentile (statistics' inclusive method), as a statistic for Row."""
    def stat(values):
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
    stat.__name__ = f"p{q}"
    return stat


class Row:
    """One table line: per tool a list of values, or the reason it has none. `stat` turns the
    values into the cell's number (the median unless told otherwise); `goal`, if given, is
    (limit, unit text) that the first tool's number should stay under."""

    def __init__(self, label, unit, results, higher_is_better=False, ratio=True, stat=statistics.median,
                 goal=None):
        self.label, self.unit, self.results = label, unit, results
        self.higher_is_better, self.show_ratio = higher_is_better, ratio
        self.stat, self.goal = stat, goal

    def median(self, tool):
        v = self.results.get(tool)
        return self.stat(v) if isinstance(v, list) and v else None

    def cell(self, tool):
        v = self.results.get(tool)
        if isinstance(v, str):
            return f"n/a ({v})"
        if not v:
            return "n/a"
        text = fmt(self.median(tool), self.unit)
        if len(v) >= 3:  # the spread says how much a shared, noisy VM moved the number
            text += f" ({num(min(v), self.unit)}–{num(max(v), self.unit)})"
        return text

    def runs(self):
        return "/".join(str(len(v)) if isinstance(v, list) else "-" for v in self.results.values())

    def ratio(self, a="bpfrepl", b="bpftrace"):
        ma, mb = self.median(a), self.median(b)
        if not self.show_ratio or ma is None or mb is None or min(ma, mb) <= 0:
            return "–"
        return f"{(ma / mb if self.higher_is_better else mb / ma):.2f}x"

    def goal_cell(self, tool="bpfrepl"):
        if self.goal is None:
            return "–"
        limit, text = self.goal
        m = self.median(tool)
        if m is None:
            return f"{text}: n/a"
        return f"{text}: {'met' if m <= limit else 'missed'}"


def num(x, unit):
    if unit == "ms" and x < 10:
        return f"{x:.2f}"
    if unit == "ms" and x < 100:
        return f"{x:.1f}"
    if unit == "ev/s":
        return f"{x / 1000:,.0f}k"
    return f"{x:,.0f}"


def fmt(x, unit):
    return num(x, unit) + (f" {unit}" if unit else "")


def interleave(tools, runs, once, pause=0.05):
    """A, B, B, A, A, B...: alternating which tool goes first cancels drift and order effects.
    A tool that fails once is not run again for this row; its entry becomes the error. `pause`
    lets the previous run's deferred kernel work (frees, RCU) finish before the next."""
    results = {t.name: [] for t in tools}
    for i in range(runs):
        for t in (tools if i % 2 == 0 else tools[::-1]):
            if isinstance(results[t.name], list):
                time.sleep(pause)
                try:
                    results[t.name].append(once(t))
                except Failed as e:
                    results[t.name] = str(e)
    return results


def pick(results, key):
    """One metric out of results whose values are dicts."""
    return {k: ([d[key] for d in v] if isinstance(v, list) else v) for k, v in results.items()}


def progress(msg):
    print(f"  {msg}", file=sys.stderr, flush=True)


def stop_after_measuring(ctx, r, what, timeout=20):
    """The number is already taken: a tool that then hangs on SIGINT gets a note, not an n/a."""
    try:
        r.stop(timeout)
    except Failed as e:
        ctx.notes.append(f"{r.tool.name}, {what}: did not exit after SIGINT, killed: {e}")
        progress(ctx.notes[-1])
