"""`bpfrepl replay FILE.ipynb [--update]` runs a notebook's cells again in a fresh session."""
import json
import re
import subprocess

from repl_harness import BIN


def notebook(path, cells):
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "source": c, "outputs": []} for c in cells]
        + [{"cell_type": "markdown", "metadata": {}, "source": "not code"}],
    }))


def test_replay_prints_cells_and_outputs(tmp_path):
    nb = tmp_path / "session.ipynb"
    notebook(nb, [
        't:syscalls:sys_enter_getdents64 /comm == "ls"/ { @dirs = count(); printf("dir\\n"); }\n!ls / > /dev/null',
        "print(@dirs)",
    ])
    res = subprocess.run([BIN, "replay", str(nb)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "In [1]: t:syscalls:sys_enter_getdents64" in res.stdout
    assert "   ...: !ls / > /dev/null" in res.stdout
    assert re.search(r"^dir$", res.stdout, re.M)
    assert re.search(r"In \[2\]: print\(@dirs\)\n@dirs: [1-9]\d*$", res.stdout, re.M), res.stdout


def test_replay_update_writes_outputs_and_fails_on_error(tmp_path):
    nb = tmp_path / "session.ipynb"
    notebook(nb, ['BEGIN { printf("hi\\n"); }', "BEGIN { @x = ; }", "%probes"])
    res = subprocess.run([BIN, "replay", str(nb), "--update", "--no-color"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "cell[2]:1:14-15: ERROR:" in res.stderr
    assert "No probes attached." in res.stdout  # cells after the failing one still ran
    cells = json.loads(nb.read_text())["cells"]
    assert [c["execution_count"] for c in cells] == [1, 2, 3]
    assert cells[0]["outputs"][0]["text"] == ["hi\n"]
    assert cells[1]["outputs"][-1]["output_type"] == "error"
