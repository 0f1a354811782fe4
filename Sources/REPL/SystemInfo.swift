import Engine
import Glibc

/// `bpfrepl --info`: the system, the build, and what the kernel supports, in bpftrace's layout
/// (two `name: value` columns per section).
enum SystemInfo {
  static func report() -> String {
    var u = utsname()
    uname(&u)
    func field<T>(_ value: inout T) -> String {
      withUnsafeBytes(of: &value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    var out = "System\n"
    out += "  OS: \(field(&u.sysname)) \(field(&u.release)) \(field(&u.version))\n"
    out += "  Arch: \(field(&u.machine))\n\n"
    out += "Build\n"
    out += "  version: v\(EngineInfo.version)\n"
    out += "  code generation: bpfrepl's own BPF compiler (no LLVM)\n"
    out += "  libbpf: \(libbpfVersion())\n\n"
    for section in KernelFeatureReport.sections() {
      out += section.title + "\n" + tabulate(section.entries) + "\n"
    }
    return out
  }

  /// Two entries a line, the first padded to a 35-column field.
  static func tabulate(_ entries: [(String, String)]) -> String {
    var out = ""
    var i = 0
    while i < entries.count {
      let first = "  \(entries[i].0): \(entries[i].1)"
      if i + 1 < entries.count {
        let pad = String(repeating: " ", count: max(1, 35 - first.count))
        out += first + pad + "\(entries[i + 1].0): \(entries[i + 1].1)\n"
      } else {
        out += first + "\n"
      }
      i += 2
    }
    return out
  }

  static func libbpfVersion() -> String { KernelFeatureReport.libbpfVersion }
}
