import CLibbpf
import Glibc

extension BPFProgram {
  /// Runs a BPF iterator program once over every object of its kind: link it (BPF_TRACE_ITER),
  /// open the iterator and read it to the end. What the program sends arrives on the ring buffer.
  public func runIterator() throws {
    var opts = bpf_link_create_opts()
    opts.sz = MemoryLayout<bpf_link_create_opts>.size
    let link = bpf_link_create(fd, 0, BPF_TRACE_ITER, &opts)
    guard link >= 0 else { throw BPFError("bpf_link_create(iter \(name))", errno: -link) }
    defer { Glibc.close(link) }
    let iter = bpf_iter_create(link)
    guard iter >= 0 else { throw BPFError("bpf_iter_create(\(name))", errno: -iter) }
    defer { Glibc.close(iter) }
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = read(iter, &buf, buf.count)
      if n > 0 { continue }
      if n < 0, errno == EINTR || errno == EAGAIN { continue }
      if n < 0 { throw BPFError("read(iter \(name))", errno: errno) }
      return
    }
  }
}
