"""The session contract seen through Jupyter: probes and maps outlive their cell, output keeps
its cell's parent, %%run, all-or-nothing cells, unauthenticated requests change nothing."""
import time

import pytest
import zmq
from jupyter_client.session import Session

from harness import (
    GETPPID,
    collect,
    counted,
    drain,
    execute,
    ok,
    start_workload,
    stream_text,
    workload_command,
)


def test_probe_stays_attached_and_a_later_cell_reads_its_map(kc):
    msgs = ok(kc, f"{GETPPID} {{ @calls = count(); }}")
    assert "Attached 1 probe" in stream_text(msgs, "stderr")
    # The workload runs in a later cell, from a `!` line...
    assert stream_text(ok(kc, f"!{workload_command(1000)}")) == "1000 getppid calls\n"
    # ...and a third cell reads what the probe counted meanwhile.
    assert stream_text(ok(kc, "print(@calls)")) == "@calls: 1000\n"
    ok(kc, f"!{workload_command(500)}")
    assert counted(stream_text(ok(kc, "print(@calls)")), "@calls") == 1500
    probes = stream_text(ok(kc, "%probes")).splitlines()
    assert probes[0].split() == ["ID", "CELL", "PROBE", "ATTACHED", "EVENTS", "NS/EVENT"]
    assert probes[1].split()[:4] == ["#1", "1", "t:syscalls:sys_enter_getppid", "1"]
    assert "@calls" in stream_text(ok(kc, "%maps"))

    # Detached, the probe counts no more; the map stays.
    assert stream_text(ok(kc, "%detach 1"), "stderr") == "Detached 1 probe\n"
    ok(kc, f"!{workload_command(1000)}")
    assert stream_text(ok(kc, "print(@calls)")) == "@calls: 1500\n"
    # %reset forgets the maps too.
    ok(kc, "%reset")
    assert stream_text(ok(kc, "%maps")) == "No maps.\n"


def test_async_output_keeps_its_parent_while_another_cell_runs(kc):
    a_id = kc.execute('i:ms:20 { printf("from A\\n"); }')
    assert kc.get_shell_msg(timeout=5)["content"]["status"] == "ok"
    collect(kc, a_id)

    # Cell B runs for a second, printing from its own probe.
    b_id = kc.execute('%%run 1s\ni:ms:50 { printf("from B\\n"); }')
    others = []
    b_msgs = collect(kc, b_id, others=others)  # everything up to B's idle
    assert kc.get_shell_msg(timeout=5)["content"]["status"] == "ok"
    b_start = next(i for i, m in enumerate(b_msgs) if m["msg_type"] == "status")
    assert b_msgs[b_start]["content"]["execution_state"] == "busy"

    # A's output arrived while B was busy, with A's request as parent, and none of B's.
    a_stream = [m for m in others if m["msg_type"] == "stream"]
    assert a_stream, "no output from cell A while cell B ran"
    assert all(m["parent_header"]["msg_id"] == a_id for m in a_stream)
    a_text = stream_text(a_stream)
    assert a_text.count("from A\n") >= 20 and "from B" not in a_text
    # B's own output has B's parent; its %%run detached its probe when done.
    b_text = stream_text(b_msgs)
    assert b_text.count("from B\n") >= 10 and "from A" not in b_text
    probes = stream_text(ok(kc, "%probes")).splitlines()
    assert len(probes) == 2 and probes[1].split()[2] == "i:ms:20"
    ok(kc, "%detach all")


def test_end_output_belongs_to_the_cell_that_attached_it(kc):
    cell_id = kc.execute('i:s:1 { @x = count(); }\nEND { printf("end of cell one\\n"); }')
    assert kc.get_shell_msg(timeout=5)["content"]["status"] == "ok"
    assert "end of cell one" not in stream_text(collect(kc, cell_id))
    others = []
    detach = collect(kc, kc.execute("%detach all"), others=others)
    assert stream_text(detach, "stderr") == "Detached 2 probes\n"
    late = [m for m in others + drain(kc, 0.5) if m["msg_type"] == "stream"]
    assert stream_text(late) == "end of cell one\n"
    assert all(m["parent_header"]["msg_id"] == cell_id for m in late)


def test_timed_run_prints_its_maps_and_detaches(kc):
    msg_id = kc.execute(f"%%run 1500ms\n{GETPPID} {{ @calls = count(); }}")
    time.sleep(0.3)
    workload = start_workload(2000)
    assert workload.wait(timeout=10) == 0
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
    # Printed as bpftrace prints maps at exit.
    assert stream_text(collect(kc, msg_id)) == "@calls: 2000\n"
    assert stream_text(ok(kc, "%probes")) == "No probes attached.\n"


def test_interrupted_run_still_prints_its_maps(kc):
    msg_id = kc.execute(f"%%run 60s\n{GETPPID} {{ @calls = count(); }}")
    time.sleep(0.3)
    assert start_workload(300).wait(timeout=10) == 0
    start = time.monotonic()
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    reply = kc.get_shell_msg(timeout=5)
    assert time.monotonic() - start < 1
    assert reply["content"]["ename"] == "Interrupted"
    assert "@calls: 300\n" in stream_text(collect(kc, msg_id))
    assert stream_text(ok(kc, "%probes")) == "No probes attached.\n"
    assert stream_text(ok(kc, "print(@calls)")) == "@calls: 300\n"


def test_a_failing_cell_attaches_nothing(kc):
    # The second probe names no tracepoint: the first must not stay attached either.
    reply, msgs = execute(kc, f"{GETPPID} {{ @a = count(); }}\nt:syscalls:sys_enter_nosuchcall {{ @b = count(); }}")
    assert reply["content"]["status"] == "error"
    assert "sys_enter_nosuchcall" in "\n".join(reply["content"]["traceback"])
    assert stream_text(ok(kc, "%probes")) == "No probes attached.\n"
    assert stream_text(ok(kc, "%maps")) == "No maps.\n"


def test_missing_kernel_feature_is_one_clear_error(kc):
    # This kernel has no kprobes (MACHINE.md): the cell fails as a whole, its maps and its
    # tracepoint probe are rolled back, and the error names the missing feature.
    code = f"{GETPPID} {{ @a = count(); }}\nkprobe:do_nanosleep {{ @b = count(); }}"
    reply, _ = execute(kc, code)
    c = reply["content"]
    if c["status"] == "ok":
        pytest.skip("this kernel has kprobes: the missing-feature error cannot be checked")
    assert c["ename"] == "CompileError" and "kprobes are not supported by this kernel" in c["evalue"]
    assert c["traceback"][0].startswith("cell[1]:2:1-20: ERROR: ")
    assert c["traceback"][1:] == ["kprobe:do_nanosleep { @b = count(); }", "~" * len("kprobe:do_nanosleep")]
    assert stream_text(ok(kc, "%probes")) == "No probes attached.\n"
    assert stream_text(ok(kc, "%maps")) == "No maps.\n"


def test_request_with_a_bad_signature_is_not_run(kernel):
    kc = kernel.client()
    session = Session(key=kernel.key, signature_scheme="hmac-sha256")
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(kernel.endpoint("shell"))
    try:
        frames = session.serialize(session.msg("execute_request", {"code": "@forged = 1", "silent": False}))
        frames[1] = b"0" * len(frames[1])
        sock.send_multipart(frames)
        assert not sock.poll(500), "a forged request was answered"
    finally:
        sock.close()
    assert not [m for m in drain(kc, 0.3) if m["msg_type"] == "execute_input"]
    # The kernel still answers, and the forged cell never ran.
    assert stream_text(ok(kc, "%maps")) == "No maps.\n"
    kc.kernel_info()
    assert kc.get_shell_msg(timeout=2)["msg_type"] == "kernel_info_reply"


def test_maps_print_as_rich_displays(kc):
    """print(@m) in a notebook: bpftrace's text plus an HTML table; histograms as SVG charts;
    counts keyed by kernel stacks as a flame graph. %watch updates one display in place."""
    from harness import displays
    ok(kc, f't:syscalls:sys_enter_getppid /comm == "bpfrepl-wl"/ {{ @calls[comm] = count(); @h = hist(pid); }}')
    ok(kc, f"!{workload_command(50)}")
    [table] = displays(ok(kc, "print(@calls)"))
    assert table["text/plain"] == "@calls[bpfrepl-wl]: 50\n"
    assert "<table" in table["text/html"] and "bpfrepl-wl" in table["text/html"] and ">50<" in table["text/html"]
    [hist] = displays(ok(kc, "print(@h)"))
    assert hist["text/plain"].startswith("@h:\n[")
    assert hist["text/html"].startswith("<svg") and "<rect" in hist["text/html"]
    ok(kc, "profile:hz:997 { @stacks[kstack] = count(); }")
    ok(kc, "!python3 -c 'sum(range(3000000))'")
    [flame] = displays(ok(kc, "print(@stacks)"))
    assert flame["image/svg+xml"].startswith("<svg") and "flame graph" in flame["image/svg+xml"]
    msg_id = kc.execute("%watch @calls 100ms")
    kc.get_shell_msg(timeout=10)
    first = collect(kc, msg_id)
    [view] = [m for m in first if m["msg_type"] == "display_data"]
    display_id = view["content"]["transient"]["display_id"]
    from harness import drain
    later = drain(kc, 0.6)
    updates = [m for m in later if m["msg_type"] == "update_display_data"]
    assert len(updates) >= 3
    assert all(u["parent_header"]["msg_id"] == msg_id for u in updates)
    assert all(u["content"]["transient"]["display_id"] == display_id for u in updates)
    ok(kc, "%unwatch all")
    ok(kc, "%detach all")
