import Foundation
import Testing

/// `for` over maps and ranges, `len(@map)`: loop bodies run as callbacks in the kernel.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct LoopTests {
  func output(_ program: String) throws -> String {
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    return r.stdout
  }

  /// Hash map order is the kernel's: compare the loop's lines as a set.
  func lines(_ text: Substring) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }

  @Test func forOverAMapSeesEveryKeyAndValue() throws {
    let out = try output(
      #"BEGIN { @m[1, "a"] = 10; @m[2, "b"] = 20; for ($kv : @m) { printf("%d %s %d\n", $kv.0.0, $kv.0.1, $kv.1); } print("end"); exit(); }"#
    )
    let body = out.components(separatedBy: "end\n")[0]
    #expect(lines(body[...]) == ["1 a 10", "2 b 20"])
    #expect(
      out.hasSuffix("end\n\n\n@m[1, a]: 10\n@m[2, b]: 20\n") || out.hasSuffix("end\n\n\n@m[2, b]: 20\n@m[1, a]: 10\n"))
  }

  @Test func loopBodiesShareVariablesWithTheProbe() throws {
    // $sum lives in the probe's frame; the callback updates it and the probe reads it afterwards.
    let out = try output(
      "BEGIN { @m[1] = 5; @m[2] = 7; @m[3] = 9; $sum = 0; $s = \"x\"; for ($kv : @m) { $sum += $kv.1; $s = \"y\"; } printf(\"%d %s %d\\n\", $sum, $s, len(@m)); clear(@m); exit(); }"
    )
    #expect(out == "21 y 3\n\n\n")
  }

  @Test func nestedLoopsBreakContinueAndReturn() throws {
    let out = try output(
      """
      BEGIN {
        @a[1] = 1; @a[2] = 2; @b[1] = 1; @b[2] = 2; @b[3] = 3;
        $n = 0;
        for ($x : @a) { for ($y : @b) { $n++; } }
        $c = 0;
        for ($x : @b) { if ($x.1 == 2) { continue; } $c++; }
        $brk = 0;
        for ($x : @b) { $brk++; break; }
        printf("%d %d %d\\n", $n, $c, $brk);
        for ($i : 0..3) { if ($i == 1) { return; } printf("i=%d\\n", $i); }
        printf("not reached\\n");
      }
      END { clear(@a); clear(@b); }
      """)
    #expect(out == "6 2 1\ni=0\n\n\n")
  }

  @Test func perCPUAggregationsAreMergedInLoopsAndReads() throws {
    // Counted on whichever CPUs the profile probe fires on (done well before the check, so nothing
    // changes while it reads); the loop and a plain read see the total.
    let out = try output(
      """
      profile:hz:199 /@n < 200/ { @c[1] = count(); @s[1] = sum(2); @n++; }
      interval:s:3 { for ($kv : @c) { printf("count %d sum %d\\n", $kv.1 == @n ? 1 : 0, @s[1] == 2 * @n ? 1 : 0); } clear(@c); clear(@s); clear(@n); exit(); }
      """)
    #expect(out.hasPrefix("count 1 sum 1\n"), "got \(out)")
  }

  @Test func rangeLoopsWithRuntimeBoundsAndManyIterations() throws {
    let out = try output(
      "BEGIN { @lim = 4; for ($i : 1..@lim) { printf(\"%d \", $i); } for ($i : 0..200000) { @n++; } $z = 0; for ($i : 3..1) { $z++; } printf(\"| %d %d\\n\", @n, $z); clear(@lim); clear(@n); exit(); }"
    )
    #expect(out == "1 2 3 | 200000 0\n\n\n")
  }

  @Test func macrosDeclareVariablesAndLoopInsideExpressions() throws {
    // A macro expands to a `{ stmts; value }` expression: its `let` and its loop live in the probe's frame.
    let out = try output(
      "macro total(@m) { let $t = 0; for ($kv : @m) { $t += $kv.1; } $t } macro plus2(a) { let $y = a + 2; $y } BEGIN { @m[1] = 5; @m[2] = 10; printf(\"%d %d\\n\", total(@m), plus2(3)); clear(@m); exit(); }"
    )
    #expect(out == "15 5\n\n\n")
  }

  @Test func stringFunctionsInLoopBodiesAndScratchFrames() throws {
    // String helpers address their buffers through the frame register, as loop callbacks and
    // scratch frames need.
    let body =
      #"BEGIN { @m["abc"] = 1; @m["xyz"] = 2; $n = "y"; for ($kv : @m) { printf("%s %d %d %d %s\n", $kv.0, strlen($kv.0), strcontains($kv.0, $n), strstr($kv.0, $n), str_concat($kv.0, "!")); } clear(@m); exit(); }"#
    for program in [body, "config = { max_strlen = 600 } " + body] {
      let out = try output(program)
      #expect(lines(out[...]) == ["abc 3 0 -1 abc!", "xyz 3 1 1 xyz!"], "got \(out)")
    }
  }

  @Test func aScalarMapCannotBeIterated() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { @x = 1; for ($kv : @x) { } }"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("ERROR: for loops iterate over maps with keys; @x is a scalar map"))
    #expect(r.stderr.contains("BEGIN { @x = 1; for ($kv : @x) { } }\n                           ~~\n"))
  }
}

/// Records (named tuples): built in source order, printed as upstream prints them.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct RecordTests {
  @Test func fieldsNestingAndPrinting() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { $v = (x = 1, y = 2); $t = (a = 0, b = "str", c = (5, 6), d = $v); printf("%d %s %d %d\n", $t.a, $t.b, $t.c.1, $t.d.y); print($t); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "0 str 6 2\n{ .a = 0, .b = str, .c = (5, 6), .d = { .x = 1, .y = 2 } }\n\n\n")
  }

  @Test func reassignedInAnotherOrderKeepsTheFirstLayout() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { $a = (foo = { printf("1"); 1 }, bar = { printf("2"); 2 }); $a = (bar = { printf("3"); 3 }, foo = { printf("4\n"); 4 }); print($a); exit(); }"#,
    ])
    #expect(r.stdout == "1234\n{ .foo = 4, .bar = 3 }\n\n\n")
  }

  @Test func recordsAsMapKeysAndValuesInTextAndJSON() throws {
    let program = #"BEGIN { @[(a = 1, b = "k")] = (x = 2, y = (3, "z")); exit(); }"#
    let text = try Bpfrepl.run(["-e", program])
    #expect(text.stdout == "\n\n@[{ .a = 1, .b = k }]: { .x = 2, .y = (3, z) }\n")
    let json = try Bpfrepl.run(["-f", "json", "-e", program])
    #expect(json.stdout.contains(#"{"type": "map", "data": {"@": {"{.a=1,.b=k}": {"x": 2, "y": [3,"z"]}}}}"#))
  }

  @Test func unknownAndDuplicateFieldsAreDiagnostics() throws {
    let unknown = try Bpfrepl.run(["-e", "BEGIN { $r = (a = 1); print($r.b); }"])
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("ERROR: Record does not contain a field named 'b'"))
    let duplicate = try Bpfrepl.run(["-e", "BEGIN { $r = (a = 1, a = 2); }"])
    #expect(duplicate.stderr.contains("ERROR: duplicate field 'a' in record"))
  }
}

/// Programs whose frame outgrows the 512-byte BPF stack run from a per-CPU scratch frame.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct ScratchFrameTests {
  @Test func longStringsAndLoopsInAScratchFrame() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"config = { max_strlen = 1024 } BEGIN { @m[1] = 1; @m[2] = 2; $a = "first"; $b = "second"; for ($kv : @m) { for ($i : 0..2) { @n[$kv.1, $i] = 1; } } printf("%s %s %d %s\n", $a, $b, len(@n), comm); clear(@m); clear(@n); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "first second 4 bpfrepl\n\n\n")
  }

  @Test func aStringLongerThanTheStackIsReadWhole() throws {
    let long = String(repeating: "x", count: 700)
    let r = try Bpfrepl.run([
      "-e",
      #"config = { max_strlen = 1024 } t:syscalls:sys_enter_openat /comm == "cat"/ { @[str(args->filename)] = count(); }"#,
      "-c", "/bin/cat /tmp/\(long)",
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.contains("@[/tmp/\(long)]: 1\n"), "got \(r.stdout)")
  }
}
