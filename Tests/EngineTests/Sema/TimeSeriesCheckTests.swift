import Testing

@testable import Engine

/// tseries() arguments and map typing, with upstream's messages.
extension BuiltinFunctionTests {
  @Test func timeSeriesArguments() {
    #expect(errors(#"BEGIN { @a = tseries(1, 100ms, 5); @b[comm] = tseries(-1, 1s, 2, "avg"); }"#) == "compiled")
    expectError(
      "BEGIN { $n = 10; @ = tseries(1, $n, 5); }",
      "tseries: invalid interval_ns value (must be non-negative literal)", at: "$n")
    expectError(
      "BEGIN { @ = tseries(1, 1s, pid); }", "tseries: invalid num_intervals value (must be non-negative literal)",
      at: "pid")
    expectError("BEGIN { @ = tseries(1, 0, 5); }", "tseries() interval_ns must be >= 1 (0 provided)", at: "0")
    expectError("BEGIN { @ = tseries(1, 1s, 0); }", "tseries() num_intervals must be >= 1 (0 provided)", at: "0")
    expectError(
      "BEGIN { @ = tseries(1, 1s, 1000001); }", "tseries() num_intervals must be < 1000000 (1000001 provided)",
      at: "1000001")
    expectError(
      #"BEGIN { @ = tseries(1, 1s, 5, "median"); }"#,
      #"tseries() expects one of the following aggregation functions: avg, max, min, sum ("median" provided)"#,
      at: #""median""#)
    expectError(
      #"BEGIN { @ = tseries(comm, 1s, 5); }"#, "tseries() only supports integer arguments ('string[16]' provided)",
      at: "comm")
    expectError(
      "BEGIN { @ = tseries(1, 1s); }", "tseries() requires 3 to 4 arguments (2 provided)", at: "tseries(1, 1s)")
  }

  @Test func timeSeriesMaps() {
    expectError(
      "BEGIN { $x = tseries(1, 1s, 5); }", "tseries_t can only be assigned to a map, e.g. @x = count()",
      at: "tseries(1, 1s, 5)")
    expectError(
      "BEGIN { @a = tseries(1, 1s, 5); @a = tseries(1, 2s, 5); }",
      "Different tseries bounds in a single map unsupported",
      at: "@a")
    expectError(
      "BEGIN { @a = tseries(1, 1s, 5); @a = count(); }",
      "Type mismatch for @a: trying to assign value of type 'count_t' when map already contains a value of type 'tseries_t'",
      at: "@a")
  }
}
