import os

import pytest

from repl_harness import BIN, Repl


@pytest.fixture(autouse=True)
def _binary_exists():
    if not os.access(BIN, os.X_OK):
        pytest.fail(f"bpfrepl binary not found at {BIN}; build it or set BPFREPL_BIN")


@pytest.fixture
def repl(tmp_path):
    """A REPL with its own HOME and history file."""
    r = Repl(tmp_path)
    yield r
    r.close()
