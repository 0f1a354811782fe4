"""Sockets and process lifecycle: heartbeat, ipc, iopub_welcome, shutdown."""
import os
import time

import pytest
import zmq
from jupyter_client.session import Session

from harness import (
    GETPPID,
    KernelProcess,
    execute,
    held_links,
    kernel_link_ids,
    ok,
    programs_alive,
    stream_text,
    wait_until,
)


def test_heartbeat_echo(kernel):
    kernel.client()
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.linger = 0
    sock.connect(kernel.endpoint("hb"))
    try:
        for payload in [b"ping", b"\x00binary\xff", b"x" * 10000]:
            sock.send(payload)
            assert sock.poll(2000), "no heartbeat echo"
            assert sock.recv() == payload
    finally:
        sock.close()


def test_heartbeat_answers_while_a_cell_runs(kernel):
    kc = kernel.client()
    kc.execute("!sleep 2")
    time.sleep(0.2)
    assert kc.is_alive()
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.linger = 0
    sock.connect(kernel.endpoint("hb"))
    sock.send(b"ping")
    assert sock.poll(1000) and sock.recv() == b"ping"
    sock.close()


def test_ipc_transport():
    k = KernelProcess(transport="ipc")
    try:
        kc = k.client()
        reply, msgs = execute(kc, 'printf("over ipc\\n")')
        assert reply["content"]["status"] == "ok"
        assert stream_text(msgs) == "over ipc\n"
        assert os.path.exists(f"{k.info['ip']}-{k.info['shell_port']}")
    finally:
        k.close()


def test_iopub_welcome_on_subscribe(kernel):
    kernel.client()
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(kernel.endpoint("iopub"))
    try:
        assert sub.poll(3000), "no iopub_welcome"
        session = Session(key=kernel.key)
        _, frames = session.feed_identities(sub.recv_multipart())
        msg = session.deserialize(frames)
        assert msg["msg_type"] == "iopub_welcome"
        assert msg["content"] == {"subscription": ""}
        assert msg["parent_header"] == {}
    finally:
        sub.close()


@pytest.mark.parametrize("restart", [False, True])
def test_shutdown_on_control_exits(restart):
    k = KernelProcess()
    try:
        kc = k.client()
        msg = kc.session.msg("shutdown_request", {"restart": restart})
        kc.control_channel.send(msg)
        reply = kc.get_control_msg(timeout=5)
        assert reply["msg_type"] == "shutdown_reply"
        assert reply["content"] == {"status": "ok", "restart": restart}
        start = time.monotonic()
        assert k.proc.wait(timeout=5) == 0
        assert time.monotonic() - start < 2
        assert "too long" not in k.stderr()
    finally:
        k.close()


def test_shutdown_on_shell_exits():
    k = KernelProcess()
    try:
        kc = k.client()
        msg = kc.session.msg("shutdown_request", {"restart": False})
        kc.shell_channel.send(msg)
        reply = kc.get_shell_msg(timeout=5)
        assert reply["msg_type"] == "shutdown_reply"
        start = time.monotonic()
        assert k.proc.wait(timeout=5) == 0
        # A clean exit, not the shutdown watchdog's (which fires after 3 s).
        assert time.monotonic() - start < 2
        assert "too long" not in k.stderr()
    finally:
        k.close()


def tracepoint_links(k: KernelProcess) -> dict[int, dict]:
    return {i: l for i, l in held_links(k.proc.pid).items() if "tp_name" in l}


def assert_gone(links: dict[int, dict], what: str):
    """The links (and their programs) no longer exist; detaching is slow in the kernel: poll."""
    ids = set(links)
    progs = {int(l["prog_id"]) for l in links.values()}
    wait_until(lambda: not (ids & kernel_link_ids()), 10)
    assert not ids & kernel_link_ids(), f"BPF links left behind after {what}: {sorted(ids & kernel_link_ids())}"
    wait_until(lambda: not programs_alive(progs), 10)
    assert not programs_alive(progs), f"BPF programs left behind after {what}"


def test_shutdown_during_running_cell_and_async_output():
    k = KernelProcess()
    try:
        kc = k.client()
        ok(kc, 'i:ms:1 { printf("tick\\n"); }')  # keeps producing output from another thread
        kc.execute(f"%%run 30s\n{GETPPID} {{ @calls = count(); }}")
        links = wait_until(lambda: tracepoint_links(k), 5)
        assert [l["tp_name"] for l in links.values()] == ["sys_enter_getppid"]
        kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": False}))
        assert kc.get_control_msg(timeout=5)["msg_type"] == "shutdown_reply"
        assert k.proc.wait(timeout=5) == 0
        assert_gone(links, "shutdown")
    finally:
        k.close()


def test_shutdown_detaches_every_probe():
    k = KernelProcess()
    try:
        kc = k.client()
        ok(kc, f"{GETPPID} {{ @calls = count(); }}\nt:syscalls:sys_exit_getppid {{ @exits = count(); }}")
        links = tracepoint_links(k)
        assert sorted(l["tp_name"] for l in links.values()) == ["sys_enter_getppid", "sys_exit_getppid"]
        assert set(links) <= kernel_link_ids()
        kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": False}))
        assert kc.get_control_msg(timeout=5)["content"]["status"] == "ok"
        assert k.proc.wait(timeout=5) == 0
        assert_gone(links, "shutdown")
    finally:
        k.close()


def processes_running(cmdline: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().replace(b"\0", b" ").strip() == cmdline.encode():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


def test_shutdown_ends_a_running_shell_command():
    k = KernelProcess()
    try:
        kc = k.client()
        marker = f"sleep 30.{os.getpid()}"  # a command line no other process has
        kc.execute(f"!{marker}")
        assert wait_until(lambda: processes_running(marker), 5), "the ! command did not start"
        kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": False}))
        assert kc.get_control_msg(timeout=5)["msg_type"] == "shutdown_reply"
        assert k.proc.wait(timeout=5) == 0
        wait_until(lambda: not processes_running(marker), 2)
        assert not processes_running(marker), "the ! command outlived the kernel"
    finally:
        k.close()


def test_sigkill_leaves_no_bpf_link_behind():
    k = KernelProcess()
    try:
        kc = k.client()
        assert not tracepoint_links(k)
        before = kernel_link_ids()
        ok(kc, f"{GETPPID} {{ @calls = count(); }}")
        links = tracepoint_links(k)
        assert [l["tp_name"] for l in links.values()] == ["sys_enter_getppid"]
        assert set(links) <= kernel_link_ids() - before  # new, and visible to bpftool
        k.proc.kill()
        assert k.proc.wait(timeout=5) == -9
        assert_gone(links, "SIGKILL")
    finally:
        k.close()


def test_kernel_manager_interrupt_and_shutdown():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="bpfrepl-test")
    try:
        msg_id = kc.execute("%%run 30s\ni:ms:100 { @ticks = count(); }")
        time.sleep(0.3)
        km.interrupt_kernel()  # interrupt_mode "message": sent as interrupt_request on control
        reply = kc.get_shell_msg(timeout=5)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["ename"] == "Interrupted"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not km.is_alive()
