/// `uprobe:BINARY:FUNCTION[+OFFSET]` and `uretprobe:BINARY:FUNCTION` (aliases `u`, `ur`). BINARY is
/// a path, a program in $PATH or a library name (`libc`); FUNCTION may hold wildcards.
final class UprobeProvider: ProbeProvider, ProcessScopedProvider {
  let names = ["uprobe", "u", "uretprobe", "ur"]
  /// Set by `-p PID` to trace one process only.
  var pid: Int32? = nil

  func requireKernelSupport() throws { try KernelFeatures.requireUprobes() }

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard ap.parts.count == 2, !ap.parts[0].isEmpty, !ap.parts[1].isEmpty else {
      throw invalid(ap, "\(ap.provider) needs a binary and a function, e.g. uprobe:/bin/bash:readline")
    }
    let isReturn = ap.provider == "uretprobe" || ap.provider == "ur"
    let kind = isReturn ? "uretprobe" : "uprobe"
    let path: String
    let elf: ElfSymbols
    do {
      path = try ElfSymbols.resolveBinary(ap.parts[0])
      elf = try ElfSymbols(path: path)
    } catch {
      throw invalid(ap, "\(ap.parts[0]): \(error)")
    }
    let spec = ap.parts[1].split(separator: "+", maxSplits: 1)
    let pattern = String(spec[0])
    let extra = spec.count > 1 ? UInt64(spec[1]) ?? 0 : 0
    if extra > 0, isReturn { throw invalid(ap, "uretprobe can not take an offset") }
    let symbols =
      Glob.hasWildcard(pattern) ? elf.functions(matching: pattern) : elf.function(named: pattern).map { [$0] } ?? []
    if symbols.isEmpty { throw invalid(ap, "No function matches \(pattern) in \(path)") }
    var ctx = ProbeContext(kind: .kprobe, provider: kind)
    ctx.hasRegisterArguments = true
    ctx.isReturnProbe = isReturn
    ctx.isUserSpace = true
    ctx.binaryPath = path
    var seen = Set<String>()
    return symbols.compactMap { sym in
      guard let offset = sym.fileOffset, seen.insert(sym.name).inserted else { return nil }
      return ProbeTarget(
        name: "\(kind):\(path):\(sym.name)" + (extra > 0 ? "+\(extra)" : ""),
        spec: .uprobe(path: path, symbol: sym.name, offset: offset + extra, isReturn: isReturn, pid: pid), context: ctx)
    }
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .uprobe(let path, _, let offset, let isReturn, let pid) = target.spec else { return nil }
    return try program.attachUprobe(path: path, offset: offset, retprobe: isReturn, pid: pid ?? -1, cookie: cookie)
  }
}
