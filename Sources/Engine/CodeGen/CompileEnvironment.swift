import CBPFShim
import Glibc

/// What a compile needs beyond the program text: the run's options (`--unsafe`, `-p`, `-c`) and
/// the system lookups of compile-time functions (kaddr, cgroupid). Tests replace the lookups.
public final class CompileEnvironment: @unchecked Sendable {
  /// `--unsafe`: allows system() and signal().
  public var unsafe = false
  /// `-p PID`: kernel-side probes return early for other processes (uprobes attach to PID).
  public var targetPid: Int32? = nil
  /// The address of a kernel symbol (kaddr), nil when it is not in /proc/kallsyms.
  public var kernelSymbolAddress: (String) -> UInt64? = { KernelSymbolTable.shared.address(of: $0) }
  /// The cgroup v2 id of a cgroup directory (cgroupid), nil when it can't be read.
  public var cgroupID: (String) -> UInt64? = { CgroupIdentity.id(ofPath: $0) }

  /// strftime() formats by id: a timestamp value carries the id, user space formats it.
  public private(set) var timeFormats: [String] = []

  public init() {}

  func timeFormatID(_ format: String) -> Int {
    if let i = timeFormats.firstIndex(of: format) { return i }
    timeFormats.append(format)
    return timeFormats.count - 1
  }

  public func timeFormat(_ id: UInt64) -> String? { id < timeFormats.count ? timeFormats[Int(id)] : nil }
}

/// Kernel symbol names to addresses, read once from /proc/kallsyms.
final class KernelSymbolTable: @unchecked Sendable {
  static let shared = KernelSymbolTable()
  private var table: [String: UInt64]? = nil
  private let lock = Lock()

  func address(of name: String) -> UInt64? {
    lock.locked {
      if table == nil { table = KernelSymbolTable.load() }
      return table?[name]
    }
  }

  private static func load() -> [String: UInt64] {
    guard let bytes = FileIO.read("/proc/kallsyms") else { return [:] }
    var out: [String: UInt64] = [:]
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      let f = line.split(separator: " ", maxSplits: 3)
      guard f.count >= 3, let a = UInt64(f[0], radix: 16), a != 0 else { continue }
      let name = String(f[2].split(separator: "\t").first ?? f[2])
      // The first definition wins, as upstream's linear scan does.
      if out[name] == nil { out[name] = a }
    }
    return out
  }
}

/// cgroup v2 ids, as upstream reads them: the 8-byte kernfs file handle of the cgroup directory
/// (what bpf_get_current_cgroup_id reports for a task in it).
enum CgroupIdentity {
  static func id(ofPath path: String) -> UInt64? { try? lookup(path) }

  /// The id, or the reason it could not be read (an errno).
  static func lookup(_ path: String) throws(CgroupLookupError) -> UInt64 {
    var id: UInt64 = 0
    let rc = bpfrepl_cgroup_id(path, &id)
    if rc < 0 { throw CgroupLookupError(errno: -rc) }
    return id
  }
}

struct CgroupLookupError: Error {
  var errno: Int32
}
