"""The history file persists cells across sessions; Up recalls them (multi-line cells whole)."""
import re
import time

from repl_harness import Repl

UP = "\x1b[A"


def test_history_survives_restart(tmp_path):
    first = Repl(tmp_path)
    try:
        first.cell('BEGIN { printf("first %d\\n", 7); }')
        first.cell('BEGIN { printf("a\\n"); }', 'BEGIN { printf("b\\n"); }')
        assert first.quit() == 0
    finally:
        first.close()
    history = (tmp_path / ".bpfrepl_history").read_text()
    assert history.startswith("_HiStOrY_V2_\n")

    second = Repl(tmp_path)
    try:
        second.p.send(UP)  # the two-line cell, recalled as one
        time.sleep(0.3)
        out = second.cell("")
        assert re.search(r"^a\nb$", out, re.M), out
        second.p.send(UP + UP)  # past the recalled cell (run again, not added twice) to the first
        time.sleep(0.3)
        out = second.cell("")
        assert "first 7" in out, out
        assert second.quit() == 0
    finally:
        second.close()


def test_history_file_from_environment(tmp_path):
    custom = tmp_path / "elsewhere" / "hist"
    custom.parent.mkdir()
    from repl_harness import env_for
    import pexpect
    from repl_harness import BIN, PROMPT
    p = pexpect.spawn(BIN, ["--no-color"], env=env_for(tmp_path, BPFREPL_HISTORY=str(custom)), encoding="utf-8", timeout=30)
    try:
        p.expect(PROMPT)
        p.send("%maps\r")
        p.expect(PROMPT)
        p.sendeof()
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
    assert custom.read_text().splitlines() == ["_HiStOrY_V2_", "%maps"]
