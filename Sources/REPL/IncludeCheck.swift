import Engine
import Glibc

/// `#include` lines, `-I DIR` and `--include FILE`. bpfrepl takes types from kernel BTF and parses
/// no headers, but a header that cannot be found is still an error at its line, as it is for
/// bpftrace (whose C compiler would fail on it), so a typo does not pass silently.
struct IncludeCheck {
  var directories: [String]
  var files: [String]

  static var systemDirectories: [String] {
    var u = utsname()
    uname(&u)
    let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    return [
      "/usr/local/include", "/usr/include/\(machine)-linux-gnu", "/usr/include",
      "/lib/modules/\(release)/build/include", "/lib/modules/\(release)/source/include",
    ]
  }

  /// The first `#include` (or `--include` file) that names no existing file, as a diagnostic.
  func firstMissing(in source: SourceFile) -> Diagnostic? {
    // `--include FILE` is found as the C compiler's -include finds it: as given, then on the search path.
    for file in files where access(file, F_OK) != 0 {
      if !file.hasPrefix("/"),
        (directories + IncludeCheck.systemDirectories).contains(where: {
          access($0 + "/" + file, F_OK) == 0
        })
      {
        continue
      }
      return .error("'\(file)' file not found (--include)", at: nil)
    }
    let local = source.name == "stdin" ? "." : directoryOf(source.name)
    var offset = 0
    for line in source.text.split(separator: "\n", omittingEmptySubsequences: false) {
      defer { offset += line.utf8.count + 1 }
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      guard trimmed.hasPrefix("#"), trimmed.dropFirst().drop(while: { $0 == " " }).hasPrefix("include") else {
        continue
      }
      guard let open = trimmed.firstIndex(where: { $0 == "<" || $0 == "\"" }) else { continue }
      let quoted = trimmed[open] == "\""
      let rest = trimmed[trimmed.index(after: open)...]
      guard let close = rest.firstIndex(of: quoted ? "\"" : ">") else { continue }
      let name = String(rest[..<close])
      let search = (quoted ? [local] : []) + directories + IncludeCheck.systemDirectories
      if search.contains(where: { access($0 + "/" + name, F_OK) == 0 }) { continue }
      let start = offset + line.utf8.count - trimmed.utf8.count + trimmed[..<open].utf8.count
      let end = start + name.utf8.count + 2
      return .error("'\(name)' file not found", at: SourceRange(start, end))
    }
    return nil
  }

  private func directoryOf(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
  }
}
