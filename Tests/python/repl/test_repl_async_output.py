"""Probe output of earlier cells appears above the prompt without breaking the line being typed."""
import os
import re
import time

from repl_harness import Repl

ESC = r"(?:\x1b\[[0-9;?]*[A-Za-z]|\r)*"


def test_ticks_above_a_partly_typed_line(repl):
    repl.cell('i:ms:200 { printf("tick\\n"); }')
    repl.p.send("print(12")
    # Each batch of output is followed by the prompt and the partial line, drawn again.
    for _ in range(3):
        repl.p.expect("tick" + ESC + r"\n" + ESC + r"bpfrepl \[2\]> " + ESC + r"print\(12", timeout=5)
    out = repl.cell("34)")
    assert re.search(r"^1234$", out, re.M), out
    # The redrawn line ran as typed: nothing of "print(12" was lost.
    repl.cell("%detach all")


def test_burst_is_coalesced(repl):
    n = 10000
    repl.cell(f't:syscalls:sys_enter_getppid /pid == {os.getpid()}/ {{ printf("burst %d\\n", @b); @b = @b + 1; }}')
    repl.p.send("print(5")
    time.sleep(0.3)
    before = len(repl.log.getvalue())
    for _ in range(n):
        os.getppid()
    repl.p.expect(f"burst {n - 1}\r?\n", timeout=30)
    time.sleep(0.5)
    out = repl.cell(")")
    assert re.search(r"^5$", out, re.M)
    raw = repl.log.getvalue()[before:]
    burst = re.findall(r"burst (\d+)", raw)
    assert [int(b) for b in burst] == list(range(n))
    redraws = raw.count("bpfrepl [2]> ")
    print(f"\n{n} lines arrived with {redraws} redraws of the prompt")
    assert redraws < n / 20
