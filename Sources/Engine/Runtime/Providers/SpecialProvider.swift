/// BEGIN and END: programs run once through BPF_PROG_TEST_RUN rather than attached.
final class SpecialProvider: ProbeProvider {
  let names = ["BEGIN", "END", "begin", "end"]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    let isBegin = ap.provider.uppercased() == "BEGIN"
    let name = isBegin ? "BEGIN" : "END"
    return [
      ProbeTarget(
        name: name, spec: isBegin ? .begin : .end, context: ProbeContext(kind: .rawTracepoint, provider: name))
    ]
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? { nil }
}
