"""`bpfrepl < steps.bt`: stdin not a terminal, cells read from it, their outputs printed."""
import re
import subprocess

from repl_harness import BIN

STEPS = """\
t:syscalls:sys_enter_getdents64 /comm == "ls"/ { @dirs = count(); }
!ls / > /dev/null
print(@dirs)
BEGIN { printf("hello %s\\n", "script"); }

t:syscalls:sys_exit_getdents64 /comm == "ls"/ {
  printf("getdents64 returned %d\\n", args->ret);
}
!ls / > /dev/null
%%run 200ms
i:ms:50 { @ticks = count(); }

END { printf("goodbye\\n"); }
"""


def run(script: str, tmp_path, timeout=60):
    path = tmp_path / "steps.bt"
    path.write_text(script)
    with open(path) as f:
        return subprocess.run([BIN, "--no-color"], stdin=f, capture_output=True, text=True, timeout=timeout, cwd=tmp_path)


def test_cells_from_stdin(tmp_path):
    res = run(STEPS, tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert re.search(r"^@dirs: [1-9]\d*$", out, re.M), out
    assert re.search(r"^hello script$", out, re.M)
    assert re.search(r"^getdents64 returned \d+$", out, re.M), out
    assert re.search(r"^@ticks: [1-9]\d*$", out, re.M), out
    # END runs when the session ends, after everything else.
    assert out.rstrip().endswith("goodbye"), out
    assert "Attached 1 probe" in res.stderr


def test_failing_cell_reported_and_others_run(tmp_path):
    res = run('BEGIN { @x = ; }\nBEGIN { printf("after\\n"); }\n', tmp_path)
    assert res.returncode == 1
    assert "cell[1]:1:14-15: ERROR:" in res.stderr
    assert "BEGIN { @x = ; }\n" + " " * 13 + "~" in res.stderr
    assert "after" in res.stdout


def test_quit_stops_reading(tmp_path):
    res = run('BEGIN { printf("one\\n"); }\n%quit\nBEGIN { printf("two\\n"); }\n', tmp_path)
    assert res.returncode == 0
    assert "one" in res.stdout and "two" not in res.stdout
