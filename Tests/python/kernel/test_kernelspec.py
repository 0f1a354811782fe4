"""`bpfrepl kernel install` writes a kernelspec Jupyter finds."""
import json
import os
import shutil
import subprocess
import sys

from harness import BIN


def run_install(*args, env=None):
    return subprocess.run([BIN, "kernel", "install", *args], capture_output=True, text=True, env=env, timeout=30)


def kernelspecs(jupyter_path):
    env = {**os.environ, "JUPYTER_PATH": jupyter_path}
    # `jupyter kernelspec list` when the jupyter command exists, else the same app as a module.
    cmd = ["jupyter", "kernelspec"] if shutil.which("jupyter") else [sys.executable, "-m", "jupyter_client.kernelspecapp"]
    out = subprocess.run(
        [*cmd, "list", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["kernelspecs"]


def test_install_prefix_is_listed(tmp_path):
    r = run_install("--prefix", str(tmp_path))
    assert r.returncode == 0, r.stderr
    spec_dir = tmp_path / "share/jupyter/kernels/bpfrepl"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [os.path.realpath(BIN), "kernel", "-f", "{connection_file}"]
    assert os.path.isabs(spec["argv"][0])
    assert spec["display_name"] == "bpftrace (bpfrepl)"
    assert spec["language"] == "bpftrace"
    assert spec["interrupt_mode"] == "message"

    listed = kernelspecs(str(tmp_path / "share/jupyter"))
    assert "bpfrepl" in listed
    assert os.path.realpath(listed["bpfrepl"]["resource_dir"]) == os.path.realpath(spec_dir)
    assert listed["bpfrepl"]["spec"]["interrupt_mode"] == "message"


def test_install_user_honours_jupyter_data_dir(tmp_path):
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    r = run_install("--user", env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "data/kernels/bpfrepl/kernel.json").exists()


def test_install_user_default_location(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME")}
    env["HOME"] = str(tmp_path)
    r = run_install("--user", env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / ".local/share/jupyter/kernels/bpfrepl/kernel.json").exists()


def test_bad_arguments_are_usage_errors():
    assert run_install("--bogus").returncode == 2
    r = subprocess.run([BIN, "kernel"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "-f" in r.stderr
