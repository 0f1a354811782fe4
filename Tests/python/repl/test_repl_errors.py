"""Errors show bpftrace's underlined diagnostic and leave the session working."""
import re

from repl_harness import Repl


def test_syntax_error_underlined_then_next_cell_works(repl):
    out = repl.cell("BEGIN { @x = ; }")
    assert "cell[1]:1:14-15: ERROR: syntax error" in out, out
    lines = out.splitlines()
    i = next(n for n, l in enumerate(lines) if "ERROR:" in l)
    assert lines[i + 1] == "BEGIN { @x = ; }"
    assert lines[i + 2] == " " * 13 + "~"
    out = repl.cell('BEGIN { printf("ok %d\\n", 41 + 1); }')
    assert re.search(r"^ok 42$", out, re.M), out


def test_errors_are_red_on_a_terminal_unless_no_color(tmp_path):
    colored = Repl(tmp_path, color=True)
    try:
        colored.cell("BEGIN { @x = ; }")
        colored.cell("%nosuchmagic")
        raw = colored.log.getvalue()
        assert "\x1b[31m" in raw
        assert re.search(r"\x1b\[31m[^\n]*unknown magic %nosuchmagic", raw), raw
    finally:
        colored.close()
    plain = Repl(tmp_path)
    try:
        plain.cell("BEGIN { @x = ; }")
        assert "\x1b[31m" not in plain.log.getvalue()
    finally:
        plain.close()


def test_type_error_leaves_session_as_it_was(repl):
    repl.cell("BEGIN { @n = 1; }")
    out = repl.cell('BEGIN { @n = "text"; }')
    assert "ERROR" in out
    out = repl.cell("print(@n)")
    assert re.search(r"^@n: 1$", out, re.M), out
