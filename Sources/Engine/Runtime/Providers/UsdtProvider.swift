#if canImport(Glibc)
  import Glibc
#endif

/// `usdt:PATH:[PROVIDER:]PROBE` (alias `U`): statically defined user probes, read from the
/// file's `.note.stapsdt`. PATH is a path (a wildcard may match several files), a program in
/// $PATH or a library name (`libc`); empty or `*` means every file mapped by the `-p` process,
/// or by every running process. PROVIDER and PROBE may hold wildcards. A probe at several
/// locations is one probe attached at all of them.
final class UsdtProvider: ProbeProvider, ProcessScopedProvider {
  let names = ["usdt", "U"]
  /// Set by `-p PID` / `-c CMD`: attach in that process only.
  var pid: Int32? = nil

  func requireKernelSupport() throws { try KernelFeatures.requireUprobes() }

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    guard ap.parts.count == 2 || ap.parts.count == 3, let probePattern = ap.parts.last, !probePattern.isEmpty else {
      throw invalid(ap, "usdt needs a binary and a probe, e.g. usdt:/usr/bin/python3:function__entry")
    }
    let providerPattern = ap.parts.count == 3 && !ap.parts[1].isEmpty ? ap.parts[1] : "*"
    let files: [String]
    do {
      files = try UsdtProvider.files(for: ap.parts[0], pid: pid)
    } catch let e as PathProblem {
      throw invalid(ap, e.description)
    } catch {
      throw invalid(ap, "\(ap.parts[0]): \(error)")
    }
    var targets: [ProbeTarget] = []
    for path in files {
      targets += try UsdtProvider.targets(in: path, provider: providerPattern, probe: probePattern, pid: pid)
    }
    if targets.isEmpty {
      let spec = ap.parts.count == 3 ? "\(providerPattern):\(probePattern)" : probePattern
      throw invalid(ap, "No usdt probe matches \(spec) in \(files.count == 1 ? files[0] : "\(files.count) files")")
    }
    return targets
  }

  func attach(_ program: BPFProgram, to target: ProbeTarget, cookie: UInt64) throws -> BPFAttachment? {
    guard case .usdt(let path, _, _, let locations, let pid) = target.spec else { return nil }
    return try program.attachUsdt(path: path, locations: locations, pid: pid ?? -1, cookie: cookie)
  }

  /// One target per (provider, probe) of `path` that matches, in note order.
  static func targets(in path: String, provider: String, probe: String, pid: Int32?) throws -> [ProbeTarget] {
    let notes = (try? UsdtNotes.read(path: path)) ?? []
    var order: [String] = []
    var byProbe: [String: [UsdtNote]] = [:]
    for n in notes where Glob.matches(provider, n.provider) && Glob.matches(probe, n.name) {
      let key = "\(n.provider):\(n.name)"
      if byProbe[key] == nil { order.append(key) }
      byProbe[key, default: []].append(n)
    }
    var symbols: ElfSymbols? = nil
    return order.compactMap { key in
      guard let locations = byProbe[key], let first = locations.first else { return nil }
      var sets = UsdtArgumentSets(variants: [])
      var placed: [UsdtLocation] = []
      for note in locations {
        guard let offset = note.fileOffset else { continue }
        var args = UsdtArgument.parseEach(note.argumentText)
        for i in args.indices {
          guard case .symbol(let name, let extra, nil) = args[i].location else { continue }
          if symbols == nil { symbols = try? ElfSymbols(path: path) }
          if let sym = symbols?.symbols.first(where: { $0.name == name && $0.kind != .function }) {
            let distance = Int64(bitPattern: sym.address &- note.address) &+ extra
            args[i].location = .symbol(name: name, offset: extra, fromProbe: distance)
          } else {
            args[i].location = .undecodable(
              "cannot decode USDT argument \"\(args[i].text)\": no symbol \(name) in \(path)")
          }
        }
        let variant = sets.variants.firstIndex(of: args) ?? sets.variants.count
        if variant == sets.variants.count { sets.variants.append(args) }
        placed.append(
          UsdtLocation(fileOffset: offset, semaphoreOffset: note.semaphoreFileOffset ?? 0, variant: variant))
      }
      if placed.isEmpty { return nil }
      var ctx = ProbeContext(kind: .kprobe, provider: "usdt")
      ctx.hasRegisterArguments = true
      ctx.isUserSpace = true
      ctx.binaryPath = path
      ctx.usdtArguments = sets
      return ProbeTarget(
        name: "usdt:\(path):\(first.provider):\(first.name)",
        spec: .usdt(path: path, provider: first.provider, name: first.name, locations: placed, pid: pid),
        context: ctx)
    }
  }

  /// The files a PATH part stands for.
  static func files(for pattern: String, pid: Int32?) throws -> [String] {
    if pattern.isEmpty || pattern == "*" {
      if let pid { return ProcessMaps.executableFiles(pid: pid) }
      guard !pattern.isEmpty else {
        throw PathProblem(description: "a usdt probe with an empty path needs -p PID (or * for every process)")
      }
      return ProcessMaps.executableFilesOfAllProcesses()
    }
    if Glob.hasWildcard(pattern) {
      let matches = FileGlob.paths(matching: pattern)
      if matches.isEmpty { throw PathProblem(description: "No file matches \(pattern)") }
      return matches
    }
    return [try ElfSymbols.resolveBinary(pattern)]
  }

  struct PathProblem: Error, CustomStringConvertible {
    var description: String
  }

  /// `bpftrace -l 'usdt:PATH:PROVIDER:PROBE'`: every matching probe once, sorted as upstream lists.
  static func listing(_ parts: [String], pid: Int32?) -> [String] {
    let pathPattern = parts.first ?? "*"
    let provider = parts.count >= 3 ? parts[1] : "*"
    let probe = parts.count >= 2 ? parts[parts.count - 1] : "*"
    guard let files = try? files(for: pid != nil && pathPattern == "*" ? "" : pathPattern, pid: pid) else {
      return []
    }
    var out: [String] = []
    for path in files {
      var seen = Set<String>()
      for n in (try? UsdtNotes.read(path: path)) ?? []
      where Glob.matches(provider.isEmpty ? "*" : provider, n.provider) && Glob.matches(probe, n.name) {
        let name = "usdt:\(path):\(n.provider):\(n.name)"
        if seen.insert(name).inserted { out.append(name) }
      }
    }
    return out.sorted()
  }
}

/// Files mapped executable into processes, from /proc/PID/maps.
enum ProcessMaps {
  static func executableFiles(pid: Int32) -> [String] {
    guard let bytes = FileIO.read("/proc/\(pid)/maps") else { return [] }
    var seen = Set<String>()
    var out: [String] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      // address perms offset dev inode path
      let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
      guard fields.count == 6, fields[1].contains("x") else { continue }
      let path = fields[5].trimmed
      guard path.hasPrefix("/"), !path.hasSuffix(" (deleted)"), seen.insert(path).inserted else { continue }
      out.append(path)
    }
    return out
  }

  static func executableFilesOfAllProcesses() -> [String] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var seen = Set<String>()
    var out: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard let pid = Int32(name), pid != getpid() else { continue }
      for path in executableFiles(pid: pid) where seen.insert(path).inserted { out.append(path) }
    }
    return out.sorted()
  }
}

/// Paths matching a shell wildcard, through glob(3).
enum FileGlob {
  static func paths(matching pattern: String) -> [String] {
    var g = glob_t()
    defer { globfree(&g) }
    guard glob(pattern, 0, nil, &g) == 0 else { return [] }
    return (0..<Int(g.gl_pathc)).compactMap { i in g.gl_pathv[i].map { String(cString: $0) } }.filter {
      !FileIO.isDirectory($0)
    }
  }
}
