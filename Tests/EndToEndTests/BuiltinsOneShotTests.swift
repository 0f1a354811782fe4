import Foundation
import Testing

/// Builtin functions and the `--unsafe`, `-c`, `-p` options, run for real (root only).
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct BuiltinsOneShotTests {
  @Test func stringAndByteFunctions() throws {
    let program = #"""
      BEGIN {
        printf("%d %d %d\n", strncmp("hello", "help", 3), strncmp("hello", "help", 4), strncmp("ab", "ab", 10));
        printf("%d %d %d\n", strcontains("bpfrepl", "frep"), strcontains("bpfrepl", "xx"), strcontains("abc", ""));
        printf("[%r] [%rx] [%rh]\n", buf("ab\x01c", 4), buf("AB", 2), buf("AB", 2));
        print(buf("hi", 2));
        $m = "\x01\x02\x3a\x4b\x5c\x7f";
        printf("%s\n", macaddr($m));
        printf("%s | %s\n", strerror(1), strerror(-2));
        printf("%d %d %d\n", sizeof(uint32), sizeof(comm), sizeof(int16[3]));
        printf("%s\n", str("truncated", 5));
        print((1, "a"));
        exit();
      }
      """#
    let r = try Bpfrepl.run(["-e", program])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(
      r.stdout == """
        0 1 0
        1 0 1
        [ab\\x01c] [\\x41\\x42] [41 42]
        hi
        01:02:3A:4B:5C:7F
        Operation not permitted | No such file or directory
        4 16 6
        trun
        (1, a)



        """)
  }

  @Test func kernelSymbolsAndBTFLayouts() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"BEGIN { printf("%s %s\n", ksym(kaddr("vfs_read")), ksym(kaddr("do_nanosleep") + 1)); @size = sizeof(struct task_struct); @pid = offsetof(struct task_struct, pid); exit(); }"#,
    ])
    #expect(r.status == 0, "stderr: \(r.stderr)")
    #expect(r.stdout.hasPrefix("vfs_read do_nanosleep\n"))
    // Compare with BTF as bpftool reads it.
    let size = r.stdout.split(separator: "\n").first { $0.hasPrefix("@size: ") }.flatMap { Int($0.dropFirst(7)) } ?? 0
    let pid = r.stdout.split(separator: "\n").first { $0.hasPrefix("@pid: ") }.flatMap { Int($0.dropFirst(6)) } ?? 0
    #expect(size > 1000)
    #expect(pid > 0 && pid < size)
  }

  @Test func strftimeFormatsBootTimeAsWallClock() throws {
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("%s\n", strftime("%Y-%m-%d %H:%M", nsecs)); exit(); }"#])
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd HH:mm"
    let now = Date()
    let candidates = [now.addingTimeInterval(-60), now, now.addingTimeInterval(60)].map { f.string(from: $0) }
    let line = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
    #expect(candidates.contains(line), "got \(r.stdout)")
  }

  @Test func exitCodeBecomesTheStatus() throws {
    let r = try Bpfrepl.run(["-e", "BEGIN { exit(3); }"])
    #expect(r.status == 3)
    #expect(r.stdout == "\n\n")
  }

  @Test func systemNeedsUnsafeAndPrintsTheOutput() throws {
    let safe = try Bpfrepl.run(["-e", #"BEGIN { system("echo hi"); exit(); }"#])
    #expect(safe.status == 1)
    #expect(safe.stderr.hasPrefix("stdin:1:9-26: ERROR: system() is an unsafe function being used in safe mode\n"))
    let r = try Bpfrepl.run(["--unsafe", "-e", #"BEGIN { system("echo sys %d", 42); system("exit 3"); exit(); }"#])
    #expect(r.status == 0)
    #expect(r.stdout == "sys 42\n\n\n\n")
    #expect(r.diagnostics == "ERROR: command exited with code 3\n")
  }

  @Test func catPrintsAFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-cat-\(getpid())").path
    try "line one\nline two\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run(["-e", #"BEGIN { cat("%s", "\#(path)"); cat("/no/such/file"); exit(); }"#])
    #expect(r.stdout == "line one\nline two\n\n\n")
    #expect(r.diagnostics == "ERROR: failed to open file '/no/such/file' (No such file or directory)\n")
  }

  @Test func cgroupidIsTheCgroupDirectoryInode() throws {
    // The cgroup v2 hierarchy: /sys/fs/cgroup itself, or .../unified on hybrid systems.
    guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8),
      let dir = mounts.split(separator: "\n").map({ $0.split(separator: " ") }).first(where: {
        $0.count > 2 && $0[2] == "cgroup2"
      })?[1]
    else {
      print("skipped: no cgroup2 hierarchy mounted")
      return
    }
    let inode = try FileManager.default.attributesOfItem(atPath: String(dir))[.systemFileNumber] as? UInt64 ?? 0
    let r = try Bpfrepl.run(["-e", #"BEGIN { printf("%d\n", cgroupid("\#(dir)")); exit(); }"#])
    #expect(r.stdout == "\(inode)\n\n\n")
  }

  @Test func commandRunsAfterAttachAndEndsTheRun() throws {
    let r = try Bpfrepl.run([
      "-c", "/bin/echo hello-from-child",
      "-e", #"t:syscalls:sys_enter_execve /pid == cpid/ { printf("exec %s\n", str(args->filename)); }"#,
    ])
    #expect(r.status == 0)
    // The child writes to the same stdout as the event printer: either order.
    #expect(r.stderr.hasPrefix("Attached 1 probe\n"))
    #expect(r.stdout.hasSuffix("\n\n\n"))
    let lines = Set(r.stdout.split(separator: "\n").map(String.init))
    #expect(lines == ["exec /bin/echo", "hello-from-child"], "got \(r.stdout)")
  }

  @Test func bufOfAUserBufferWithARuntimeLength() throws {
    let r = try Bpfrepl.run([
      "-c", "/bin/echo buf-test-line",
      "-e",
      #"t:syscalls:sys_enter_write /pid == cpid/ { printf("[%r] %d\n", buf(args->buf, args->count), args->count); }"#,
    ])
    let lines = Set(r.stdout.split(separator: "\n").map(String.init))
    #expect(
      lines == ["buf-test-line", #"[buf-test-line\x0a] 14"#], "got \(r.stdout) \(r.stderr)")
  }

  @Test func missingCommandIsAnError() throws {
    let r = try Bpfrepl.run(["-c", "no-such-command-xyz", "-e", "BEGIN { exit(); }"])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "ERROR: Failed to fork child: Path 'no-such-command-xyz' does not exist or is not executable (No such file or directory)\n"
    )
  }

  @Test func pidFilterKeepsOneProcessAndEndsWithIt() throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "for i in 1 2 3 4 5 6 7 8; do /bin/true; sleep 0.2; done"]
    try p.run()
    let target = p.processIdentifier
    // Another process doing the same syscalls at the same time must not be counted.
    Bpfrepl.sh("(for i in 1 2 3 4 5; do /bin/true; sleep 0.1; done) &")
    let r = try Bpfrepl.run(["-p", "\(target)", "-e", "t:syscalls:sys_enter_wait4 { @[pid] = count(); }"], timeout: 15)
    p.waitUntilExit()
    #expect(r.status == 0)
    let keys = r.stdout.split(separator: "\n").filter { $0.hasPrefix("@[") }
    #expect(keys.count == 1, "got \(r.stdout)")
    #expect(keys.first?.hasPrefix("@[\(target)]: ") == true, "got \(r.stdout)")
  }

  @Test func funcNamesTheProbedUserFunction() throws {
    let r = try Bpfrepl.run(
      [
        "-e",
        #"uprobe:/bin/bash:readline { printf("enter %s\n", func); } uretprobe:/bin/bash:readline { printf("return %s\n", func); }"#,
      ],
      interrupt: true
    ) {
      Workload.run("/usr/bin/python3", "-c", ToolPrograms.interactiveBash)
    }
    #expect(
      r.stdout.hasPrefix("enter readline\nreturn readline\n"), "got \(r.stdout) \(r.stderr)")
  }

  @Test func signalKillsTheTracedCommand() throws {
    let r = try Bpfrepl.run(
      [
        "--unsafe", "-c", "/bin/sleep 10",
        "-e", #"t:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { signal("KILL"); printf("sent\n"); }"#,
      ], timeout: 8)
    #expect(r.status == 0)
    #expect(r.stdout == "sent\n\n\n")
  }
}
