"""Nothing stays attached after the REPL ends: Ctrl-D, %quit, SIGTERM, or SIGKILL."""
import signal
import time

import pexpect

from repl_harness import Repl, existing_links, process_links

PROBES = [
    't:syscalls:sys_enter_open* { @[probe] = count(); }',
    "i:ms:100 { @t = count(); }",
    "profile:hz:49 { @p = count(); }",
    'END { printf("end ran\\n"); }',
]


def attach_all(r: Repl) -> set[int]:
    """Attaches the probes; returns the IDs of the links the REPL holds."""
    for cell in PROBES:
        r.cell(cell)
    links = process_links(r.p.pid)
    assert len(links) >= 4
    assert links <= existing_links()
    return links


def test_ctrl_d_detaches_everything(tmp_path):
    r = Repl(tmp_path)
    try:
        links = attach_all(r)
        assert r.quit() == 0
        assert "end ran" in r.transcript()
    finally:
        r.close()
    assert not links & existing_links()


def test_quit_magic(tmp_path):
    r = Repl(tmp_path)
    try:
        links = attach_all(r)
        r.p.send("%quit\r")
        r.p.expect(pexpect.EOF, timeout=60)
        r.p.close()
        assert r.p.exitstatus == 0
        assert "end ran" in r.transcript()
    finally:
        r.close()
    assert not links & existing_links()


def test_sigterm_and_sigkill(tmp_path):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        r = Repl(tmp_path)
        try:
            links = attach_all(r)
            r.p.send("print(@t")  # a partly typed line does not hold anything up
            time.sleep(0.2)
            r.p.kill(sig)
            r.p.expect(pexpect.EOF, timeout=60)
            r.p.close()
            if sig == signal.SIGTERM:
                assert r.p.exitstatus == 0
                assert "end ran" in r.transcript()
        finally:
            r.close()
        assert not links & existing_links()
