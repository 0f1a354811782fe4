"""Request/reply behaviour of the shell and control channels."""
import re
from harness import collect, execute, ok, stream_text

# Waits in a shell command, then fails to compile: a slow failing cell.
SLOW_ERROR = "!sleep 0.3\nBEGIN { @x = ; }"


def test_kernel_info(kc):
    msg_id = kc.kernel_info()
    reply = kc.get_shell_msg(timeout=5)
    c = reply["content"]
    assert reply["parent_header"]["msg_id"] == msg_id
    assert c["status"] == "ok"
    assert c["implementation"] == "bpfrepl"
    assert tuple(int(x) for x in c["protocol_version"].split(".")[:2]) >= (5, 3)
    li = c["language_info"]
    assert li["name"] == "bpftrace"
    assert li["file_extension"] == ".bt"
    assert li["mimetype"] == "text/x-bpftrace"
    assert li["pygments_lexer"] and li["codemirror_mode"]
    assert c["banner"] and c["help_links"]
    states = [m["content"]["execution_state"] for m in collect(kc, msg_id) if m["msg_type"] == "status"]
    assert states == ["busy", "idle"]


def test_kernel_info_on_control(kc):
    msg = kc.session.msg("kernel_info_request", {})
    kc.control_channel.send(msg)
    reply = kc.get_control_msg(timeout=5)
    assert reply["msg_type"] == "kernel_info_reply"
    assert reply["parent_header"]["msg_id"] == msg["header"]["msg_id"]


HELLO = 'printf("hello world\\n")'  # a bare statement: runs once, immediately


def test_execute_sequence_and_count(kc):
    reply, msgs = execute(kc, HELLO)
    assert [m["msg_type"] for m in msgs] == ["status", "execute_input", "stream", "status"]
    assert msgs[0]["content"]["execution_state"] == "busy"
    assert msgs[1]["content"] == {"code": HELLO, "execution_count": 1}
    assert msgs[2]["content"] == {"name": "stdout", "text": "hello world\n"}
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["execution_count"] == 1
    assert reply["content"]["user_expressions"] == {}

    reply, _ = execute(kc, "BEGIN { @second = 2; }")
    assert reply["content"]["execution_count"] == 2


def test_store_history_false_and_silent_do_not_count(kc):
    execute(kc, 'printf("one\\n")')
    reply, msgs = execute(kc, 'printf("not stored\\n")', store_history=False)
    assert reply["content"]["execution_count"] == 1
    assert stream_text(msgs) == "not stored\n"

    reply, msgs = execute(kc, 'printf("quiet\\n"); @quiet = 1', silent=True)
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["execution_count"] == 1
    # silent: nothing but status on IOPub...
    assert [m["msg_type"] for m in msgs] == ["status", "status"]
    # ...though the cell did run.
    assert stream_text(ok(kc, "print(@quiet)")) == "@quiet: 1\n"

    reply, _ = execute(kc, 'printf("two\\n")')
    assert reply["content"]["execution_count"] == 3


def test_stderr_stream(kc):
    reply, msgs = execute(kc, 'BEGIN { warnf("oops"); }')
    assert reply["content"]["status"] == "ok"
    # As upstream, warnf() names the source location of its call (the cell's file name).
    assert re.fullmatch(r"cell\[\d+\]:1:9-22: WARNING: oops\n", stream_text(msgs, "stderr"))
    assert stream_text(msgs, "stdout") == ""


def test_error_reply_carries_diagnostic(kc):
    reply, msgs = execute(kc, "BEGIN { $x = nosuchthing; }")
    c = reply["content"]
    assert c["status"] == "error"
    assert c["ename"] == "CompileError"
    assert "nosuchthing" in c["evalue"]
    assert c["execution_count"] == 1
    assert c["traceback"][0].startswith("cell[1]:1:14-25: ERROR: ")
    assert c["traceback"][1:] == ["BEGIN { $x = nosuchthing; }", "             ~~~~~~~~~~~"]
    errors = [m for m in msgs if m["msg_type"] == "error"]
    assert len(errors) == 1
    assert errors[0]["content"]["traceback"] == c["traceback"]


def test_stop_on_error_aborts_queued_cells(kc):
    first = kc.execute(SLOW_ERROR)  # slow, so "after" is surely queued behind it
    second = kc.execute('printf("after\\n")')
    replies = {}
    for _ in range(2):
        r = kc.get_shell_msg(timeout=10)
        replies[r["parent_header"]["msg_id"]] = r["content"]
    assert replies[first]["status"] == "error"
    assert replies[second]["status"] == "error"
    assert replies[second]["ename"] == "ExecutionAborted"
    # The aborted cell really did not run.
    msgs = collect(kc, second)
    assert stream_text(msgs) == ""


def test_stop_on_error_false_runs_queued_cells(kc):
    kc.execute(SLOW_ERROR, stop_on_error=False)
    second = kc.execute('printf("after\\n")')
    replies = {}
    for _ in range(2):
        r = kc.get_shell_msg(timeout=10)
        replies[r["parent_header"]["msg_id"]] = r["content"]
    assert replies[second]["status"] == "ok"
    assert stream_text(collect(kc, second)) == "after\n"


def test_is_complete(kc):
    def status(code):
        kc.is_complete(code)
        return kc.get_shell_msg(timeout=5)["content"]

    assert status('t:syscalls:sys_enter_openat { @[comm] = count(); }') == {"status": "complete"}
    assert status("print(@x)") == {"status": "complete"}
    assert status("%probes")["status"] == "complete"
    assert status("!ls /")["status"] == "complete"
    for code in ["BEGIN {", 'BEGIN { printf("hi\\n"', "i:s:1 { if (1) {"]:
        c = status(code)
        assert c["status"] == "incomplete" and "indent" in c, code
    assert status("}")["status"] == "invalid"
    assert status("BEGIN { }}")["status"] == "invalid"


def test_complete(kc):
    def complete(code):
        kc.complete(code, len(code))
        c = kc.get_shell_msg(timeout=5)["content"]
        assert c["status"] == "ok"
        return c

    code = "i:s:1 { pri"
    c = complete(code)
    assert set(c["matches"]) == {"printf(", "print("}
    assert (c["cursor_start"], c["cursor_end"]) == (len(code) - 3, len(code))
    assert complete("%pro")["matches"] == ["%probes"]
    assert "t:syscalls:" in complete("t:sysca")["matches"]
    assert "t:syscalls:sys_enter_getppid" in complete("t:syscalls:sys_enter_getp")["matches"]
    # The session's maps complete too.
    ok(kc, "@requests_total = 1")
    assert complete("print(@requests_")["matches"] == ["@requests_total"]


def test_complete_counts_code_points(kc):
    code = "// \U0001F600\npri"  # an astral character: one code point, two UTF-16 units
    kc.complete(code, len(code))
    c = kc.get_shell_msg(timeout=5)["content"]
    assert c["cursor_start"] == len(code) - 3


def test_inspect(kc):
    kc.inspect("printf", 3)
    c = kc.get_shell_msg(timeout=5)["content"]
    assert c["status"] == "ok" and c["found"] is True
    assert "printf" in c["data"]["text/plain"]

    kc.inspect("i:s:1 { @[comm] = count(); }", 12)
    c = kc.get_shell_msg(timeout=5)["content"]
    assert c["found"] is True and "comm" in c["data"]["text/plain"]

    kc.inspect("nothing", 3)
    c = kc.get_shell_msg(timeout=5)["content"]
    assert c["found"] is False and c["data"] == {}


def test_history(kc):
    a, b, c = "@a = 1", "@b = 2", "@c = 3"
    for code in [a, b, a, c]:
        ok(kc, code)
    ok(kc, "@unstored = 4", store_history=False)

    kc.history(hist_access_type="tail", n=2, output=False, raw=True)
    h = kc.get_shell_msg(timeout=5)["content"]["history"]
    assert [tuple(x) for x in h] == [(1, 3, a), (1, 4, c)]

    kc.history(hist_access_type="tail", n=1, output=True, raw=True)
    h = kc.get_shell_msg(timeout=5)["content"]["history"]
    assert h[0][2][0] == c and len(h[0][2]) == 2

    kc.history(hist_access_type="range", session=1, start=2, stop=4, output=False, raw=True)
    h = kc.get_shell_msg(timeout=5)["content"]["history"]
    assert [x[1:] for x in h] == [[2, b], [3, a]]

    kc.history(hist_access_type="search", pattern="@a*", output=False, raw=True)
    assert len(kc.get_shell_msg(timeout=5)["content"]["history"]) == 2
    kc.history(hist_access_type="search", pattern="@? = ?", unique=True, output=False, raw=True)
    h = kc.get_shell_msg(timeout=5)["content"]["history"]
    assert [x[2] for x in h] == [b, a, c]


def test_comm_info_and_comm_open(kc):
    msg_id = kc.comm_info()
    c = kc.get_shell_msg(timeout=5)["content"]
    assert c == {"status": "ok", "comms": {}}
    collect(kc, msg_id)

    msg = kc.session.msg("comm_open", {"comm_id": "abc", "target_name": "nope", "data": {}})
    kc.shell_channel.send(msg)
    msgs = collect(kc, msg["header"]["msg_id"])
    closes = [m for m in msgs if m["msg_type"] == "comm_close"]
    assert closes and closes[0]["content"]["comm_id"] == "abc"


def test_debug_request_not_supported(kc):
    msg = kc.session.msg("debug_request", {"type": "request", "seq": 7, "command": "initialize", "arguments": {}})
    kc.control_channel.send(msg)
    reply = kc.get_control_msg(timeout=5)
    assert reply["msg_type"] == "debug_reply"
    assert reply["content"]["success"] is False
    assert reply["content"]["request_seq"] == 7


def test_unknown_request_does_not_break_kernel(kc):
    msg = kc.session.msg("frobnicate_request", {})
    kc.shell_channel.send(msg)
    msgs = collect(kc, msg["header"]["msg_id"])
    assert [m["content"]["execution_state"] for m in msgs] == ["busy", "idle"]
    assert stream_text(ok(kc, 'printf("still alive\\n")')) == "still alive\n"
