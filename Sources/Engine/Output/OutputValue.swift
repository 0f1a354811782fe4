/// A decoded bpftrace value, ready to be printed. The runtime turns kernel bytes into these;
/// the formatters below never look at kernel memory.
///
/// Mirrors upstream's `output::Primitive`: each case prints one way as text and one way as JSON.
public enum OutputValue: Hashable, Sendable {
  /// No value (a `none`/`void` field, e.g. an unsupported union member). Text and JSON: `null`.
  case none
  case boolean(Bool)
  case signed(Int64)
  case unsigned(UInt64)
  /// A string, already cut at its NUL and carrying upstream's `..` trailer when it filled its buffer.
  /// Also used for everything upstream resolves to a string in user space: ksym, usym, username,
  /// inet (ntop), macaddr, strftime, cgroup_path, strerror, probe names.
  case string(ByteString)
  /// `buf()` contents. Text: printable ASCII kept, other bytes as `\xNN`. JSON: array of signed bytes.
  case buffer([UInt8])
  /// A named number (enum value): text prints the name, JSON and `%d` print the number.
  case symbolic(String, UInt64)
  /// A pointer: text `0x1f`, JSON the number.
  case pointer(UInt64)
  /// `(1, abc)` in text, `[1,"abc"]` in JSON.
  case tuple([OutputValue])
  /// A C array: `[1,2,3]` in text (no spaces), same in JSON.
  case array([OutputValue])
  /// A struct or named tuple: `{ .a = 1, .b = x }` in text, `{"a": 1, "b": "x"}` in JSON.
  case record([RecordField])
  /// A symbolized kernel or user stack.
  case stack(StackTrace)
}

public struct RecordField: Hashable, Sendable {
  public var name: String
  public var value: OutputValue
  public init(_ name: String, _ value: OutputValue) {
    self.name = name
    self.value = value
  }
}

/// A stack as upstream prints it (`BPFtrace::get_stack`): a leading newline, then one line per
/// symbol, each indented by 8 spaces (bpftrace mode), or `\t<hex address> <symbol>` (perf mode),
/// or the bare hex address (raw mode).
public struct StackTrace: Hashable, Sendable {
  public enum Mode: Hashable, Sendable { case bpftrace, perf, raw }
  public var mode: Mode
  /// Innermost frame first, as the kernel returns them.
  public var frames: [StackFrame]
  /// The walk hit an address of -1: upstream prints `<unwind failure>` and stops.
  public var unwindFailure: Bool

  public init(mode: Mode = .bpftrace, frames: [StackFrame], unwindFailure: Bool = false) {
    self.mode = mode
    self.frames = frames
    self.unwindFailure = unwindFailure
  }

  /// Convenience for bpftrace-mode stacks given as symbol strings, innermost first.
  public init(symbols: [String]) {
    self.init(frames: symbols.map { StackFrame(address: 0, symbols: [$0]) })
  }
}

public struct StackFrame: Hashable, Sendable {
  public var address: UInt64
  /// What the address symbolizes to, e.g. `["do_nanosleep+5"]`. More than one when inlined
  /// functions are shown (innermost first); ignored in raw mode.
  public var symbols: [String]
  public init(address: UInt64, symbols: [String]) {
    self.address = address
    self.symbols = symbols
  }
}
