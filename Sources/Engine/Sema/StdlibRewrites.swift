/// Spellings of upstream's standard library that mean an expression bpfrepl already has: builtins
/// called as functions (`nsecs()`, `comm()`), their `__builtin_` names, and the task accessors
/// (`ppid`, `pcomm`, `leader_tid`, `leader_comm`), which are field paths of a task_struct.
/// The type checker rewrites the expression in place before typing it, so CodeGen sees the result.
enum StdlibRewrites {
  /// Builtin identifiers that may also be called with no arguments.
  static let callableBuiltins: Set<String> = [
    "pid", "tid", "uid", "gid", "cpu", "numaid", "rand", "cpid", "nsecs", "elapsed", "cgroup", "jiffies", "curtask",
    "comm", "probe", "username", "func", "retval", "args", "ncpus", "ctx",
  ]

  /// The task_struct field paths behind the task accessors.
  static let taskAccessors: [String: [String]] = [
    "ppid": ["real_parent", "pid"], "pcomm": ["real_parent", "comm"], "leader_tid": ["group_leader", "pid"],
    "leader_comm": ["group_leader", "comm"],
  ]

  /// The rewritten kind of `e`, or nil when it stays as written.
  static func rewrite(_ e: Expr) -> Expr.Kind? {
    switch e.kind {
    case .identifier(let name) where name.hasPrefix("__builtin_"):
      let plain = String(name.dropFirst("__builtin_".count))
      return callableBuiltins.contains(plain) ? .identifier(plain) : nil
    case .identifier(let name) where taskAccessors[name] != nil:
      return taskPath(name, of: Expr(.identifier("curtask"), range: e.range), at: e.range)
    case .call(let name, let args) where args.isEmpty && callableBuiltins.contains(name):
      return .identifier(name)
    case .call(let name, let args) where args.count <= 1 && taskAccessors[name] != nil:
      return taskPath(name, of: args.first ?? Expr(.identifier("curtask"), range: e.range), at: e.range)
    default:
      return nil
    }
  }

  /// `task->real_parent->pid`-like chains (`->` through pointers, as the accessors take one).
  private static func taskPath(_ accessor: String, of task: Expr, at range: SourceRange) -> Expr.Kind? {
    guard let path = taskAccessors[accessor] else { return nil }
    var current = task
    for field in path.dropLast() { current = Expr(.arrow(current, field), range: range) }
    return .arrow(current, path[path.count - 1])
  }
}
