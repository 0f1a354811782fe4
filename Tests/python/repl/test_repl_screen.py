"""What a person sees: the screen (emulated by pyte) while output arrives during typing of a line
that wraps over several terminal rows, with the cursor in its middle."""
import os
import time

import pexpect
import pytest

from repl_harness import BIN, env_for

pyte = pytest.importorskip("pyte")

WIDTH, HEIGHT = 40, 24


class Screen:
    def __init__(self, home):
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.Stream(self.screen)
        self.p = pexpect.spawn(BIN, ["--no-color"], env=env_for(home), encoding="utf-8",
                               dimensions=(HEIGHT, WIDTH), timeout=20, cwd=str(home))

    def settle(self, at_least=0.0):
        """Feeds output to the emulator until it has been quiet for 150 ms."""
        start = last = time.monotonic()
        while True:
            try:
                self.stream.feed(self.p.read_nonblocking(65536, timeout=0.05))
                last = time.monotonic()
            except pexpect.TIMEOUT:
                now = time.monotonic()
                if now - last > 0.15 and now - start > at_least:
                    return

    def rows(self):
        return [line.rstrip() for line in self.screen.display]


@pytest.mark.parametrize("typed,left", [("x" * 27, 0), ("y" * 67, 0), ("z" * 80, 50), ("w" * 30, 10)])
def test_wrapped_line_redrawn_intact_below_output(tmp_path, typed, left):
    s = Screen(tmp_path)
    try:
        s.settle(0.5)
        s.p.send('i:ms:300 { printf("tick\\n"); }\r')
        s.settle(0.3)
        s.p.send(typed + "\x1b[D" * left)
        s.settle(1.0)  # at least three ticks arrive while the line is being typed
        rows = s.rows()
        prompts = [i for i, r in enumerate(rows) if r.startswith("bpfrepl [2]> ")]
        assert len(prompts) == 1, "\n".join(rows)
        top = prompts[0]
        assert rows[top - 1] == "tick" and rows[top - 3] == "tick", "\n".join(rows)
        # The prompt and the line, as laid out over the rows below the output; nothing else.
        shown = "".join(r.ljust(WIDTH) for r in rows[top:]).rstrip()
        assert shown == "bpfrepl [2]> " + typed, "\n".join(rows)
        assert "tick" not in "".join(rows[top:])
        offset = len("bpfrepl [2]> ") + len(typed) - left
        assert (s.screen.cursor.y, s.screen.cursor.x) == (top + offset // WIDTH, offset % WIDTH)
    finally:
        s.p.terminate(force=True)
