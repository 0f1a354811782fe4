"""Starting a bpfrepl kernel process and talking to it, for the protocol tests."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

REPO = Path(__file__).resolve().parents[3]
BIN = os.path.abspath(os.environ.get("BPFREPL_BIN") or REPO / ".build/debug/bpfrepl")
# N getppid(2) calls from a process named COMM: the workload probes count (see workload.py).
WORKLOAD = str(Path(__file__).resolve().parent / "workload.py")
WORKLOAD_COMM = "bpfrepl-wl"
# A probe that sees exactly the workload's calls.
GETPPID = f't:syscalls:sys_enter_getppid /comm == "{WORKLOAD_COMM}"/'


def workload_command(n: int) -> str:
    """A shell command (for a `!` line) making n getppid calls."""
    return f"{sys.executable} {WORKLOAD} {n}"


def start_workload(n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, WORKLOAD, str(n)], stdout=subprocess.DEVNULL)


class KernelProcess:
    """A kernel started from a connection file we write ourselves (no kernelspec)."""

    def __init__(self, transport="tcp", key=b"test-key-0123", extra_args=(), conn_extra=None, env=None):
        self.dir = tempfile.mkdtemp(prefix="bpfrepl-kernel-")
        ip = "127.0.0.1" if transport == "tcp" else os.path.join(self.dir, "kernel-ipc")
        self.connection_file, self.info = write_connection_file(
            fname=os.path.join(self.dir, "kernel.json"), ip=ip, key=key, transport=transport
        )
        if conn_extra:
            info = json.loads(Path(self.connection_file).read_text())
            info.update(conn_extra)
            Path(self.connection_file).write_text(json.dumps(info))
            self.info = info
        # stderr to a file: a pipe nobody reads could fill up and block the kernel.
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [BIN, "kernel", "-f", self.connection_file, *extra_args],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env={**os.environ, **(env or {})},
        )
        self.clients: list[BlockingKernelClient] = []

    @property
    def key(self) -> bytes:
        return self.info["key"].encode() if isinstance(self.info["key"], str) else self.info["key"]

    def client(self, ready=True) -> BlockingKernelClient:
        kc = BlockingKernelClient(connection_file=self.connection_file)
        kc.load_connection_file()
        kc.start_channels()
        if ready:
            kc.wait_for_ready(timeout=15)
        self.clients.append(kc)
        return kc

    def endpoint(self, channel: str) -> str:
        port = self.info[f"{channel}_port"]
        if self.info["transport"] == "ipc":
            return f"ipc://{self.info['ip']}-{port}"
        return f"tcp://{self.info['ip']}:{port}"

    def stderr(self) -> str:
        self._stderr.flush()
        return Path(self.stderr_path).read_text(errors="replace")

    def close(self):
        for kc in self.clients:
            kc.stop_channels()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()


def collect(kc: BlockingKernelClient, msg_id: str, timeout: float = 10, others: list | None = None) -> list[dict]:
    """IOPub messages caused by request msg_id, through its idle status (inclusive).
    Messages with other parents are skipped, or appended to `others` if given."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no idle for {msg_id}; got {[m['msg_type'] for m in out]}")
        try:
            msg = kc.get_iopub_msg(timeout=remaining)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            if others is not None:
                others.append(msg)
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


def drain(kc: BlockingKernelClient, duration: float) -> list[dict]:
    """All IOPub messages arriving within `duration` seconds."""
    out = []
    deadline = time.monotonic() + duration
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            out.append(kc.get_iopub_msg(timeout=remaining))
        except Empty:
            break
    return out


def execute(kc: BlockingKernelClient, code: str, timeout: float = 10, **kw):
    """Runs code; returns (reply, iopub messages of that request)."""
    msg_id = kc.execute(code, **kw)
    reply = kc.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply, collect(kc, msg_id, timeout)


def stream_text(messages: list[dict], name: str = "stdout") -> str:
    """What a person sees on that stream. Maps printed by print(@m) arrive as display_data whose
    text/plain is bpftrace's text, so they count as stdout."""
    parts = []
    for m in messages:
        if m["msg_type"] == "stream" and m["content"]["name"] == name:
            parts.append(m["content"]["text"])
        elif name == "stdout" and m["msg_type"] in ("display_data", "update_display_data"):
            parts.append(m["content"]["data"].get("text/plain", ""))
    return "".join(parts)


def displays(messages: list[dict]) -> list[dict]:
    """The display_data bundles of a request (rich map views)."""
    return [m["content"]["data"] for m in messages if m["msg_type"] == "display_data"]


def ok(kc: BlockingKernelClient, code: str, timeout: float = 10, **kw) -> list[dict]:
    """Runs code that must succeed; returns its IOPub messages."""
    reply, msgs = execute(kc, code, timeout, **kw)
    assert reply["content"]["status"] == "ok", reply["content"]
    return msgs


def wait_until(condition, timeout: float, interval: float = 0.05):
    """Polls condition() until it returns something truthy (returned) or timeout (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def held_links(pid: int) -> dict[int, dict]:
    """BPF links process pid holds open: link id -> its /proc/PID/fdinfo fields (link_type,
    prog_id, tp_name for a tracepoint...)."""
    links = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:bpf_link":
                continue
            info = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines() if ":" in line
            )
        except OSError:  # closed meanwhile
            continue
        info = {k.strip(): v.strip() for k, v in info.items()}
        links[int(info["link_id"])] = info
    return links


def kernel_link_ids() -> set[int]:
    """Ids of every BPF link in the kernel (bpftool link list)."""
    out = subprocess.run(["bpftool", "-j", "link", "list"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return {l["id"] for l in json.loads(out.stdout or "[]")}


def programs_alive(prog_ids: set[int]) -> set[int]:
    """Those of prog_ids the kernel still has loaded."""
    return {
        i for i in prog_ids
        if subprocess.run(["bpftool", "prog", "show", "id", str(i)], capture_output=True, timeout=30).returncode == 0
    }


def counted(text: str, name: str) -> int | None:
    """The value bpftrace prints for a scalar map (`@x: 1000`), or None."""
    m = re.search(rf"^{re.escape(name)}: (\d+)$", text, re.M)
    return int(m.group(1)) if m else None
