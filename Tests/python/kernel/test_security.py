"""Authentication: bad, missing and replayed signatures, malformed input, empty keys."""
import hashlib
import hmac
import json

import pytest
import zmq
from jupyter_client.session import Session

from harness import KernelProcess


@pytest.fixture
def raw(kernel):
    """A bare DEALER on the shell port plus a correctly keyed Session, for hand-made frames."""
    kernel.client()  # waits until the kernel is up
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(kernel.endpoint("shell"))
    session = Session(key=kernel.key, signature_scheme="hmac-sha256")
    yield sock, session
    sock.close()


def reply_to(sock, session, timeout_ms=1000):
    if not sock.poll(timeout_ms):
        return None
    frames = sock.recv_multipart()
    _, msg = session.feed_identities(frames)
    return session.deserialize(msg)  # also verifies the kernel's signature


def kernel_info_frames(session):
    return session.serialize(session.msg("kernel_info_request", {}))


def test_valid_raw_request_is_answered(raw):
    sock, session = raw
    sock.send_multipart(kernel_info_frames(session))
    reply = reply_to(sock, session)
    assert reply and reply["msg_type"] == "kernel_info_reply"


@pytest.mark.parametrize("tamper", ["signature", "content", "missing"])
def test_bad_or_missing_signature_is_dropped(kernel, raw, tamper):
    sock, session = raw
    frames = kernel_info_frames(session)
    if tamper == "signature":
        frames[1] = frames[1][:-1] + (b"0" if frames[1][-1:] != b"0" else b"1")
    elif tamper == "content":
        frames[5] = b'{"evil": 1}'
    else:
        frames[1] = b""
    sock.send_multipart(frames)
    assert reply_to(sock, session, 500) is None
    # The kernel keeps serving.
    sock.send_multipart(kernel_info_frames(session))
    assert reply_to(sock, session)["msg_type"] == "kernel_info_reply"
    assert "signature" in kernel.stderr()


def test_replayed_message_is_dropped(kernel, raw):
    sock, session = raw
    frames = kernel_info_frames(session)
    sock.send_multipart(frames)
    assert reply_to(sock, session) is not None
    sock.send_multipart(frames)
    assert reply_to(sock, session, 500) is None
    assert "replayed" in kernel.stderr()


def test_wrong_key_is_dropped(raw):
    sock, session = raw
    other = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
    sock.send_multipart(kernel_info_frames(other))
    assert reply_to(sock, session, 500) is None


def test_malformed_frames_do_not_end_the_kernel(kernel, raw):
    sock, session = raw
    key = kernel.key

    def signed(*parts):
        return [b"<IDS|MSG>", hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode(), *parts]

    header = json.dumps(session.msg_header("kernel_info_request"), default=str).encode()
    bad = [
        [b"garbage"],
        [b"<IDS|MSG>"],
        [b"<IDS|MSG>", b"abc", b"{}"],
        signed(b"not json", b"{}", b"{}", b"{}"),
        signed(b"[1, 2]", b"{}", b"{}", b"{}"),
        signed(b'{"msg_id": "x"}', b"{}", b"{}", b"{}"),  # no msg_type
        signed(header, b"{}", b"{}", b"\xff\xfe"),
        signed(b'{"a":' * 100000, b"{}", b"{}", b"{}"),
    ]
    for frames in bad:
        sock.send_multipart(frames)
    assert reply_to(sock, session, 500) is None
    sock.send_multipart(kernel_info_frames(session))
    assert reply_to(sock, session)["msg_type"] == "kernel_info_reply"
    assert kernel.proc.poll() is None


def test_empty_key_is_refused():
    k = KernelProcess(key=b"")
    try:
        code = k.proc.wait(timeout=10)
        assert code != 0
        err = k.stderr()
        assert "empty" in err and "key" in err
    finally:
        k.close()


@pytest.mark.parametrize("how", ["flag", "env"])
def test_empty_key_allowed_explicitly(how):
    if how == "flag":
        k = KernelProcess(key=b"", extra_args=["--allow-empty-key"])
    else:
        k = KernelProcess(key=b"", env={"BPFREPL_ALLOW_EMPTY_KEY": "1"})
    try:
        kc = k.client()
        kc.kernel_info()
        assert kc.get_shell_msg(timeout=5)["content"]["status"] == "ok"
    finally:
        k.close()
