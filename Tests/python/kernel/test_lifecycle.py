"""Sockets and process lifecycle: heartbeat, ipc, iopub_welcome, shutdown."""
import os
import time

import pytest
import zmq
from jupyter_client.session import Session

from harness import KernelProcess, execute


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
    kc.execute("%%sleep 2")
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
        reply, msgs = execute(kc, "over ipc")
        assert reply["content"]["status"] == "ok"
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
        assert k.proc.wait(timeout=5) == 0
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
        assert k.proc.wait(timeout=5) == 0
    finally:
        k.close()


def test_shutdown_during_running_cell_and_async_output():
    k = KernelProcess()
    try:
        kc = k.client()
        execute(kc, "%%tick 1000")  # keeps producing output from another thread
        kc.execute("%%sleep 30")
        time.sleep(0.2)
        kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": False}))
        assert kc.get_control_msg(timeout=5)["msg_type"] == "shutdown_reply"
        assert k.proc.wait(timeout=5) == 0
    finally:
        k.close()


def test_kernel_manager_interrupt_and_shutdown():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="bpfrepl-test")
    try:
        msg_id = kc.execute("%%sleep 30")
        time.sleep(0.3)
        km.interrupt_kernel()  # interrupt_mode "message": sent as interrupt_request on control
        reply = kc.get_shell_msg(timeout=5)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["ename"] == "Interrupted"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not km.is_alive()
