"""Every investigation record in notebooks/ replays in the terminal: `bpfrepl replay FILE.ipynb`
runs its code cells in a fresh session, exits 0 (a cell tagged `raises-exception` must fail, and
does), and prints what its workload did."""
import json
import re
import subprocess

import pytest

from repl_harness import BIN, REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

# Per record: patterns its replay's stdout (and stderr) must show.
KEY_LINES = {
    "hello.ipynb": [r"^@\[/etc/hostname\]: 1$"],
    "ps-failure.ipynb": [
        r"^@\[tracepoint:syscalls:sys_exit_getdents64, 0\]: \d+$",
        r"^@example\[3\]: /proc/\d+/environ$",
        r"^#define __NR_getdents64 217$",
        r"^\s+\d+ us, ret: [1-9]\d*$",
        r"^No probes attached\.$",
    ],
    "opensnoop.ipynb": [r"^\d+\s+cat\s+\d+\s+0 /tmp/bpfrepl-opensnoop\.txt$", r"^\d+\s+cat\s+-1\s+2 /tmp/bpfrepl-no-such-file$"],
    "execsnoop.ipynb": [r"^\d+\s+sh\s+sh -c uname -r; id -un; ls -d /tmp$", r"^\d+\s+sh\s+id -un$"],
    "syscount.ipynb": [r"^@syscall\[0\]: \d{4,}$", r"^@syscall\[1\]: \d{4,}$", r"^@process\[dd, \d+\]: \d{4,}$"],
    "biolatency.ipynb": [r"^2000\+0 records out$", r"^@issued\[dd\]: \d{4,}$", r"^@usecs:\n\["],
    "runqlat.ipynb": [r"^@usecs:\n\["],
    "tcplife.ipynb": [r"^python3\s+127\.0\.0\.1:\d+\s+>\s+127\.0\.0\.1:45678\s+SYN_SENT -> ESTABLISHED$",
                      r"^@life_us\[127\.0\.0\.1, 45678, 127\.0\.0\.1, \d+\]: \d+$"],
    "profile-flamegraph.ipynb": [r"^\s+read_zero\+\d+$"],
    "cachestat.ipynb": [r"^inode (\d+): /var/tmp/bpfrepl-cache\.dat, 4194304 bytes$", r"^@missed\[\d+\]: \d{4,}$"],
    "watch-histogram.ipynb": [r"^Watching @usecs every 500ms", r"^@usecs:\n\[(.|\n)*^@usecs:\n\[", r"^Stopped 1 watch$"],
}
# Records with a cell tagged raises-exception: the expected error, on stderr.
EXPECTED_ERRORS = {"ps-failure.ipynb": "ERROR: kprobes are not supported by this kernel"}


def test_every_record_has_key_lines():
    assert {p.name for p in NOTEBOOKS} <= set(KEY_LINES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_record_replays(path):
    res = subprocess.run([BIN, "replay", "--no-color", str(path)], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout + res.stderr
    for pattern in KEY_LINES[path.name]:
        assert re.search(pattern, out, re.M), f"{pattern!r} not in the replay of {path.name}:\n{out}"
    tagged = [c for c in json.loads(path.read_text())["cells"] if "raises-exception" in c.get("metadata", {}).get("tags", [])]
    assert bool(tagged) == (path.name in EXPECTED_ERRORS)
    if tagged:
        assert EXPECTED_ERRORS[path.name] in res.stderr


def test_replay_fails_when_a_raises_exception_cell_does_not(tmp_path):
    nb = tmp_path / "tagged.ipynb"
    cell = lambda src, tags: {"cell_type": "code", "execution_count": None, "metadata": {"tags": tags}, "source": src, "outputs": []}
    nb.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        cell('BEGIN { printf("fine\\n"); }', ["raises-exception"]),
    ]}))
    res = subprocess.run([BIN, "replay", "--no-color", str(nb)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "fine\n" in res.stdout
    assert "ERROR: cell 1 is tagged raises-exception but did not fail" in res.stderr

    nb.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        cell("BEGIN { @x = ; }", ["raises-exception"]), cell('printf("after\\n")', []),
    ]}))
    res = subprocess.run([BIN, "replay", "--no-color", str(nb)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "cell[1]:1:14-15: ERROR:" in res.stderr and "after\n" in res.stdout
