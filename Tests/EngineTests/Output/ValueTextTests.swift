import Testing

@testable import Engine

/// `print(value)` and the text of single values (upstream tests/runtime call, tuples, bool, array).
@Suite struct OutputValueTextTests {
  @Test func printValue() {
    #expect(TextFormatter.value(.signed(5)) == "5\n")
    #expect(TextFormatter.value(.string("bpftrace")) == "bpftrace\n")
    #expect(TextFormatter.value(.tuple([.signed(1), .signed(2), .string("string")])) == "(1, 2, string)\n")
    #expect(TextFormatter.value(.array([.signed(1), .signed(2), .signed(3), .signed(4)])) == "[1,2,3,4]\n")
    #expect(
      TextFormatter.value(.array([.array([.signed(5), .signed(6)]), .array([.signed(7), .signed(8)])]))
        == "[[5,6],[7,8]]\n")
    #expect(
      TextFormatter.value(.record([RecordField("m", .signed(2)), RecordField("n", .signed(3))]))
        == "{ .m = 2, .n = 3 }\n")
    #expect(TextFormatter.value(.record([])) == "{}\n")
    #expect(TextFormatter.value(.tuple([.boolean(true), .boolean(false)])) == "(true, false)\n")
    // print_empty_scalar_record_map: an empty string inside a tuple.
    #expect(
      TextFormatter.value(
        .record([RecordField("a", .signed(0)), RecordField("b", .tuple([.signed(0), .string("")]))]))
        == "{ .a = 0, .b = (0, ) }\n")
    #expect(TextFormatter.value(.none) == "null\n")
    #expect(TextFormatter.value(.unsigned(UInt64.max)) == "18446744073709551615\n")
    #expect(TextFormatter.value(.signed(Int64.min)) == "-9223372036854775808\n")
    #expect(TextFormatter.value(.pointer(0)) == "0x0\n")
    #expect(TextFormatter.value(.pointer(0xffff_ffff_8100_0000)) == "0xffffffff81000000\n")
    #expect(TextFormatter.value(.symbolic("SKB_DROP_REASON_SOCKET_FILTER", 6)) == "SKB_DROP_REASON_SOCKET_FILTER\n")
  }

  @Test func buffers() {
    // buf("Hello\0", 6) and a byte above 0x7e.
    #expect(TextFormatter.text(.buffer(Array("Hello".utf8) + [0, 0x7f, 0xff])) == "Hello\\x00\\x7f\\xff")
    #expect(TextFormatter.text(.buffer([])) == "")
  }

  @Test func stacks() {
    let s = StackTrace(symbols: ["do_nanosleep+5", "hrtimer_nanosleep+150"])
    #expect(TextFormatter.text(.stack(s)) == "\n        do_nanosleep+5\n        hrtimer_nanosleep+150\n")
    let perf = StackTrace(
      mode: .perf,
      frames: [
        StackFrame(address: 0xffff_ffff_b401_9501, symbols: ["do_mmap+1"]),
        StackFrame(address: 0xffff_ffff_b401_700a, symbols: ["sys_mmap_pgoff+266"]),
      ])
    #expect(
      TextFormatter.text(.stack(perf)) == "\n\tffffffffb4019501 do_mmap+1\n\tffffffffb401700a sys_mmap_pgoff+266\n")
    let raw = StackTrace(mode: .raw, frames: [StackFrame(address: 0x4011d6, symbols: [])])
    #expect(TextFormatter.text(.stack(raw)) == "\n4011d6\n")
    let failed = StackTrace(frames: [StackFrame(address: 1, symbols: ["main+4"])], unwindFailure: true)
    #expect(TextFormatter.text(.stack(failed)) == "\n        main+4\n        <unwind failure>\n")
    // Inlined functions: several symbols for one address, one line each.
    let inlined = StackTrace(frames: [StackFrame(address: 1, symbols: ["[inlined] myclock", "mywrapper+8"])])
    #expect(TextFormatter.text(.stack(inlined)) == "\n        [inlined] myclock\n        mywrapper+8\n")
    #expect(TextFormatter.text(.stack(StackTrace(frames: []))) == "\n")
  }

  @Test func otherLines() {
    #expect(TextFormatter.join("/bin/echo 'A'") == "/bin/echo 'A'\n")
    #expect(TextFormatter.syscall("a b c\n") == "a b c\n\n")
    #expect(TextFormatter.time("10:11:12\n") == "10:11:12\n")
    #expect(TextFormatter.printf("test 5") == "test 5")
    #expect(TextFormatter.attachedProbes(1) == "Attached 1 probe\n")
    #expect(TextFormatter.attachedProbes(3) == "Attached 3 probes\n")
    #expect(TextFormatter.lostEvents(12) == "Lost 12 events\n")
    #expect(TextFormatter.end == "\n\n")
  }
}
