"""The LSFMM ps(1) investigation, typed into the terminal REPL, then replayed from its notebook."""
import re
import subprocess
import time

from repl_harness import BIN, Repl, existing_links, process_links

SYS_EXIT_ALL = 't:syscalls:sys_exit_* /comm == "ps"/ { @[probe, args->ret > 0 ? 0 : - args->ret] = count(); }'
GETDENTS = [
    't:syscalls:sys_enter_getdents64 /comm == "ps"/ { @start[tid] = nsecs; }',
    't:syscalls:sys_exit_getdents64 /@start[tid]/ { printf("%8d us, ret: %d\\n", (nsecs - @start[tid]) / 1000, args->ret); delete(@start[tid]); }',
]
RET_LINE = re.compile(r"^\s+\d+ us, ret: \d+$", re.M)


def test_ps_investigation_and_replay(tmp_path):
    r = Repl(tmp_path, timeout=60)
    try:
        out = r.cell(SYS_EXIT_ALL)
        attached = re.search(r"Attached (\d+) probes in ([\d.]+ ms)", out)
        assert attached and int(attached.group(1)) >= 360, out
        print(f"\nattached {attached.group(1)} sys_exit tracepoints in {attached.group(2)}")
        # The cell returned while its probes stay attached.
        links = process_links(r.p.pid)
        assert len(links) >= 360

        for _ in range(3):
            r.cell("!ps -e > /dev/null")
        out = r.cell("print(@)")
        entries = re.findall(r"^@\[tracepoint:syscalls:sys_exit_(\w+), (\d+)\]: (\d+)$", out, re.M)
        assert any(int(count) > 0 for _, _, count in entries), out
        assert "openat" in {name for name, _, _ in entries}, out

        start = time.monotonic()
        out = r.cell("%detach all", timeout=300)
        took = time.monotonic() - start
        print(f"%detach all of {attached.group(1)} tracepoints took {took:.1f} s")
        assert "Detached 1 probe" in out
        # The probes stop at once (their gate closes); the kernel releases the links in the
        # background, which takes tens of milliseconds per tracepoint on this kernel.
        assert took < 5
        assert r.cell("%probes") .strip().endswith("No probes attached.")
        before = r.cell("print(@)")
        r.cell("!ps -e > /dev/null")
        assert r.cell("print(@)") == before, "a detached probe still counted events"
        sys_exit_links = links

        # Two probes on two lines, one cell (Alt-Enter between them).
        out = r.cell(*GETDENTS)
        assert "Attached 2 probes" in out, out
        out = r.cell("!ps -e > /dev/null")
        assert RET_LINE.search(out), out

        out = r.cell("%probes")
        rows = re.findall(r"^#\d+\s+\d+\s+t:syscalls:sys_(enter|exit)_getdents64\s+1\s+(\d+)\s", out, re.M)
        assert sorted(kind for kind, _ in rows) == ["enter", "exit"], out
        assert all(int(events) > 0 for _, events in rows), out

        out = r.cell("%save ps.ipynb")
        assert "Saved ps.ipynb" in out
        links = process_links(r.p.pid) - sys_exit_links
        assert len(links) == 2
        assert r.quit() == 0
    finally:
        r.close()
    deadline = time.monotonic() + 90
    while (links | sys_exit_links) & existing_links() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not (links | sys_exit_links) & existing_links(), "links outlived the session"

    start = time.monotonic()
    res = subprocess.run([BIN, "replay", "ps.ipynb", "--no-color"], cwd=tmp_path, capture_output=True, text=True, timeout=400)
    print(f"replay took {time.monotonic() - start:.1f} s")
    assert res.returncode == 0, res.stderr
    assert "In [1]: t:syscalls:sys_exit_*" in res.stdout
    assert re.search(r"^@\[tracepoint:syscalls:sys_exit_openat, \d+\]: [1-9]\d*$", res.stdout, re.M), res.stdout
    assert RET_LINE.search(res.stdout), res.stdout
