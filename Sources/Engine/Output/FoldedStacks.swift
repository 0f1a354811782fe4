/// Brendan Gregg's folded-stack format, the input of flamegraph.pl: one line per map entry,
/// `root;caller;...;leaf count`. It is what stackcollapse-bpftrace.pl makes of bpftrace's text
/// output for `@[kstack] = count()` or `@[ustack, comm] = count()`.
public enum FoldedStacks {
  /// Lines in the order the map prints (ascending count). Key parts that are not stacks (comm,
  /// pid, ...) become root frames, in key order; then the stacks' frames, outermost first (for
  /// `(kstack, ustack)` the user stack is outer). The count is the entry's value; for histogram
  /// values, the total of their buckets.
  public static func lines(_ m: MapSnapshot) -> String {
    var w = ByteWriter(capacity: 1024)
    for e in MapOrdering.ordered(m, top: 0) {
      var roots: [String] = []
      var frames: [String] = []  // innermost first, across all stacks in key order
      switch e.key {
      case .tuple(let parts)?:
        for p in parts { collect(p, roots: &roots, frames: &frames) }
      case let k?:
        collect(k, roots: &roots, frames: &frames)
      case nil:
        break
      }
      let path = roots + frames.reversed()
      for (i, f) in path.enumerated() {
        if i > 0 { w.append(UInt8(ascii: ";")) }
        w.append(f)
      }
      w.append(UInt8(ascii: " "))
      writeCount(e.value, into: &w)
      w.append(UInt8(ascii: "\n"))
    }
    return w.string
  }

  private static func collect(_ v: OutputValue, roots: inout [String], frames: inout [String]) {
    guard case .stack(let s) = v else { return roots.append(TextValue.string(v)) }
    for f in s.frames {
      switch s.mode {
      case .raw:
        var t = ByteWriter(capacity: 16)
        t.appendDigits(f.address, radix: 16, upper: false)
        frames.append(t.string)
      case .bpftrace:
        frames.append(contentsOf: f.symbols)
      case .perf:
        var t = ByteWriter(capacity: 16)
        t.appendDigits(f.address, radix: 16, upper: false)
        let hex = t.string
        frames.append(contentsOf: f.symbols.map { hex + " " + $0 })
      }
    }
    if s.unwindFailure { frames.append("<unwind failure>") }
  }

  private static func writeCount(_ v: MapValue, into w: inout ByteWriter) {
    switch v {
    case .hist(let h): w.appendDecimal(h.buckets.reduce(0, &+))
    case .lhist(let h): w.appendDecimal(h.buckets.reduce(0, &+))
    default:
      if case .primitive(let p) = MapOrdering.printed(v, div: 1) { TextValue.write(p, into: &w) }
    }
  }
}
