import Foundation
import Testing

/// bpftrace's options, messages and exit codes on the one-shot command line.
@Suite struct CommandLineParsingTests {
  @Test func versionLongAndShort() throws {
    for flag in ["--version", "-V"] {
      let r = try Bpfrepl.run([flag])
      #expect(r.status == 0)
      #expect(r.stdout == "bpfrepl v0.1.0\n")
    }
  }

  @Test func helpGoesToStdout() throws {
    let r = try Bpfrepl.run(["-h"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("USAGE:\n"))
    #expect(r.stdout.contains("-o, --output FILE"))
  }

  @Test func badShortFlagPrintsTheGetoptErrorThenUsage() throws {
    let r = try Bpfrepl.run(["-idonotexist"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("bpfrepl: invalid option -- 'i'\n"))
    #expect(r.stderr.contains("USAGE:\n"))
    #expect(r.stdout.isEmpty)
  }

  @Test func badLongFlagAndMissingValue() throws {
    let unknown = try Bpfrepl.run(["--frobnicate", "-e", "begin {}"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.hasPrefix("bpfrepl: unrecognized option '--frobnicate'\n"))
    let missing = try Bpfrepl.run(["-e"])
    #expect(missing.status == 1)
    #expect(missing.stderr.hasPrefix("bpfrepl: option requires an argument -- 'e'\n"))
    let ambiguous = try Bpfrepl.run(["--ver"])
    #expect(
      ambiguous.stderr.hasPrefix("bpfrepl: option '--ver' is ambiguous; possibilities: '--verbose' '--version'\n"))
  }

  @Test func namedParametersBeforeDoubleDashAreAnUnknownOption() throws {
    let r = try Bpfrepl.run(["-e", "begin { }", "--aa=20"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("bpfrepl: unrecognized option '--aa'\n"))
    #expect(r.stderr.contains("USAGE:"))
  }

  @Test func pidIsValidatedLikeBpftrace() throws {
    let cases = [
      ("a1111", "ERROR: Failed to parse pid: invalid integer: a1111\n"),
      ("111a1", "ERROR: Failed to parse pid: invalid trailing bytes: 111a1\n"),
      ("not_a_pid", "ERROR: Failed to parse pid: invalid integer: not_a_pid\n"),
      ("5000000", "ERROR: Pid out of range: 5000000\n"),
    ]
    for (pid, message) in cases {
      let r = try Bpfrepl.run(["-p", pid, "-e", "begin { print(1); }"])
      #expect(r.status == 1)
      #expect(r.stderr == message)
    }
  }

  @Test func cmdAndPidTogetherIsAUsageError() throws {
    let r = try Bpfrepl.run(["-c", "true", "-p", "1", "-e", "begin {}"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("USAGE: Cannot use both -c and -p.\n"))
  }

  @Test func missingProgramFile() throws {
    let r = try Bpfrepl.run(["non_existent_file.bt"])
    #expect(r.status == 1)
    #expect(r.stderr == "ERROR: failed to open file 'non_existent_file.bt': No such file or directory\n")
  }

  @Test func kkIsRefusedAndConflictsWithNoWarnings() throws {
    let kk = try Bpfrepl.run(["-kk", "-e", "begin {}"])
    #expect(kk.status == 1)
    #expect(kk.stderr.hasPrefix("USAGE: -kk"))
    let both = try Bpfrepl.run(["-k", "--no-warnings", "-e", "begin {}"])
    #expect(both.status == 1)
    #expect(both.stderr == "USAGE: -k, --warnings conflicts with --no-warnings\n")
  }

  @Test func colorFollowsBpftraceColor() throws {
    let r = try Bpfrepl.run(["-e", "begin { @x = ; }"], environment: ["BPFTRACE_COLOR": "always"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("\u{1B}[31mstdin:1:14-15: ERROR: "))
  }

  @Test func infoReportsTheKernelsFeatures() throws {
    let r = try Bpfrepl.run(["--info"])
    #expect(r.status == 0)
    for section in [
      "System\n  OS: Linux ", "\nBuild\n  version: v0.1.0\n", "\nKernel helpers\n", "\nKernel features\n",
    ] {
      #expect(r.stdout.contains(section))
    }
    #expect(r.stdout.contains("\nProbe types\n"))
    #expect(r.stdout.contains("  tracepoint: yes"))
    #expect(r.stdout.contains("kprobe_session: "))
  }
}

/// Options that change what a run prints, run for real (root only).
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct CommandLineRunTests {
  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("bpfrepl-\(getpid())-\(name)").path
  }

  @Test func outputFileGetsPrintfAndMaps() throws {
    let path = temporaryPath("out.txt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run([
      "-e", #"begin { @ = lhist(50, 0, 100, 10); printf("SUCCESS %d\n", 1); }"#, "--output", path,
    ])
    #expect(r.status == 0)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr == "Attached 1 probe\n")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix("SUCCESS 1\n"))
    #expect(text.contains("\n@:\n[50, 60)               1 |@@@@"))
  }

  @Test func outputFileGetsWhatSystemPrints() throws {
    let path = temporaryPath("system.txt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run(["--unsafe", "-e", #"begin { system("echo from-system"); }"#, "-o", path])
    #expect(r.status == 0)
    #expect(r.stdout.isEmpty)
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("from-system\n"))
  }

  @Test func theCommandOfDashCKeepsTheOriginalStdout() throws {
    let path = temporaryPath("cmd.txt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try Bpfrepl.run(["-c", "/bin/echo child-out", "-o", path, "-e", #"begin { printf("program-out\n"); }"#])
    #expect(r.status == 0)
    #expect(r.stdout == "child-out\n")
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("program-out\n"))
  }

  @Test func unwritableOutputFile() throws {
    let r = try Bpfrepl.run(["-e", "begin {}", "-o", "/nonexistent-dir/out"])
    #expect(r.status == 1)
    #expect(r.stderr == "ERROR: Failed to open output file: \"/nonexistent-dir/out\": No such file or directory\n")
  }

  @Test func quietDropsTheAttachedLine() throws {
    let r = try Bpfrepl.run(["-q", "-e", #"begin { printf("q\n"); }"#])
    #expect(r.status == 0)
    #expect(r.stderr.isEmpty)
    #expect(r.stdout.hasPrefix("q\n"))
  }

  @Test func dashReadsTheProgramFromStdin() throws {
    let r = try Bpfrepl.run(["-", "world"], stdin: "begin { printf(\"hello %s!\\n\", str($1)); }\n")
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("hello world!\n"))
  }

  @Test func missingIncludeIsAnErrorAtItsLine() throws {
    let r = try Bpfrepl.run(["-e", "#include <lol/no.h>\nbegin { }"])
    #expect(r.status == 1)
    #expect(r.stderr == "stdin:1:10-20: ERROR: 'lol/no.h' file not found\n#include <lol/no.h>\n         ~~~~~~~~~~\n")
  }

  @Test func includeSearchesDashIDirectoriesAndIncludeFilesMustExist() throws {
    let dir = temporaryPath("inc")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "#define X 1\n".write(toFile: dir + "/mine.h", atomically: true, encoding: .utf8)
    let found = try Bpfrepl.run(["-I", dir, "-e", "#include <mine.h>\nbegin { printf(\"ok\\n\"); }"])
    #expect(found.status == 0)
    #expect(found.stdout.hasPrefix("ok\n"))
    let system = try Bpfrepl.run(["-e", "#include <stdint.h>\nbegin { printf(\"ok\\n\"); }"])
    #expect(system.stdout.hasPrefix("ok\n"))
    let onPath = try Bpfrepl.run(["--include", "errno.h", "-e", "begin { printf(\"ok\\n\"); }"])
    #expect(onPath.stdout.hasPrefix("ok\n"))
    let missing = try Bpfrepl.run(["--include", dir + "/none.h", "-e", "begin { }"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "ERROR: '\(dir)/none.h' file not found (--include)\n")
  }

  @Test func warnfAndErrorfPrintTheirLocation() throws {
    let r = try Bpfrepl.run([
      "-e", #"begin { warnf("Something kinda bad with args: %d, %s", 10, "arg2"); errorf("bad %d", 2); }"#,
    ])
    #expect(r.status == 0)
    #expect(
      r.diagnostics
        == "stdin:1:9-67: WARNING: Something kinda bad with args: 10, arg2\nstdin:1:69-88: ERROR: bad 2\n")
  }

  @Test func noWarningsSilencesWarnf() throws {
    let r = try Bpfrepl.run(["-e", #"begin { warnf("no warn"); errorf("still"); }"#, "--no-warnings"])
    #expect(r.diagnostics == "stdin:1:27-42: ERROR: still\n")
  }

  @Test func warnfInJSON() throws {
    let r = try Bpfrepl.run(["-f", "json", "-e", #"begin { warnf("w %d", 1); }"#])
    #expect(r.stdout.contains(#"{"type": "warnf", "msg": "w 1", "filename": "stdin", "line": 1, "col": 9}"# + "\n"))
  }

  @Test func namedProgramParametersNoGetoptAsksForAreRefused() throws {
    let r = try Bpfrepl.run(["-e", "begin { }", "--", "--bb"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("ERROR: unexpected program command line options: --bb\n"))
  }

  @Test func constantConditionsCompile() throws {
    let r = try Bpfrepl.run([
      "-e", #"begin { $a = "hello"; if (10 < 2) { $a = "hi" } else { $a = "bye" } printf("a=%s\n", $a); }"#,
    ])
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("a=bye\n"))
    // The variable holds the largest string assigned to it, wherever that assignment is.
    let grown = try Bpfrepl.run([
      "-e", #"begin { $a = ""; if (10 < 2) { $a = "hi" } else { $a = "hello" } printf("a=%s\n", $a); }"#,
    ])
    #expect(grown.stdout.hasPrefix("a=hello\n"))
  }
}

/// `bool`: literals, comparisons, `!` and `(bool)` casts print true/false; printf %d stays numeric.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct BoolOneShotTests {
  @Test func valuesTuplesAndComparisons() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"begin { print((true, false)); print(1 > 2); print(!0); $b = (bool)256; print($b); printf("%d %d\n", true, 3 == 3); }"#,
    ])
    #expect(r.status == 0)
    #expect(r.stdout == "(true, false)\nfalse\ntrue\ntrue\n1 1\n\n\n")
  }

  @Test func mapKeysValuesAndCastMaps() throws {
    let r = try Bpfrepl.run([
      "-e",
      "begin { @a[true] = false; @c = count(); @z = sum(0); @t[1, false] = ((bool)@c, (bool)@z); @r = @a[true] || 1 > 0; }",
    ])
    #expect(r.status == 0)
    #expect(r.stdout == "\n\n@a[true]: false\n@c: 1\n@r: true\n@t[1, false]: (true, false)\n@z: 0\n")
  }

  @Test func boolMapsRefuseArithmeticUpdates() throws {
    let inc = try Bpfrepl.run(["-e", "begin { @x = 1 > 2; @x++; }"])
    #expect(inc.status == 1)
    #expect(
      inc.stderr
        == "stdin:1:21-25: ERROR: The ++/-- operators can not be used on expressions of type 'bool'\n"
        + "begin { @x = 1 > 2; @x++; }\n                    ~~~~\n")
    let compound = try Bpfrepl.run(["-e", "begin { @x = true; @x += 2; }"])
    #expect(compound.stderr.hasPrefix("stdin:1:20-22: ERROR: Compound assignment needs an integer, got 'bool'\n"))
  }

  @Test func ternaryOfBools() throws {
    let r = try Bpfrepl.run(["-e", "begin { $a = nsecs ? true : false; print($a); }"])
    #expect(r.stdout.hasPrefix("true\n"))
  }

  @Test func json() throws {
    let r = try Bpfrepl.run(["-f", "json", "-e", "begin { @a[true] = false; print((true, 1 < 0)); }"])
    #expect(r.stdout.contains(#"{"type": "value", "data": [true,false]}"# + "\n"))
    #expect(r.stdout.contains(#"{"type": "map", "data": {"@a": {"true": false}}}"# + "\n"))
  }
}

/// Compile warnings, and `--no-warnings` silencing them.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct CompileWarningTests {
  @Test func statementAfterExitIsUnreachable() throws {
    let r = try Bpfrepl.run(["-e", "i:ms:100 { @++; exit(); @++ }"])
    #expect(r.status == 0)
    #expect(
      r.diagnostics
        == "stdin:1:25-28: WARNING: Unreachable statement.\ni:ms:100 { @++; exit(); @++ }\n                        ~~~\n"
    )
    #expect(r.stdout == "\n\n@: 1\n")
  }

  @Test func ifWhoseBranchesAllLeave() throws {
    let r = try Bpfrepl.run(["-e", "begin { if (1) { exit(); } else { return; } print(1); }"])
    #expect(r.diagnostics.hasPrefix("stdin:1:45-53: WARNING: Unreachable statement.\n"))
    let once = try Bpfrepl.run(["-e", "begin { if (1) { exit(); } print(1); }"])
    #expect(once.diagnostics.isEmpty)
  }

  @Test func noWarningsSilencesThem() throws {
    let r = try Bpfrepl.run(["--no-warnings", "-e", "i:ms:100 { @++; exit(); @++ }"])
    #expect(r.diagnostics.isEmpty)
  }
}

/// Positional parameters read as bpftrace reads them.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct PositionalParameterTests {
  @Test func integersInEveryBase() throws {
    let r = try Bpfrepl.run([
      "-e", #"begin { printf("%d %o 0x%x %lu %d %d\n", $1, $2, $3, $4, $5, $6); }"#, "123", "0775", "0x123",
      "0xffffffffffffffff", "08", "1_000",
    ])
    #expect(r.stdout.hasPrefix("123 775 0x123 18446744073709551615 8 1000\n"))
  }

  @Test func strOfANumberIsItsText() throws {
    let r = try Bpfrepl.run(["-e", #"begin { printf("-%s-\n", str($1)); }"#, "1"])
    #expect(r.stdout.hasPrefix("-1-\n"))
  }
}
