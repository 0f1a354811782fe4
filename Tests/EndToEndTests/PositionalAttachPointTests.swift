import Foundation
import Testing

/// `$N` inside attach points is replaced by the parameter's text before the probe is resolved.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct PositionalAttachPointTests {
  @Test func uprobeBinaryAndFunctionFromParameters() throws {
    let binary = try #require(CDefinitionsOneShotTests.target, "cc could not build the target")
    let r = try Bpfrepl.run([
      "-c", binary, "-e", #"uprobe:$1:$2 { printf("%s %d\n", probe, $#); exit(); }"#, binary, "visit",
    ])
    #expect(r.diagnostics == "", "stderr: \(r.stderr)")
    #expect(r.stdout == "uprobe:\(binary):visit 2\n\n\n")
  }

  @Test func tracepointEventAndIntervalPeriodFromParameters() throws {
    let r = try Bpfrepl.run(
      [
        "-c", "/bin/true", "-e",
        #"tracepoint:syscalls:$1 /pid == cpid/ { @[probe] = count(); } interval:ms:$2 { @ticks = 1; }"#
          + #" tracepoint:sched:sched_process_exit /pid == cpid/ { exit(); }"#,
        "sys_enter_execve", "5",
      ])
    #expect(r.diagnostics == "", "stderr: \(r.stderr)")
    #expect(r.stdout.contains("@[tracepoint:syscalls:sys_enter_execve]: 1\n"), "got \(r.stdout)")
  }

  @Test func aDollarWithoutADigitIsAnError() throws {
    let r = try Bpfrepl.run(["-e", "interval:ms:$x { exit(); }"])
    #expect(r.status != 0)
    #expect(
      r.diagnostics == """
        stdin:1:1-15: ERROR: invalid trailing character for positional param: x. Try quoting this entire part if this is intentional e.g. "$x".
        interval:ms:$x { exit(); }
        ~~~~~~~~~~~~~~

        """)
  }
}
