import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// What `bpftrace -l` reads from kernel BTF: named struct/union/enum types (and their C
/// definitions, printed by libbpf's btf_dump), BPF iterators and raw tracepoints.
extension BTFTypes {
  /// Every named struct, union and enum as "struct NAME" / "union NAME" / "enum NAME", with its id.
  public func namedTypes() -> [(name: String, id: UInt32)] {
    var out: [(String, UInt32)] = []
    for id in 1..<max(1, btf__type_cnt(btf)) {
      guard let t = btf__type_by_id(btf, id), let kind = Kind(rawValue: btf_kind(t)) else { continue }
      let keyword: String
      switch kind {
      case .structure: keyword = "struct"
      case .union: keyword = "union"
      case .enumeration, .enum64: keyword = "enum"
      default: continue
      }
      guard let p = btf__name_by_offset(btf, t.pointee.name_off), p.pointee != 0 else { continue }
      out.append((keyword + " " + String(cString: p), id))
    }
    return out
  }

  /// Iterator kinds (`task`, `task_file`, ...): a `struct bpf_iter__KIND` context with a
  /// `bpf_iter_KIND` target function, which is what loading an iterator needs.
  public func iteratorKinds() -> [String] {
    let prefix = "struct bpf_iter__"
    return namedTypes().compactMap { entry in
      guard entry.name.hasPrefix(prefix) else { return nil }
      let kind = String(entry.name.dropFirst(prefix.count))
      return functionID("bpf_iter_" + kind) != nil ? kind : nil
    }
  }

  /// Raw tracepoint names, from the `__probestub_NAME` / `__traceiter_NAME` functions the
  /// kernel's tracepoint macros define.
  public func rawTracepointNames() -> [String] {
    var names = Set<String>()
    for id in 1..<max(1, btf__type_cnt(btf)) {
      guard let t = btf__type_by_id(btf, id), btf_kind(t) == UInt16(Kind.function.rawValue),
        let p = btf__name_by_offset(btf, t.pointee.name_off)
      else { continue }
      let name = String(cString: p)
      for prefix in ["__probestub_", "__traceiter_"] where name.hasPrefix(prefix) {
        names.insert(String(name.dropFirst(prefix.count)))
      }
    }
    return names.sorted()
  }

  /// `-lv rawtracepoint:NAME`: the tracepoint's arguments ("struct task_struct * prev"), without
  /// the leading `void *__data` every raw tracepoint function has.
  public func rawTracepointArguments(_ event: String) -> [String] {
    guard let id = functionID("__probestub_" + event) ?? functionID("__traceiter_" + event),
      let f = btf__type_by_id(btf, id), let proto = btf__type_by_id(btf, f.pointee.type),
      let params = btf_params(proto)
    else { return [] }
    let n = Int(btf_vlen(proto))
    return (1..<max(1, n)).map { i in
      let type = cName(params[i].type)
      let argName = name(params[i].name_off)
      return type + " " + argName
    }
  }

  /// The C definition of type `id` as btf_dump writes it: from "struct NAME {" to "};".
  public func definition(id: UInt32, name typeName: String) -> String? {
    final class Sink { var text = "" }
    let sink = Sink()
    let printer: btf_dump_printf_fn_t = { ctx, fmt, args in
      guard let ctx, let fmt, let args else { return }
      var buf = [CChar](repeating: 0, count: 8192)
      let n = vsnprintf(&buf, buf.count, fmt, args)
      guard n >= 0 else { return }
      Unmanaged<Sink>.fromOpaque(ctx).takeUnretainedValue().text += String(cString: buf)
    }
    guard let dump = btf_dump__new(btf, printer, Unmanaged.passUnretained(sink).toOpaque(), nil) else {
      return nil
    }
    defer { btf_dump__free(dump) }
    // The type comes last, after the definitions it depends on.
    guard btf_dump__dump_type(dump, id) == 0 else { return nil }
    var out = ""
    var inside = false
    for line in sink.text.split(separator: "\n", omittingEmptySubsequences: false) {
      if !inside, line == typeName + " {" { inside = true }
      guard inside else { continue }
      out += line + "\n"
      if line == "};" { return out }
    }
    return nil
  }
}
