"""CurveZMQ: a connection file with curve_server_secret_key makes every kernel socket
a CURVE server; clients must encrypt (pyzmq here, as jupyter_client has no CURVE)."""
import pytest
import zmq
from jupyter_client.session import Session

from harness import KernelProcess

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="pyzmq built without CURVE")


@pytest.fixture
def curve_kernel():
    server_public, server_secret = zmq.curve_keypair()
    k = KernelProcess(
        conn_extra={
            "curve_server_secret_key": server_secret.decode(),
            "curve_server_public_key": server_public.decode(),
        }
    )
    yield k, server_public
    k.close()


def socket(kind, endpoint, server_public=None):
    s = zmq.Context.instance().socket(kind)
    s.linger = 0
    if server_public is not None:
        public, secret = zmq.curve_keypair()
        s.curve_serverkey = server_public
        s.curve_publickey = public
        s.curve_secretkey = secret
    if kind == zmq.SUB:
        s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(endpoint)
    return s


def test_encrypted_client_is_served(curve_kernel):
    k, server_public = curve_kernel
    session = Session(key=k.key)
    sub = socket(zmq.SUB, k.endpoint("iopub"), server_public)
    shell = socket(zmq.DEALER, k.endpoint("shell"), server_public)
    control = socket(zmq.DEALER, k.endpoint("control"), server_public)
    hb = socket(zmq.REQ, k.endpoint("hb"), server_public)
    try:
        assert sub.poll(5000), "no iopub_welcome over CURVE"
        _, frames = session.feed_identities(sub.recv_multipart())
        assert session.deserialize(frames)["msg_type"] == "iopub_welcome"

        request = session.msg("execute_request", {"code": 'printf("secret cell\\n")', "silent": False})
        shell.send_multipart(session.serialize(request))
        assert shell.poll(5000)
        _, frames = session.feed_identities(shell.recv_multipart())
        assert session.deserialize(frames)["content"]["status"] == "ok"
        # Its output came over the encrypted IOPub.
        texts = []
        while sub.poll(2000):
            _, frames = session.feed_identities(sub.recv_multipart())
            msg = session.deserialize(frames)
            if msg["msg_type"] == "stream" and msg["parent_header"]["msg_id"] == request["header"]["msg_id"]:
                texts.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" and texts:
                break
        assert "".join(texts) == "secret cell\n"

        control.send_multipart(session.serialize(session.msg("kernel_info_request", {})))
        assert control.poll(5000)

        hb.send(b"ping")
        assert hb.poll(5000) and hb.recv() == b"ping"
    finally:
        for s in (sub, shell, control, hb):
            s.close()


def test_plaintext_client_is_refused(curve_kernel):
    k, server_public = curve_kernel
    session = Session(key=k.key)
    plain = socket(zmq.DEALER, k.endpoint("shell"))
    wrong = socket(zmq.DEALER, k.endpoint("shell"), zmq.curve_keypair()[0])  # wrong server key
    try:
        for s in (plain, wrong):
            s.send_multipart(session.serialize(session.msg("kernel_info_request", {})))
            assert not s.poll(1000)
    finally:
        plain.close()
        wrong.close()
    # ...while an encrypting client still gets answers.
    good = socket(zmq.DEALER, k.endpoint("shell"), server_public)
    try:
        good.send_multipart(session.serialize(session.msg("kernel_info_request", {})))
        assert good.poll(5000)
    finally:
        good.close()
    assert k.proc.poll() is None


def test_malformed_curve_key_is_a_startup_error():
    k = KernelProcess(conn_extra={"curve_server_secret_key": "too short"})
    try:
        assert k.proc.wait(timeout=10) != 0
        assert "CURVE" in k.stderr()
    finally:
        k.close()
