/// Tab completion and inspection for both front ends: probe types, tracepoint categories and
/// names, builtins, functions, the session's maps and magics.
extension Session {
  static let probeTypes = [
    "BEGIN", "END", "tracepoint:", "t:", "rawtracepoint:", "rt:", "interval:", "i:", "profile:", "p:", "software:",
    "s:", "kprobe:", "kretprobe:", "uprobe:", "uretprobe:", "usdt:", "fentry:", "fexit:", "hardware:", "iter:",
  ]
  static let builtins = [
    "pid", "tid", "uid", "gid", "nsecs", "elapsed", "cpu", "comm", "cgroup", "rand", "jiffies", "numaid", "curtask",
    "probe", "func", "args", "retval", "kstack", "ustack", "username", "arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
  ]
  static let functions = [
    "printf", "print", "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries", "exit", "delete",
    "clear", "zero", "str", "has_key", "len",
  ]
  static let magics = [
    "%probes", "%detach", "%maps", "%reset", "%%run", "%list", "%save", "%watch", "%unwatch", "%help",
  ]

  /// Candidates for the word that ends at `cursor` (a UTF-8 offset... in characters), and the
  /// range of text they replace.
  public func complete(_ code: String, cursor: Int) -> (matches: [String], start: Int, end: Int) {
    let chars = Array(code)
    let end = min(max(0, cursor), chars.count)
    var start = end
    while start > 0, Session.isWordCharacter(chars[start - 1]) { start -= 1 }
    let word = String(chars[start..<end])
    var candidates: [String]
    if word.hasPrefix("%") {
      candidates = Session.magics
    } else if word.hasPrefix("@") {
      candidates = lock.locked { trace.resources.maps.names }
    } else if let colon = word.firstIndex(of: ":") {
      let provider = String(word[..<colon])
      let full = ProbeListing.aliases[provider] ?? provider
      let rest = word[word.index(after: colon)...]
      let names = ProbeListing.names(matching: "\(full):\(rest)*")
      candidates = names.map { provider + $0.dropFirst(full.count) }
      // Complete a category on its own first ("t:sys" -> "t:syscalls:").
      if !rest.contains(":") {
        var categories: [String] = []
        for n in candidates {
          let parts = n.split(separator: ":", maxSplits: 2)
          if parts.count >= 2 {
            let c = "\(parts[0]):\(parts[1]):"
            if categories.last != c, !categories.contains(c) { categories.append(c) }
          }
        }
        candidates = categories
      }
    } else {
      candidates = Session.probeTypes + Session.builtins + Session.functions.map { $0 + "(" }
    }
    let matches = candidates.filter { $0.hasPrefix(word) && $0 != word || (word.isEmpty && !$0.isEmpty) }
    return (matches.sorted(), start, end)
  }

  static func isWordCharacter(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || "_:*@%$.-".contains(c)
  }

  /// Documentation for the word under the cursor, or nil.
  public func inspect(_ code: String, cursor: Int) -> String? {
    let chars = Array(code)
    var start = min(max(0, cursor), chars.count)
    var end = start
    while start > 0, Session.isWordCharacter(chars[start - 1]) { start -= 1 }
    while end < chars.count, Session.isWordCharacter(chars[end]) { end += 1 }
    let word = String(chars[start..<end])
    if word.contains(":") {
      let text = ProbeListing.list(pattern: word, verbose: true)
      return text.isEmpty ? nil : text
    }
    return Session.docs[word]
  }

  static let docs: [String: String] = [
    "pid": "pid: uint32 — process id (tgid) of the current task", "tid": "tid: uint32 — thread id of the current task",
    "uid": "uid: uint32 — user id", "gid": "gid: uint32 — group id",
    "nsecs": "nsecs: uint64 — monotonic timestamp in nanoseconds",
    "elapsed": "elapsed: uint64 — nanoseconds since the session started",
    "cpu": "cpu: uint32 — processor the probe fired on",
    "comm": "comm: string[16] — name of the current task", "cgroup": "cgroup: uint64 — cgroup id of the current task",
    "probe": "probe — full name of the probe that fired (e.g. tracepoint:syscalls:sys_exit_read)",
    "args": "args — the tracepoint's fields (args->name); %list -v t:CAT:NAME shows them",
    "retval": "retval — return value (kretprobe, uretprobe, fexit)",
    "curtask": "curtask: uint64 — address of the current task_struct",
    "printf": "printf(fmt, ...) — formatted output, like C's printf",
    "print": "print(@map[, top[, div]]) or print(value)",
    "count": "@m[k] = count() — count events", "sum": "@m[k] = sum(n)", "min": "@m[k] = min(n)",
    "max": "@m[k] = max(n)",
    "avg": "@m[k] = avg(n)", "stats": "@m[k] = stats(n) — count, average and total",
    "hist": "@m[k] = hist(n[, bits]) — power-of-2 histogram",
    "lhist": "@m[k] = lhist(n, min, max, step) — linear histogram",
    "tseries": "@m[k] = tseries(n, 1s, 10[, \"avg\"|\"max\"|\"min\"|\"sum\"]) — a value per interval over time",
    "exit": "exit() — stop (one-shot: print maps and quit)", "delete": "delete(@m[k]) — remove a map element",
    "clear": "clear(@m) — remove every element", "zero": "zero(@m) — set every value to zero",
    "str": "str(ptr[, len]) — read a string",
  ]
}
