import CLibbpf
import Glibc

/// The kernel's tracefs: tracepoint ids, record layouts (`format` files) and the list of events.
public enum Tracefs {
  /// Where tracefs is mounted; mounted at /sys/kernel/tracing if it is nowhere yet.
  public static let root: String = {
    for candidate in ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"] where access(candidate + "/events", F_OK) == 0 {
      return candidate
    }
    _ = mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nil)
    return "/sys/kernel/tracing"
  }()

  static func read(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&buf, 1, buf.count, f)
      if n <= 0 { break }
      out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
  }

  public static func tracepointID(category: String, name: String) throws -> UInt64 {
    let path = "\(root)/events/\(category)/\(name)/id"
    guard let text = read(path), let id = UInt64(text.trimmed) else {
      throw BPFError("read \(path)", errno: ENOENT, detail: "no such tracepoint: \(category):\(name)")
    }
    return id
  }

  /// Fields of a tracepoint's record, without the `common_*` header fields.
  public static func fields(category: String, name: String) throws -> [TracepointField] {
    let path = "\(root)/events/\(category)/\(name)/format"
    guard let text = read(path) else {
      throw BPFError("read \(path)", errno: ENOENT, detail: "no such tracepoint: \(category):\(name)")
    }
    return parseFormat(text)
  }

  /// Parses lines like `field:const char * filename;	offset:24;	size:8;	signed:0;`.
  public static func parseFormat(_ text: String) -> [TracepointField] {
    var fields: [TracepointField] = []
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: ";").map { $0.trimmed }
      guard let decl = parts.first, decl.hasPrefix("field:") else { continue }
      var offset = 0
      var size = 0
      var signed = false
      for p in parts.dropFirst() {
        let kv = p.split(separator: ":", maxSplits: 1)
        guard kv.count == 2, let v = Int(kv[1]) else { continue }
        switch kv[0] {
        case "offset": offset = v
        case "size": size = v
        case "signed": signed = v != 0
        default: break
        }
      }
      var d = String(decl.dropFirst("field:".count)).trimmed
      var isDataLoc = false
      if d.hasPrefix("__data_loc ") {
        isDataLoc = true
        d = String(d.dropFirst("__data_loc ".count))
      }
      var arrayLength: Int? = nil
      if let open = d.lastIndex(of: "["), d.hasSuffix("]") {
        arrayLength = Int(d[d.index(after: open)..<d.index(before: d.endIndex)])
        d = String(d[..<open])
      }
      // The name is the last identifier; the type is everything before it.
      var nameStart = d.endIndex
      while nameStart > d.startIndex {
        let prev = d.index(before: nameStart)
        let c = d[prev]
        if c.isLetter || c.isNumber || c == "_" { nameStart = prev } else { break }
      }
      let name = String(d[nameStart...])
      let type = String(d[..<nameStart]).trimmed
      if name.hasPrefix("common_") { continue }
      fields.append(
        TracepointField(
          name: name, cType: type, offset: offset, size: size, isSigned: signed,
          arrayLength: isDataLoc ? nil : arrayLength, isDataLoc: isDataLoc))
    }
    return fields
  }

  /// Every tracepoint as (category, name), from `available_events`; read once.
  public static let all: [(category: String, name: String)] = {
    guard let text = read("\(root)/available_events") else { return [] }
    return text.split(separator: "\n").compactMap { line in
      let kv = line.split(separator: ":", maxSplits: 1)
      return kv.count == 2 ? (String(kv[0]), String(kv[1])) : nil
    }
  }()
}
