import json
import os
import subprocess
import tempfile

import pytest

from harness import BIN, KernelProcess

# A kernelspec for the jupyter_kernel_test suite (start_new_kernel looks specs up by name).
_SPEC_ROOT = tempfile.mkdtemp(prefix="bpfrepl-spec-")
os.makedirs(os.path.join(_SPEC_ROOT, "kernels", "bpfrepl-test"))
with open(os.path.join(_SPEC_ROOT, "kernels", "bpfrepl-test", "kernel.json"), "w") as f:
    json.dump(
        {
            "argv": [BIN, "kernel", "-f", "{connection_file}"],
            "display_name": "bpfrepl (test)",
            "language": "bpftrace",
            "interrupt_mode": "message",
        },
        f,
    )
os.environ["JUPYTER_PATH"] = _SPEC_ROOT + os.pathsep + os.environ.get("JUPYTER_PATH", "")


@pytest.fixture(scope="session", autouse=True)
def _tracefs():
    """Cells attach tracepoints: tracefs must be mounted (as `make system` does)."""
    if not os.path.isdir("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], capture_output=True)


@pytest.fixture(autouse=True)
def _binary_exists():
    if not os.access(BIN, os.X_OK):
        pytest.fail(f"bpfrepl binary not found at {BIN}; build it or set BPFREPL_BIN")


@pytest.fixture
def kernel():
    k = KernelProcess()
    yield k
    k.close()


@pytest.fixture
def kc(kernel):
    return kernel.client()
