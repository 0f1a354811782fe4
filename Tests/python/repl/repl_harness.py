"""Driving the bpfrepl terminal REPL through a real pseudo-terminal (pexpect)."""
from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[3]
BIN = os.path.abspath(os.environ.get("BPFREPL_BIN") or REPO / ".build/debug/bpfrepl")

PROMPT = r"bpfrepl \[(\d+)\]> "
CONTINUATION = r"\.\.\.> "
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07")


def clean(text: str) -> str:
    """Terminal output as text: escape sequences and carriage returns removed."""
    return _ANSI.sub("", text).replace("\r", "")


def env_for(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("EDITRC", "BPFREPL_HISTORY")}
    env.update(TERM="xterm", HOME=str(home), BPFREPL_HISTORY=str(home / ".bpfrepl_history"), LC_ALL="C.UTF-8")
    env.update(extra)
    return env


class Repl:
    """One REPL process on a pty. `cell()` types a cell and returns what it printed."""

    def __init__(self, home: Path, args=(), timeout=30, cwd=None, color=False):
        self.log = io.StringIO()
        argv = list(args) if color else ["--no-color", *args]
        self.p = pexpect.spawn(
            BIN, argv, env=env_for(home), cwd=str(cwd or home), encoding="utf-8",
            codec_errors="replace", dimensions=(50, 250), timeout=timeout,
        )
        self.p.logfile_read = self.log
        self.number = int(self.expect_prompt()[1])

    def expect_prompt(self, timeout=-1) -> tuple[str, str]:
        """Waits for the main prompt; returns (text before it, cell number)."""
        self.p.expect(PROMPT, timeout=timeout)
        return clean(self.p.before), self.p.match.group(1)

    def cell(self, *lines: str, timeout=-1) -> str:
        """Types the lines (the first ones end with Alt-Enter: one cell), then Enter; returns
        the output up to the next prompt (with the echoed input)."""
        for line in lines[:-1]:
            self.p.send(line + "\x1b\r")
        self.p.send(lines[-1] + "\r")
        return self.expect_next_prompt(timeout)

    def expect_next_prompt(self, timeout=-1) -> str:
        """Output up to the prompt of the next cell; prompts redrawn after async output (same
        number) are part of the output."""
        parts = []
        while True:
            out, n = self.expect_prompt(timeout)
            parts.append(out)
            if int(n) == self.number + 1:
                self.number += 1
                return "".join(parts)
            assert int(n) == self.number, f"expected prompt {self.number + 1}, got {n}: {out}"

    def transcript(self) -> str:
        return clean(self.log.getvalue())

    def quit(self, timeout=60) -> int:
        """Ctrl-D, then the exit status."""
        self.p.sendeof()
        self.p.expect(pexpect.EOF, timeout=timeout)
        self.p.close()
        return self.p.exitstatus

    def close(self):
        if self.p.isalive():
            self.p.terminate(force=True)


def existing_links() -> set[int]:
    """IDs of every BPF link in the system (other processes may hold some: compare IDs, not counts)."""
    out = subprocess.run(["bpftool", "link", "list"], capture_output=True, text=True, check=True).stdout
    return {int(m.group(1)) for m in re.finditer(r"^(\d+): ", out, re.M)}


def process_links(pid: int) -> set[int]:
    """IDs of the BPF links held by one process's file descriptors."""
    ids = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) != "anon_inode:bpf_link":
                continue
            info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
        except OSError:
            continue
        m = re.search(r"^link_id:\s+(\d+)", info, re.M)
        if m:
            ids.add(int(m.group(1)))
    return ids
