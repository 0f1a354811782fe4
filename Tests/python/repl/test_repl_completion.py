"""Tab completion through session.complete: tracepoints, categories, magics, maps."""
import os
import re
import time

from repl_harness import Repl


def test_tracepoint_name_completion(repl):
    # First TAB inserts the common prefix (sys_enter_open), the second lists the candidates.
    repl.p.send("t:syscalls:sys_enter_op\t")
    time.sleep(0.3)
    repl.p.send("\t")
    repl.p.expect(r"t:syscalls:sys_enter_openat\b")
    repl.p.expect(r"bpfrepl \[1\]> t:syscalls:sys_enter_open")
    # The buffer now holds t:syscalls:sys_enter_open: finish the line and check what ran.
    out = repl.cell("at { @opens = count(); }")
    assert "Attached 1 probe" in out, out
    out = repl.cell("%probes")
    assert re.search(r"^#1\s+1\s+t:syscalls:sys_enter_openat\s", out, re.M), out


def test_category_magic_and_map_completion(repl):
    repl.p.send("t:syscal\t")  # one candidate: the category is completed
    time.sleep(0.3)
    out = repl.cell("sys_enter_getppid { @parents = count(); }")
    assert "Attached 1 probe" in out, out
    os.getppid()
    repl.p.send("print(@par\t")
    time.sleep(0.3)
    out = repl.cell(")")
    assert re.search(r"^@parents: \d+$", out, re.M), out
    repl.p.send("%prob\t")
    time.sleep(0.3)
    out = repl.cell("")
    assert "sys_enter_getppid" in out and "EVENTS" in out, out
