import Foundation
import Testing

/// Upstream standard-library functions, run for real (root only), with exact output.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct StdlibOneShotTests {
  @Test func integerStringAndAddressFunctions() throws {
    let program = #"""
      BEGIN {
        printf("%llx %x %x %x\n", bswap(0x1122334455667788), bswap((int32)0x12345678), bswap((int16)0x1234), bswap((uint8)0x12));
        $a = "hello";
        printf("%d %d %d\n", strlen($a), strlen(""), strlen("four"));
        $needle = "wo\0rld";
        $bar = "bar";
        print((strcontains("hello world", $needle), strcontains("foo", $bar), strcontains("foobar", $bar)));
        printf("%s %s\n", ntop(2, pton("127.0.0.1")), ntop(pton("fe80::1")));
        printf("%s|%s|%s\n", signal_name(2), signal_name(0), signal_name(1024));
        print(1 == 1);
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(
      r.stdout == """
        8877665544332211 78563412 3412 12
        5 0 4
        (true, false, true)
        127.0.0.1 fe80::1
        Interrupt|Unknown signal 0|N/A
        true



        """)
  }

  @Test func builtinsAsFunctionsClocksAndTaskAccessors() throws {
    let program = #"""
      BEGIN {
        printf("%d %d %d\n", ncpus == ncpus(), comm() == comm, __builtin_pid == pid());
        printf("%d %d %d\n", nsecs(monotonic) > 0, nsecs(monotonic) <= nsecs(boot), nsecs(tai) > nsecs(boot));
        printf("%d %d %d\n", ppid == ppid(curtask), leader_tid == pid, leader_comm == comm);
        printf("%d %s\n", ppid, pcomm);
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.hasPrefix("1 1 1\n1 1 1\n1 1 1\n"), "stdout: \(r.stdout)")
    // The parent is the test runner's thread that spawned bpfrepl (real_parent->pid, as upstream).
    let last = r.stdout.split(separator: "\n").dropFirst(3).first?.split(separator: " ") ?? []
    #expect(last.count == 2 && (Int(last[0]) ?? 0) > 1 && !last[1].isEmpty, "stdout: \(r.stdout)")
  }

  @Test func assertFailsWithTheMessageAndExitCode() throws {
    let r = try Bpfrepl.run([
      "-e", #"BEGIN { assert(1 == 1, "fine"); printf("after\n"); assert(false, "My error message"); printf("no\n"); }"#,
    ])
    #expect(r.status == 1)
    #expect(r.stdout == "after\n\n\n")
    #expect(r.diagnostics == "stdin:1:52-85: ERROR: assert failed: My error message\n")
  }

  @Test func errorfAndWarnfPrintTheirLocation() throws {
    let r = try Bpfrepl.run([
      "-e", #"BEGIN { errorf("bad: %d, %s", 10, "arg2"); warnf("careful %x", 255); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.diagnostics == "stdin:1:9-42: ERROR: bad: 10, arg2\nstdin:1:44-68: WARNING: careful ff\n")
    let j = try Bpfrepl.run(["-f", "json", "-e", #"BEGIN { errorf("bad"); exit(); }"#])
    #expect(j.stdout.contains(#"{"type": "errorf", "msg": "bad", "filename": "stdin", "line": 1, "col": 9}"#))
  }

  @Test func getoptReadsNamedProgramOptions() throws {
    let program =
      #"BEGIN { print(($1, getopt("aa", 20), getopt("bb", -1), getopt("cc", true), getopt("dd"), getopt("ee", "hello"), $2)); exit(); }"#
    let r = try Bpfrepl.run([
      "-e", program, "pos1", "--", "--dd", "--aa=0xffffffffffffffff", "--bb=-10", "--cc=False", "pos2",
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "(pos1, 18446744073709551615, -10, false, true, hello, pos2)\n\n\n")
    let bad = try Bpfrepl.run(["-e", #"BEGIN { print(getopt("aa", 10)); }"#, "--", "--aa=False"])
    #expect(bad.status != 0)
    #expect(bad.diagnostics.contains("ERROR: program command line option --aa invalid integer (value: False)"))
    let help = try Bpfrepl.run([
      "-e", #"BEGIN { print((getopt("aa", 10, "Description of aa"), getopt("cc"))); }"#, "--", "--help",
    ])
    #expect(help.status == 1)
    #expect(help.diagnostics == "HINT: expected program options:\n--aa: Description of aa\n--cc\n")
    let unknown = try Bpfrepl.run(["-e", #"BEGIN { print(getopt("aa", 10)); }"#, "--", "--bb"])
    #expect(unknown.status != 0)
    #expect(
      unknown.diagnostics.contains(
        "ERROR: unexpected program command line options: --bb\nHINT: expected program options: --aa"))
  }

  @Test func lenOfStacksCountsFrames() throws {
    let workload = try Workload.start("/bin/sh", "-c", "for i in $(seq 30); do sleep 0.2; cat /etc/hostname; done")
    defer { workload.terminate() }
    let r = try Bpfrepl.run([
      "-e",
      #"t:syscalls:sys_enter_openat /comm == "cat"/ { printf("%d %d %d\n", len(kstack) > 2, len(kstack(2)), len(ustack) > 0); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.hasPrefix("1 2 1\n"), "stdout: \(r.stdout)")
  }

  @Test func debugfWritesTheTraceBuffer() throws {
    let marker = "bpfrepl-debugf-\(ProcessInfo.processInfo.processIdentifier)"
    let r = try Bpfrepl.run(["-e", #"BEGIN { debugf("\#(marker) %s %d %x", "a", 1, 16); exit(); }"#])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    // tracefs files report size 0, so read them to the end with cat.
    let trace = Workload.run("/bin/cat", "/sys/kernel/tracing/trace")
    #expect(trace.contains("\(marker) a 1 10"))
  }

  @Test func percpuKaddrNeedsKernelDataSymbols() throws {
    // Kernels without CONFIG_KALLSYMS_ALL (this one) cannot resolve per-CPU variables: one clear error.
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("%d\n", *percpu_kaddr("process_counts", 0)); exit(); }"#])
    if r.status == 0 {
      #expect(Int(r.stdout.split(separator: "\n").first ?? "") != nil)
    } else {
      #expect(r.diagnostics.contains("failed to find the address for kernel symbol 'process_counts'"))
    }
  }

  @Test func positionalNumbersStringsAndCharacters() throws {
    let program = #"""
      BEGIN {
        printf("%lu %d %o 0x%x -%s- %s\n", $1, $2, $3, $4, str($5), str($6 + 1));
        $x = str($6, 6);
        $a = "foo";
        printf("%d %c%c %d\n", $x == "hello", $a[0], $a[2], $7);
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program, "0xffffffffffffffff", "123", "0775", "0x123", "1", "hello", "--", "-5"])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "18446744073709551615 123 775 0x123 -1- ello\n1 fo -5\n\n\n")
  }

  @Test func commOfAnotherProcess() throws {
    let sleeper = try Workload.start("/bin/sleep", "30")
    defer { sleeper.terminate() }
    let r = try Bpfrepl.run([
      "-e", #"iter:task { printf("%s %s\n", comm(\#(sleeper.processIdentifier)), comm(999999999)); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.hasPrefix("sleep N/A\n"), "stdout: \(r.stdout)")
  }

  @Test func compileTimeHelpersStrstrAndSyscallNames() throws {
    let program = #"""
      BEGIN {
        printf("%d %d %d %d %d %d %d\n", is_str(comm), is_integer(1), is_unsigned_integer(pid), is_ptr(curtask), is_array(1), is_literal(1), is_literal(pid));
        printf("%s %d %d %d %d\n", probetype, default_str_length(), has_cpid, kfunc_exist("bpf_task_from_pid"), kfunc_allowed("bpf_task_from_pid"));
        printf("%d %d %d\n", strstr("hello", "ll"), strstr("hello", "x"), strstr("hello", ""));
        printf("%s %s %s\n", syscall_name(0), syscall_name(59), syscall_name(100000));
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "1 1 1 1 0 1 0\nbegin 64 0 1 0\n2 -1 0\nread execve Unknown syscall\n\n\n")
  }

  @Test func strConcatStrcapAndMemcmp() throws {
    let program = #"""
      BEGIN {
        $a = "foo";
        print(str_concat($a, "barbaz"));
        print(str_concat("", "x"));
        printf("%d %d %d %d\n", strcap($a), strcap(comm), memcmp("abc", "abd", 2), memcmp("abc", "abd", 3));
        printf("%d %d\n", memcmp((1, 2), (1, 3), 16) < 0, memcmp(5, 5, 8));
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "foobarbaz\nx\n4 16 0 -1\n1 0\n\n\n")
  }

  @Test func dotThroughAPointerDereferencesIt() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { printf("%d %d %d\n", curtask.tgid == pid, curtask.real_parent.pid == ppid, curtask.comm == comm); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "1 1 1\n\n\n")
  }

  @Test func ternaryOfTuplesWithDifferentStringSizes() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { $a = nsecs ? ("hellolongstr", "a") : ("b", "hellolongstr"); print($a); $c = 0 ? (1, "x") : (2, "yy"); print($c); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout == "(hellolongstr, a)\n(2, yy)\n\n\n")
  }

  @Test func failStopsTheCompileOnlyWhenVisited() throws {
    let program = #"BEGIN { if ($1 < 2) { fail("Expected more than 1. Got %d", $1); } printf("ok\n"); exit(); }"#
    let ok = try Bpfrepl.run(["-e", program, "5"])
    #expect(ok.status == 0, "stderr: \(ok.stderr)")
    #expect(ok.stdout == "ok\n\n\n")
    let bad = try Bpfrepl.run(["-e", program, "1"])
    #expect(bad.status != 0)
    #expect(bad.diagnostics.hasPrefix("stdin:1:23-63: ERROR: Expected more than 1. Got 1\n"), "\(bad.diagnostics)")
  }
}
