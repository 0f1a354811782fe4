"""Ctrl-C ends a %%run (maps printed) or clears the line; it never ends the session."""
import os
import re
import time

from repl_harness import CONTINUATION, Repl


def test_ctrl_c_ends_run_and_session_continues(repl):
    repl.p.send("%%run 30s\r")
    repl.p.expect(CONTINUATION)
    repl.p.send("t:syscalls:sys_enter_getppid { @calls = count(); }\r")
    repl.p.expect(CONTINUATION)
    repl.p.send("\r")  # a blank line ends a %% cell
    time.sleep(1.5)
    for _ in range(5):
        os.getppid()
    time.sleep(0.2)
    start = time.monotonic()
    repl.p.sendintr()
    out, n = repl.expect_prompt(timeout=5)
    elapsed = time.monotonic() - start
    print(f"\nCtrl-C to prompt: {elapsed * 1000:.0f} ms")
    assert elapsed < 1.5
    assert n == "2"
    assert re.search(r"^@calls: [1-9]\d*$", out, re.M), out
    assert "Interrupted" in out
    repl.number = 2
    out = repl.cell('BEGIN { printf("alive\\n"); }')
    assert re.search(r"^alive$", out, re.M)
    out = repl.cell("%probes")
    assert "No probes attached." in out


def test_ctrl_c_clears_the_line_and_a_typed_cell(repl):
    repl.p.send("BEGIN { printf(")
    time.sleep(0.2)
    repl.p.sendintr()
    repl.p.expect(r"\^C")
    repl.p.send("t:syscalls:sys_enter_getppid {\r")
    repl.p.expect(CONTINUATION)
    repl.p.sendintr()  # abandons the whole cell, not only the continuation line
    repl.p.expect(r"\^C")
    out = repl.cell('BEGIN { printf("fresh\\n"); }')
    assert re.search(r"^fresh$", out, re.M), out
    assert "Attached" not in out


def test_run_ends_by_itself_and_prints_maps(repl):
    # In one piece (Alt-Enter): Enter runs the %% cell, no blank line needed.
    repl.p.send("%%run 1s\x1b\rt:syscalls:sys_enter_getppid { @calls = count(); }\r")
    time.sleep(0.5)
    for _ in range(3):
        os.getppid()
    out, n = repl.expect_prompt(timeout=10)
    assert n == "2"
    assert re.search(r"^@calls: \d+$", out, re.M), out


def test_ctrl_c_ends_a_shell_command(repl):
    repl.p.send("!sleep 30\r")
    time.sleep(0.5)
    start = time.monotonic()
    repl.p.sendintr()
    repl.expect_next_prompt(timeout=5)
    assert time.monotonic() - start < 1.5
    out = repl.cell('BEGIN { printf("alive\\n"); }')
    assert re.search(r"^alive$", out, re.M)
