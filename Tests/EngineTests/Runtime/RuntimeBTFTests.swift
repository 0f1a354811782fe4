import Glibc
import Testing

@testable import Engine

@Suite(.enabled(if: KernelFeatures.btf, "the kernel has no BTF (/sys/kernel/btf/vmlinux)"))
struct RuntimeBTFTests {
  @Test func taskStructLayout() throws {
    let btf = try BTFTypes.vmlinux()
    let task = try #require(btf.record(named: "task_struct"))
    #expect(!task.isUnion && task.size > 1000)
    let pid = try #require(task.field(named: "pid", in: btf))
    #expect(pid.type == .integer(size: 4, signed: true, isChar: false, isBool: false))
    #expect(pid.typeName == "pid_t")
    #expect(pid.size == 4 && pid.bitOffset == pid.offset * 8)
    let comm = try #require(task.field(named: "comm", in: btf))
    guard case .array(.integer(size: 1, _, _, _), count: 16) = comm.type else {
      Issue.record("comm is \(comm.type)")
      return
    }
    #expect(comm.typeName == "char[16]")
    #expect(comm.size == 16)
    let mm = try #require(task.field(named: "mm", in: btf))
    guard case .pointer(.record(let name, _, false, _)) = mm.type else {
      Issue.record("mm is \(mm.type)")
      return
    }
    #expect(name == "mm_struct")
    #expect(mm.typeName == "struct mm_struct *")
    #expect(btf.record(named: "no_such_struct_xyz") == nil)
  }

  @Test func anonymousMembersAndBitfields() throws {
    let btf = try BTFTypes.vmlinux()
    // struct sk_buff keeps most fields in anonymous unions/structs.
    let skb = try #require(btf.record(named: "sk_buff"))
    #expect(skb.fields.contains { $0.name.isEmpty })
    let len = try #require(skb.field(named: "len", in: btf))
    #expect(len.size == 4)
    // Bitfields: sk_buff has several one-bit flags (cloned, nohdr...).
    let cloned = try #require(skb.field(named: "cloned", in: btf))
    #expect(cloned.bitfieldSize == 1)
  }

  @Test func tpBTFAttachCounts() throws {
    let btf = try BTFTypes.vmlinux()
    let id = try #require(btf.rawTracepointTypeID("sys_enter"))
    let m = try counterMap()
    let p = try BPFProgram(
      instructions: A.counter(map: m, pid: getpid()), type: .tracing, name: "tp_btf",
      options: .init(expectedAttachType: .traceRawTp, attachBTFID: id))
    let a = try p.attachBTFTracepoint(label: "sys_enter")
    for _ in 0..<20 { _ = getpid() }
    a.detach()
    #expect(try slot0(m) >= 20)
  }
}
