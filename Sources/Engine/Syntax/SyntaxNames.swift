/// Word lists the parser needs to tell statements from probes and casts from parenthesized values.
public enum SyntaxNames {
  /// Words that start a statement or a preamble item, never an attach point, a type or a plain
  /// identifier. (`config` is only special before `=` at the top level: `config()` is a call.)
  public static let keywords: Set<String> = [
    "break", "continue", "else", "fn", "for", "if", "import", "let", "macro", "offsetof", "return", "sizeof",
    "unroll", "while", "true", "false",
  ]

  /// Probe names that stand alone (no `provider:` form). Seen at the top level they always start a
  /// probe, so `BEGIN` typed alone in the REPL waits for its block.
  public static let bareProbes: Set<String> = ["BEGIN", "END", "begin", "end"]

  /// Builtin values written as bare identifiers. A parenthesized builtin is a value, never a cast
  /// (`(pid) * 2`), and the AST printer labels these `builtin:`.
  public static func isBuiltin(_ name: String) -> Bool {
    if builtins.contains(name) || name.hasPrefix("__builtin_") { return true }
    for prefix in ["arg", "sarg"] where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      if !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
    }
    return false
  }

  private static let builtins: Set<String> = [
    "args", "cgroup", "comm", "cpid", "cpu", "ctx", "curtask", "elapsed", "func", "gid", "jiffies",
    "kstack", "ncpus", "nsecs", "numaid", "pid", "ppid", "probe", "rand", "retval", "tid", "uid",
    "username", "usermode", "ustack",
  ]

  /// Type names that make `(name)` a cast whatever follows it.
  public static let builtinTypes: Set<String> = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "string", "buffer",
    "inet", "void",
  ]

  /// C type words that combine (`unsigned long long`); `const`/`volatile` are accepted and dropped.
  public static let cTypeWords: Set<String> = ["char", "short", "int", "long", "signed", "unsigned"]
  public static let cQualifiers: Set<String> = ["const", "volatile"]
}
