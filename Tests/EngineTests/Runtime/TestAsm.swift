// A tiny hand assembler for test programs: each instruction is one UInt64 laid out as
// code | dst << 8 | src << 12 | off << 16 | imm << 32 (struct bpf_insn, little-endian).
@testable import Engine

enum A {
  static func insn(_ code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, off: Int16 = 0, imm: Int32 = 0) -> UInt64 {
    UInt64(code) | UInt64(dst & 0xf) << 8 | UInt64(src & 0xf) << 12
      | UInt64(UInt16(bitPattern: off)) << 16 | UInt64(UInt32(bitPattern: imm)) << 32
  }
  static func movImm(_ dst: UInt8, _ imm: Int32) -> UInt64 { insn(0xb7, dst: dst, imm: imm) }
  static func movReg(_ dst: UInt8, _ src: UInt8) -> UInt64 { insn(0xbf, dst: dst, src: src) }
  static func addImm(_ dst: UInt8, _ imm: Int32) -> UInt64 { insn(0x07, dst: dst, imm: imm) }
  static func rshImm(_ dst: UInt8, _ imm: Int32) -> UInt64 { insn(0x77, dst: dst, imm: imm) }
  static func exit() -> UInt64 { insn(0x95) }
  static func call(_ helper: Int32) -> UInt64 { insn(0x85, imm: helper) }
  /// *(u64 *)(dst + off) = src
  static func stxDW(_ dst: UInt8, _ off: Int16, _ src: UInt8) -> UInt64 { insn(0x7b, dst: dst, src: src, off: off) }
  /// *(u32 *)(dst + off) = imm
  static func stW(_ dst: UInt8, _ off: Int16, _ imm: Int32) -> UInt64 { insn(0x62, dst: dst, off: off, imm: imm) }
  /// dst = *(u64 *)(src + off)
  static func ldxDW(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> UInt64 { insn(0x79, dst: dst, src: src, off: off) }
  /// if dst == imm goto +off
  static func jeqImm(_ dst: UInt8, _ imm: Int32, _ off: Int16) -> UInt64 { insn(0x15, dst: dst, off: off, imm: imm) }
  static func jneImm(_ dst: UInt8, _ imm: Int32, _ off: Int16) -> UInt64 { insn(0x55, dst: dst, off: off, imm: imm) }
  /// lock *(u64 *)(dst + off) += src
  static func atomicAddDW(_ dst: UInt8, _ off: Int16, _ src: UInt8) -> UInt64 {
    insn(0xdb, dst: dst, src: src, off: off, imm: 0)
  }
  /// dst = map fd (ld_imm64 with src = BPF_PSEUDO_MAP_FD): two slots.
  static func ldMapFD(_ dst: UInt8, _ fd: Int32) -> [UInt64] { [insn(0x18, dst: dst, src: 1, imm: fd), 0] }

  static let returnZero: [UInt64] = [movImm(0, 0), exit()]

  /// Counts events into slot 0 of an array map (u32 key, u64 value); with `pid`, only events
  /// of that process (so other workloads on the machine do not disturb the test).
  static func counter(map: BPFMap, pid: Int32? = nil) -> [UInt64] {
    var p: [UInt64] = []
    if let pid {
      p += [call(14), rshImm(0, 32), jeqImm(0, pid, 2), movImm(0, 0), exit()]  // get_current_pid_tgid
    }
    p += [stW(10, -4, 0), movReg(2, 10), addImm(2, -4)]
    p += ldMapFD(1, map.fd)
    p += [
      call(1),  // map_lookup_elem
      jeqImm(0, 0, 2), movImm(1, 1), atomicAddDW(0, 0, 1),
      movImm(0, 0), exit(),
    ]
    return p
  }

  /// Stores bpf_get_attach_cookie(ctx) into slot 0 of an array map (u32 -> u64).
  static func cookieRecorder(map: BPFMap) -> [UInt64] {
    var p: [UInt64] = [
      call(174), stxDW(10, -16, 0), stW(10, -4, 0),
      movReg(2, 10), addImm(2, -4), movReg(3, 10), addImm(3, -16), movImm(4, 0),
    ]
    p += ldMapFD(1, map.fd)
    p += [call(2), movImm(0, 0), exit()]  // map_update_elem
    return p
  }

  /// Raw-tracepoint program: bpf_ringbuf_output(ring, &ctx->args[0], 8, 0).
  static func ringbufWriter(ring: BPFMap) -> [UInt64] {
    var p: [UInt64] = [ldxDW(6, 1, 0), stxDW(10, -8, 6)]
    p += ldMapFD(1, ring.fd)
    p += [movReg(2, 10), addImm(2, -8), movImm(3, 8), movImm(4, 0), call(130), movImm(0, 0), exit()]
    return p
  }
}

func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
func readU64<C: Collection>(_ b: C) -> UInt64 where C.Element == UInt8 {
  var v: UInt64 = 0
  for (i, x) in b.prefix(8).enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
  return v
}

/// An array map with one u64 slot, read back as a number.
func counterMap(_ name: String = "test_count") throws -> BPFMap {
  try BPFMap(kind: .array, name: name, keySize: 4, valueSize: 8, maxEntries: 1)
}
func slot0(_ map: BPFMap) throws -> UInt64 { readU64(try map.lookup(key: u32(0)) ?? []) }
