import CLibbpf

/// The BTF the kernel insists on before it lets a program pass a callback to a helper
/// (bpf_for_each_map_elem): one `FUNC` per subprogram. Every program can share one object with a
/// global main function and a static callback type, so it is built and loaded once per process.
struct SubprogramBTF: @unchecked Sendable {
  let fd: Int32
  let mainID: UInt32
  let callbackID: UInt32
  /// Kept alive with the process: the fd belongs to it.
  private let btf: OpaquePointer

  static let shared: SubprogramBTF? = SubprogramBTF()

  private init?() {
    guard let btf = btf__new_empty() else { return nil }
    let long = btf__add_int(btf, "long", 8, Int32(BTF_INT_SIGNED))
    // main(ctx) and callback(map, key, value, ctx); the verifier only needs them to be functions.
    let mainProto = btf__add_func_proto(btf, long)
    _ = btf__add_func_param(btf, "ctx", long)
    let main = btf__add_func(btf, "main", BTF_FUNC_GLOBAL, mainProto)
    let callbackProto = btf__add_func_proto(btf, long)
    for name in ["map", "key", "value", "ctx"] { _ = btf__add_func_param(btf, name, long) }
    let callback = btf__add_func(btf, "callback", BTF_FUNC_STATIC, callbackProto)
    guard long > 0, main > 0, callback > 0, btf__load_into_kernel(btf) == 0 else {
      btf__free(btf)
      return nil
    }
    self.btf = btf
    self.fd = btf__fd(btf)
    self.mainID = UInt32(main)
    self.callbackID = UInt32(callback)
  }
}
