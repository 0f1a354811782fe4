import Testing

@testable import Engine

/// Folded stacks: what stackcollapse-bpftrace.pl makes of bpftrace's text output.
@Suite struct OutputFoldedStacksTests {
  @Test func kernelStacksOutermostFirstAscendingCount() {
    let a = StackTrace(symbols: ["_raw_spin_lock_bh+0", "tcp_recvmsg+808", "entry_SYSCALL_64_after_hwframe+61"])
    let b = StackTrace(symbols: ["schedule+10", "do_syscall_64+115"])
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .stack(a), value: .integer(.unsigned(3))),
        MapEntry(key: .stack(b), value: .integer(.unsigned(1))),
      ])
    #expect(
      FoldedStacks.lines(m) == """
        do_syscall_64+115;schedule+10 1
        entry_SYSCALL_64_after_hwframe+61;tcp_recvmsg+808;_raw_spin_lock_bh+0 3

        """)
  }

  @Test func commIsTheRoot() {
    let k = StackTrace(symbols: ["f+1", "g+2"])
    let u = StackTrace(symbols: ["main+4", "__libc_start_main+243"])
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .tuple([.stack(k), .stack(u), .string("curl")]), value: .integer(.unsigned(7)))
      ])
    #expect(FoldedStacks.lines(m) == "curl;__libc_start_main+243;main+4;g+2;f+1 7\n")
  }

  @Test func perfRawAndFailures() {
    let perf = StackTrace(mode: .perf, frames: [StackFrame(address: 0xff01, symbols: ["f+1"])], unwindFailure: true)
    let raw = StackTrace(
      mode: .raw, frames: [StackFrame(address: 0xab, symbols: []), StackFrame(address: 0xcd, symbols: [])])
    let m = MapSnapshot(
      name: "@",
      entries: [
        MapEntry(key: .stack(perf), value: .integer(.unsigned(2))),
        MapEntry(key: .stack(raw), value: .integer(.unsigned(5))),
      ])
    #expect(FoldedStacks.lines(m) == "<unwind failure>;ff01 f+1 2\ncd;ab 5\n")
  }
}
