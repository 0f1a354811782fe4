"""A notebook executed by nbclient, the way notebooks/ records are run."""
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
import pytest


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "bpfrepl-test", "display_name": "bpfrepl (test)", "language": "bpftrace"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_notebook_runs_and_records_outputs():
    nb = notebook("hello notebook", "%%display", "%%stderr warn")
    NotebookClient(nb, timeout=30, kernel_name="bpfrepl-test").execute()
    c0, c1, c2 = nb.cells
    assert c0.execution_count == 1
    assert c0.outputs[0].output_type == "stream" and c0.outputs[0].text == "hello notebook\n"
    assert c1.outputs[0].output_type == "display_data"
    assert c1.outputs[0].data["text/html"] == "<b>0</b>"
    assert c2.outputs[0].name == "stderr"
    assert nb.metadata.language_info.name == "bpftrace"
    assert nb.metadata.language_info.file_extension == ".bt"


def test_notebook_error_cell():
    nb = notebook("fine", "this is an error", "never run")
    with pytest.raises(CellExecutionError) as e:
        NotebookClient(nb, timeout=30, kernel_name="bpfrepl-test").execute()
    assert "ERROR: Unknown identifier" in str(e.value) and "~~~~~" in str(e.value)
    err = nb.cells[1].outputs[0]
    assert err.output_type == "error" and "~~~~~" in "\n".join(err.traceback)

    nb = notebook("fine", "this is an error", "still run")
    NotebookClient(nb, timeout=30, kernel_name="bpfrepl-test", allow_errors=True).execute()
    assert nb.cells[2].outputs[0].text == "still run\n"
