import Foundation
import Testing

/// tseries() run for real. With upstream's test hook BPFTRACE_DUMMY_TS_MAP=@ts the programs
/// choose "now" themselves, so the output is exact; all in BEGIN, so each runs exactly once.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct TimeSeriesOneShotTests {
  let hook = ["BPFTRACE_DUMMY_TS_MAP": "@ts", "TZ": "UTC"]

  /// Ten values an interval for ten 100ms intervals (`$i % 10`, the last of each is 9).
  func tenPerInterval(_ agg: String = "", then: String = "") -> String {
    """
    BEGIN { @ts = (uint64)0; $i = (uint64)0;
      while ($i < 100) { @a = tseries($i % 10, 100ms, 5\(agg)); @ts += 10ms; $i++; }
      clear(@ts); \(then) exit(); }
    """
  }

  func graph(_ lo: String, _ hi: String, _ rows: [String]) -> String {
    let range =
      "             " + lo.padding(toLength: 21, withPad: " ", startingAt: 0)
      + String(repeating: " ", count: 32 - hi.count) + hi + "\n"
    return range + "hh:mm:ss.ms  |___________________________________________________|\n"
      + rows.map { $0 + "\n" }.joined()
      + "             v___________________________________________________v\n" + range
  }

  func flat(_ seconds: [String], _ value: String) -> [String] {
    seconds.map { "00:00:00.\($0) |                         *                         | \(value)" }
  }

  @Test func lastValueOfEachInterval() throws {
    let r = try Bpfrepl.run(["-e", tenPerInterval()], environment: hook)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "\n\n@a:\n" + graph("8", "10", flat(["500", "600", "700", "800", "900"], "9")) + "\n")
  }

  @Test func aggregations() throws {
    let avg = try Bpfrepl.run(["-e", tenPerInterval(#", "avg""#)], environment: hook)
    #expect(avg.stdout == "\n\n@a:\n" + graph("3", "5", flat(["500", "600", "700", "800", "900"], "4")) + "\n")
    let max = try Bpfrepl.run(["-e", tenPerInterval(#", "max""#)], environment: hook)
    #expect(max.stdout == "\n\n@a:\n" + graph("8", "10", flat(["500", "600", "700", "800", "900"], "9")) + "\n")
    let sum = try Bpfrepl.run(["-f", "json", "-e", tenPerInterval(#", "sum""#)], environment: hook)
    let points = (5...9).map { #"{"interval_start":"1970-01-01 00:00:00.\#($0)00000000","value":45}"# }
    #expect(sum.stdout.contains(#"{"type": "tseries", "data": {"@a": ["# + points.joined(separator: ",") + "]}}\n"))
    let min = try Bpfrepl.run(["-e", tenPerInterval(#", "min""#)], environment: hook)
    let rows = ["500", "600", "700", "800", "900"].map {
      "00:00:00.\($0) *                                                   | 0"
    }
    #expect(min.stdout == "\n\n@a:\n" + graph("0", "1", rows) + "\n")
  }

  @Test func keysShareOneWindowInJSON() throws {
    let program = """
      BEGIN { @ts = (uint64)0; $i = 0;
        while ($i < 5) { @a["one"] = tseries(5, 100ms, 10); @ts += 100ms; $i++; }
        $i = 0; while ($i < 5) { @a["two"] = tseries(4, 100ms, 10); @ts += 100ms; $i++; }
        clear(@ts); exit(); }
      """
    let r = try Bpfrepl.run(["-f", "json", "-e", program], environment: hook)
    func points(_ range: ClosedRange<Int>, _ value: (Int) -> Int) -> String {
      range.map { #"{"interval_start":"1970-01-01 00:00:00.\#($0)00000000","value":\#(value($0))}"# }
        .joined(separator: ",")
    }
    // Epoch 0 counts as never written: upstream prints 0 there.
    let line =
      #"{"type": "tseries", "data": {"@a": {"one": ["# + points(0...4) { $0 == 0 ? 0 : 5 } + #"], "two": ["#
      + points(5...9) { _ in 4 } + "]}}}\n"
    #expect(r.stdout.hasSuffix(line), "\(r.stdout)")
    let text = try Bpfrepl.run(["-e", program], environment: hook)
    #expect(
      text.stdout.contains(
        "00:00:00.400 |                                                   * 5\n"
          + "00:00:00.500 |                                                   | -\n"))
  }

  @Test func negativeValuesAndTheZeroLine() throws {
    let r = try Bpfrepl.run(
      [
        "-e",
        "BEGIN { @ts = (uint64)1s; @ = tseries(-3, 100ms, 3); @ts += 100ms; @ = tseries(6, 100ms, 3); clear(@ts); exit(); }",
      ],
      environment: hook)
    #expect(
      r.stdout == """


        @:
                     -3                                                  6
        hh:mm:ss.ms  |___________________________________________________|
        00:00:01.000 *                .                                  | -3
        00:00:01.100 |                .                                  * 6
                     v___________________________________________________v
                     -3                                                  6


        """)
  }

  @Test func zeroKeepsNoDataAndClearRemovesTheMap() throws {
    let zeroed = try Bpfrepl.run(["-e", tenPerInterval(then: "zero(@a);")], environment: hook)
    #expect(zeroed.stdout == "\n\n@a:\n<no data>\n")
    let json = try Bpfrepl.run(["-f", "json", "-e", tenPerInterval(then: "zero(@a);")], environment: hook)
    #expect(json.stdout.hasSuffix("{\"type\": \"tseries\", \"data\": {\"@a\": []}}\n"))
    let cleared = try Bpfrepl.run(["-e", "BEGIN { @[1] = tseries(1, 1ms, 5); clear(@); exit() }"])
    #expect(cleared.stdout == "\n\n")
  }

  @Test func printInsideAProbe() throws {
    let r = try Bpfrepl.run(["-e", tenPerInterval(then: "print(@a); clear(@a);")], environment: hook)
    #expect(r.stdout == "@a:\n" + graph("8", "10", flat(["500", "600", "700", "800", "900"], "9")) + "\n\n\n")
  }

  @Test func wallClockIntervals() throws {
    // Without the hook: CLOCK_TAI, printed as local time (UTC here); one interval prints nanoseconds.
    var tai = timespec()
    clock_gettime(CLOCK_TAI, &tai)
    let r = try Bpfrepl.run(["-e", "BEGIN { @ = tseries($1, 1s, 4); exit() }", "7"], environment: ["TZ": "UTC"])
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 10, "\(r.stdout)")
    guard lines.count == 10 else { return }
    #expect(lines[4] == "hh:mm:ss.ns        |___________________________________________________|")
    #expect(lines[5].hasSuffix(".000000000 |                         *                         | 7"))
    let f = DateFormatter()
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "HH:mm:ss"
    let printed = String(lines[5].prefix(8))
    let near = (-2...2).map { f.string(from: Date(timeIntervalSince1970: Double(tai.tv_sec + $0))) }
    #expect(near.contains(printed), "printed \(printed), expected about \(near[2])")
  }

  @Test func samplesOfBothCPUsAddUpPerInterval() throws {
    // profile fires on every CPU: "sum" merges the per-CPU slots of each 100ms interval.
    let r = try Bpfrepl.run(
      ["-e", #"profile:hz:99 { @ = tseries(1, 100ms, 5, "sum"); } interval:ms:750 { exit(); }"#],
      environment: ["TZ": "UTC"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = r.stdout.split(separator: "\n").filter {
      $0.range(of: #"^\d\d:\d\d:\d\d\.\d{3} "#, options: .regularExpression) != nil
    }
    #expect(rows.count == 5, "\(r.stdout)")
    let values = rows.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    #expect(values.count == rows.count, "\(r.stdout)")
    #expect(values.allSatisfy { $0 >= 1 && $0 <= 40 }, "\(r.stdout)")
    #expect(values.dropLast().reduce(0, +) >= 40, "two CPUs at 99 Hz for 400ms: \(r.stdout)")
  }
}
