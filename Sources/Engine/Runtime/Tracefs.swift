import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One tracepoint, `category:name` (e.g. `syscalls:sys_enter_openat`).
public struct Tracepoint: Sendable, Hashable, CustomStringConvertible {
  public var category: String
  public var name: String
  public init(category: String, name: String) {
    self.category = category
    self.name = name
  }
  public var description: String { "\(category):\(name)" }
}

/// The tracing filesystem: tracepoint ids, formats and listings.
/// Listings and formats are cached for the life of the process (tracepoints of loaded
/// modules can appear later; `invalidateCache()` forgets them).
public enum Tracefs {
  private struct Cache {
    var root: String?
    var tracepoints: [Tracepoint]?
    var formats: [Tracepoint: TracepointFormat] = [:]
  }
  private static let cache = Mutex(Cache())

  /// The tracefs mount point: /sys/kernel/tracing, else /sys/kernel/debug/tracing;
  /// mounts tracefs at /sys/kernel/tracing when neither has `events/`.
  public static func root() throws -> String {
    if let r = cache.withLock({ $0.root }) { return r }
    let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
    var found = candidates.first { FileIO.isDirectory($0 + "/events") }
    if found == nil {
      if mount("nodev", candidates[0], "tracefs", 0, nil) != 0 {
        throw BPFError.fromErrno("mount tracefs", detail: "no tracefs at \(candidates.joined(separator: " or "))")
      }
      found = candidates[0]
    }
    let r = found!
    cache.withLock { $0.root = r }
    return r
  }

  /// The id of CAT:NAME (the perf_event_attr.config of a tracepoint event).
  public static func tracepointID(category: String, name: String) throws -> UInt64 {
    let path = try root() + "/events/\(category)/\(name)/id"
    guard let text = FileIO.readLine(path) else {
      throw BPFError.fromErrno("tracepoint \(category):\(name)", detail: "cannot read \(path)")
    }
    guard let id = UInt64(text) else {
      throw BPFError("tracepoint \(category):\(name)", errno: EINVAL, detail: "bad id '\(text)' in \(path)")
    }
    return id
  }

  public static func exists(category: String, name: String) -> Bool {
    guard let r = try? root() else { return false }
    return FileIO.exists(r + "/events/\(category)/\(name)/id")
  }

  /// The parsed `format` file of CAT:NAME (cached).
  public static func format(category: String, name: String) throws -> TracepointFormat {
    let key = Tracepoint(category: category, name: name)
    if let f = cache.withLock({ $0.formats[key] }) { return f }
    let path = try root() + "/events/\(category)/\(name)/format"
    guard let text = FileIO.readText(path) else {
      throw BPFError.fromErrno("tracepoint \(category):\(name)", detail: "cannot read \(path)")
    }
    let f = try TracepointFormat(category: category, name: name, text: text)
    cache.withLock { $0.formats[key] = f }
    return f
  }

  /// Every tracepoint, from `available_events` (one read, cached), in file order.
  public static func listTracepoints() throws -> [Tracepoint] {
    if let l = cache.withLock({ $0.tracepoints }) { return l }
    let path = try root() + "/available_events"
    guard let bytes = FileIO.read(path) else {
      throw BPFError.fromErrno("list tracepoints", detail: "cannot read \(path)")
    }
    var list: [Tracepoint] = []
    list.reserveCapacity(4096)
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
      list.append(
        Tracepoint(
          category: String(decoding: line[line.startIndex..<colon], as: UTF8.self),
          name: String(decoding: line[(colon + 1)...], as: UTF8.self)))
    }
    cache.withLock { $0.tracepoints = list }
    return list
  }

  /// Tracepoints whose category and name match the globs (`*`, `?`).
  public static func tracepoints(category: String, name: String) throws -> [Tracepoint] {
    let all = try listTracepoints()
    // Fast path: no wildcard means at most one hit, looked up directly.
    if !Glob.hasWildcard(category) && !Glob.hasWildcard(name) {
      return exists(category: category, name: name) ? [Tracepoint(category: category, name: name)] : []
    }
    return all.filter { Glob.matches(category, $0.category) && Glob.matches(name, $0.name) }
  }

  /// Distinct categories, sorted.
  public static func listCategories() throws -> [String] {
    Array(Set(try listTracepoints().map(\.category))).sorted()
  }

  /// Forgets cached listings and formats (e.g. after a module load).
  public static func invalidateCache() {
    cache.withLock {
      $0.tracepoints = nil
      $0.formats = [:]
    }
  }
}
