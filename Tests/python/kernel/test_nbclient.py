"""Notebooks executed by nbclient: small ones built here, and every record in notebooks/."""
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
    assert c1.outputs[0].name == "stderr" and c1.outputs[0].text == "WARNING: careful\n"
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
    nb = run(nbformat.read(path, as_version=4))  # raises CellExecutionError on an error cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source
    # The record's cells produce the same kinds of output as when it was recorded.
    recorded_code = [c for c in recorded.cells if c.cell_type == "code"]
    for new, old in zip(code, recorded_code):
        kinds = lambda cell: sorted({(o.output_type, o.get("name")) for o in cell.outputs})
        assert kinds(new) == kinds(old), new.source
    check = KEY_OUTPUTS.get(path.name)
    if check:
        check({c.source: c for c in code})


def check_hello(cells):
    probe = 't:syscalls:sys_enter_openat /comm == "cat"/ { @[str(args->filename)] = count(); }'
    assert "Attached 1 probe" in texts(cells[probe], "stderr")
    assert texts(cells["!cat /etc/hostname"]) == Path("/etc/hostname").read_text()
    # The probe attached two cells earlier counted the workload's open of the file.
    assert "@[/etc/hostname]: 1\n" in texts(cells["print(@)"])
    assert texts(cells["%detach all"], "stderr") == "Detached 1 probe\n"


KEY_OUTPUTS = {"hello.ipynb": check_hello}
