"""Notebooks executed by nbclient: small ones built here, and every record in notebooks/."""
import re
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from harness import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "bpfrepl-test", "display_name": "bpfrepl (test)", "language": "bpftrace"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


class RecordingClient(NotebookClient):
    """Also remembers the type of every IOPub message each cell received (nbclient applies
    update_display_data in place, so the saved outputs no longer show the updates)."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.iopub = defaultdict(list)

    def process_message(self, msg, cell, cell_index):
        self.iopub[cell_index].append(msg["msg_type"])
        return super().process_message(msg, cell, cell_index)


def run(nb, **kw):
    NotebookClient(nb, timeout=60, kernel_name="bpfrepl-test", **kw).execute()
    return nb


def texts(cell, name="stdout"):
    """Stream text; for stdout also the text/plain of rich map displays."""
    out = []
    for o in cell.outputs:
        if o.output_type == "stream" and o.name == name:
            out.append(o.text)
        elif name == "stdout" and o.output_type == "display_data":
            out.append(o.data.get("text/plain", ""))
    return "".join(out)


def test_notebook_runs_and_records_outputs():
    nb = run(notebook('printf("hello notebook\\n")', 'BEGIN { warnf("careful"); }', "i:s:1 { @ticks = count(); }"))
    c0, c1, c2 = nb.cells
    assert c0.execution_count == 1
    assert c0.outputs[0].output_type == "stream" and c0.outputs[0].text == "hello notebook\n"
    assert c1.outputs[0].name == "stderr" and c1.outputs[0].text == "cell[2]:1:9-25: WARNING: careful\n"
    assert "Attached 1 probe" in texts(c2, "stderr")
    assert nb.metadata.language_info.name == "bpftrace"
    assert nb.metadata.language_info.file_extension == ".bt"


def test_notebook_error_cell():
    nb = notebook('printf("fine\\n")', "BEGIN { $x = nosuchthing; }", 'printf("never run\\n")')
    with pytest.raises(CellExecutionError) as e:
        run(nb)
    assert "ERROR: " in str(e.value) and "~~~~~" in str(e.value)
    err = nb.cells[1].outputs[0]
    assert err.output_type == "error" and err.ename == "CompileError"
    assert "~~~~~" in "\n".join(err.traceback)
    assert nb.cells[2].outputs == []

    nb = run(notebook('printf("fine\\n")', "BEGIN { $x = nosuchthing; }", 'printf("still run\\n")'), allow_errors=True)
    assert nb.cells[2].outputs[0].text == "still run\n"


def test_there_are_records():
    assert NOTEBOOKS, "notebooks/ holds no records"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_record_runs_without_error(path):
    recorded = nbformat.read(path, as_version=4)
    nb = nbformat.read(path, as_version=4)
    client = RecordingClient(nb, timeout=60, kernel_name="bpfrepl-test")
    client.execute()  # raises CellExecutionError on an error in a cell not tagged raises-exception
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for c in code:
        errors = [o for o in c.outputs if o.output_type == "error"]
        if "raises-exception" in c.metadata.get("tags", []):
            assert errors, f"tagged raises-exception but did not fail: {c.source}"
        else:
            assert not errors, c.source
    # The record's cells produce the same kinds of output as when it was recorded.
    recorded_code = [c for c in recorded.cells if c.cell_type == "code"]
    for new, old in zip(code, recorded_code):
        kinds = lambda cell: sorted({(o.output_type, o.get("name")) for o in cell.outputs})
        assert kinds(new) == kinds(old), new.source
    check = KEY_OUTPUTS.get(path.name)
    assert check, f"no key-output check for {path.name} in KEY_OUTPUTS"
    # IOPub message types by cell id.
    iopub = {nb.cells[i].id: types for i, types in client.iopub.items()}
    check(code, iopub)


def cell(code, start, n=None):
    """The code cell whose source starts with `start`: the only one, or the n-th of them."""
    found = [c for c in code if c.source.startswith(start)]
    if n is None:
        assert len(found) == 1, (start, [c.source for c in found])
        return found[0]
    return found[n]


def plain(c):
    """The text/plain of a cell's rich displays (maps printed in Jupyter)."""
    return "".join(o.data.get("text/plain", "") for o in c.outputs if o.output_type == "display_data")


def value(text, key):
    """The value of `@map[key]: N` in printed map text (None if absent)."""
    m = re.search(rf"^{re.escape(key)}: (\d+)$", text, re.M)
    return int(m.group(1)) if m else None


def hist_total(text):
    """The number of values in printed histogram text (bucket lines `[lo, hi)   N |@@@|`)."""
    return sum(int(n) for n in re.findall(r"^\[[^\])]*[\])]\s+(\d+) \|", text, re.M))


def check_hello(code, iopub):
    probe = 't:syscalls:sys_enter_openat /comm == "cat"/ { @[str(args->filename)] = count(); }'
    assert "Attached 1 probe" in texts(cell(code, probe), "stderr")
    assert texts(cell(code, "!cat /etc/hostname")) == Path("/etc/hostname").read_text()
    # The probe attached two cells earlier counted the workload's open of the file.
    assert "@[/etc/hostname]: 1\n" in texts(cell(code, "print(@)"))
    assert texts(cell(code, "%detach all"), "stderr") == "Detached 1 probe\n"


def check_ps_failure(code, iopub):
    assert "Attached 360 probes" in texts(cell(code, "t:syscalls:sys_exit_*"), "stderr")
    step1 = plain(cell(code, "print(@)", 0))
    # Three runs of ps: every one ends its listing of /proc with an empty getdents64.
    assert value(step1, "@[tracepoint:syscalls:sys_exit_getdents64, 0]") >= 3
    assert value(step1, "@[tracepoint:syscalls:sys_exit_openat, 2]") > 0
    failed = plain(cell(code, "print(@failed); print(@example);"))
    assert value(failed, "@failed[3]") > 0 and re.search(r"^@example\[3\]: /proc/\d+/environ$", failed, re.M)
    raw = plain(cell(code, "print(@)", 1))
    assert value(raw, "@[217, 0]") >= 1 and value(raw, "@[257, 0]") > 10
    assert "#define __NR_getdents64 217\n" in texts(cell(code, "!grep -E '__NR_("))
    empty = plain(cell(code, "print(@empty); print(@bytes);"))
    assert value(empty, "@empty") >= 1 and empty.count("@bytes:\n[") == 1
    latency = texts(cell(code, "t:syscalls:sys_enter_getdents64"))
    assert re.search(r"^\s+\d+ us, ret: 0$", latency, re.M) and re.search(r"^\s+\d+ us, ret: [1-9]\d*$", latency, re.M)
    [err] = [o for o in cell(code, "k:find_ge_pid").outputs if o.output_type == "error"]
    assert "kprobes are not supported by this kernel" in err.evalue + "\n".join(err.traceback)
    assert texts(cell(code, "%probes")) == "No probes attached.\n"


def check_opensnoop(code, iopub):
    out = texts(cell(code, "t:syscalls:sys_enter_openat"))
    assert "hello from opensnoop\n" in out
    assert re.search(r"^\d+\s+cat\s+\d+\s+0 /tmp/bpfrepl-opensnoop.txt$", out, re.M), out
    assert re.search(r"^\d+\s+cat\s+-1\s+2 /tmp/bpfrepl-no-such-file$", out, re.M), out
    assert re.search(r"^#3\s+2\s+t:syscalls:sys_exit_openat\s+1\s+[1-9]", texts(cell(code, "%probes")), re.M)


def check_execsnoop(code, iopub):
    out = texts(cell(code, "t:syscalls:sys_enter_execve"))
    for argv in ["sh -c uname -r; id -un; ls -d /tmp", "uname -r", "id -un", "ls -d /tmp"]:
        assert re.search(rf"^\d+\s+sh\s+{re.escape(argv)}$", out, re.M), (argv, out)


def check_syscount(code, iopub):
    out = plain(cell(code, "print(@syscall, 5); print(@process);"))
    assert value(out, "@syscall[0]") >= 1000 and value(out, "@syscall[1]") >= 1000  # read, write
    assert re.search(r"^@process\[dd, \d+\]: \d{4}$", out, re.M), out
    assert "#define __NR_write 1\n" in texts(cell(code, "!grep"))


def check_biolatency(code, iopub):
    assert "2000+0 records out" in texts(cell(code, "!dd"))
    out = plain(cell(code, "print(@issued); print(@bytes); print(@usecs);"))
    assert value(out, "@issued[dd]") >= 2000 and value(out, "@bytes[dd]") >= 2000 * 4096
    assert hist_total(out) >= 1950, out  # a completion can escape the dev+sector match (e.g. a merged request)


def check_runqlat(code, iopub):
    out = plain(cell(code, "print(@usecs)"))
    assert out.startswith("@usecs:\n[") and hist_total(out) > 20, out


def check_tcplife(code, iopub):
    out = texts(cell(code, "t:sock:inet_sock_set_state"))
    assert "server got 1000 bytes\n" in out
    m = re.search(r"^python3\s+127\.0\.0\.1:(\d+)\s+>\s+127\.0\.0\.1:45678\s+SYN_SENT -> ESTABLISHED$", out, re.M)
    assert m, out
    client_port = m.group(1)
    assert re.search(rf"127\.0\.0\.1:45678\s+>\s+127\.0\.0\.1:{client_port}\s+LAST_ACK -> CLOSE$", out, re.M), out
    life = plain(cell(code, "print(@life_us)"))
    assert value(life, f"@life_us[127.0.0.1, {client_port}, 127.0.0.1, 45678]") is not None, life
    assert value(life, f"@life_us[127.0.0.1, 45678, 127.0.0.1, {client_port}]") is not None, life


def check_flamegraph(code, iopub):
    [flame] = [o for o in cell(code, "print(@)").outputs if o.output_type == "display_data"]
    svg = flame.data["image/svg+xml"]
    assert svg.startswith("<svg") and "flame graph" in svg and "read_zero" in svg
    assert "read_zero+" in flame.data["text/plain"]


def check_cachestat(code, iopub):
    m = re.search(r"^inode (\d+): /var/tmp/bpfrepl-cache.dat, 4194304 bytes$", texts(cell(code, "!head -c 4M")), re.M)
    assert m
    ino = m.group(1)
    written = plain(cell(code, "print(@dirtied); print(@evicted);"))
    assert value(written, f"@dirtied[{ino}]") >= 1000 and value(written, f"@evicted[{ino}]") >= 1000, written
    first, second = [plain(cell(code, "print(@requested); print(@missed);", n)) for n in (0, 1)]
    assert value(first, f"@requested[{ino}]") >= 1024 and value(first, f"@missed[{ino}]") >= 1000, first
    assert value(second, f"@requested[{ino}]") >= 1024 and value(second, f"@missed[{ino}]") is None, second


def check_watch(code, iopub):
    watch = cell(code, "%watch @usecs 500ms")
    types = iopub[watch.id]
    # One display, redrawn in place while the workload ran...
    assert types.count("display_data") == 1 and types.count("update_display_data") >= 2, types
    # ...and what was saved is its last state (the map was empty when the view started).
    [view] = [o for o in watch.outputs if o.output_type == "display_data"]
    assert view.data["text/plain"].startswith("@usecs:\n[") and hist_total(view.data["text/plain"]) >= 4000
    assert "<svg" in view.data["text/html"]
    assert texts(cell(code, "%unwatch"), "stderr") == "Stopped 1 watch\n"


KEY_OUTPUTS = {
    "hello.ipynb": check_hello,
    "ps-failure.ipynb": check_ps_failure,
    "opensnoop.ipynb": check_opensnoop,
    "execsnoop.ipynb": check_execsnoop,
    "syscount.ipynb": check_syscount,
    "biolatency.ipynb": check_biolatency,
    "runqlat.ipynb": check_runqlat,
    "tcplife.ipynb": check_tcplife,
    "profile-flamegraph.ipynb": check_flamegraph,
    "cachestat.ipynb": check_cachestat,
    "watch-histogram.ipynb": check_watch,
}
