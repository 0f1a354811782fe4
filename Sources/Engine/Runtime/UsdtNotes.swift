import CElf

#if canImport(Glibc)
  import Glibc
#endif

/// One USDT probe location of an ELF file: an entry of its `.note.stapsdt` section.
public struct UsdtNote: Sendable, Equatable {
  public var provider: String
  public var name: String
  /// Link-time address of the probe's nop, already adjusted for prelinking (`.stapsdt.base`).
  public var address: UInt64
  /// Link-time address of the semaphore (0 when the probe has none).
  public var semaphoreAddress: UInt64
  /// The operands as written, e.g. `-4@%edi 8@(%rbx)`.
  public var argumentText: String
  /// Where the nop and the semaphore are in the file (what the uprobe PMU wants); nil if unmapped.
  public var fileOffset: UInt64?
  public var semaphoreFileOffset: UInt64?
}

/// The USDT probes of an ELF file, read with libelf as the SystemTap SDT note format describes:
/// each NT_STAPSDT note of owner "stapsdt" holds pc, base and semaphore addresses, then the
/// provider, name and argument strings.
public enum UsdtNotes {
  static let noteType: UInt32 = 3  // NT_STAPSDT

  public static func read(path: String) throws -> [UsdtNote] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw BPFError.fromErrno("open(\(path))") }
    defer { close(fd) }
    _ = elf_version(UInt32(EV_CURRENT))
    guard let elf = elf_begin(fd, ELF_C_READ_MMAP, nil) else {
      throw BPFError("elf_begin(\(path))", errno: EINVAL, detail: String(cString: elf_errmsg(-1)))
    }
    defer { elf_end(elf) }
    guard gelf_getclass(elf) == ELFCLASS64 else { return [] }
    var shstrndx = 0
    guard elf_getshdrstrndx(elf, &shstrndx) == 0 else { return [] }

    var segments: [(vaddr: UInt64, memsz: UInt64, offset: UInt64)] = []
    var phnum = 0
    if elf_getphdrnum(elf, &phnum) == 0 {
      for i in 0..<phnum {
        var ph = GElf_Phdr()
        if gelf_getphdr(elf, Int32(i), &ph) != nil, ph.p_type == UInt32(PT_LOAD) {
          segments.append((ph.p_vaddr, ph.p_memsz, ph.p_offset))
        }
      }
    }
    func fileOffset(_ address: UInt64) -> UInt64? {
      segments.first { address >= $0.vaddr && address < $0.vaddr + $0.memsz }.map { address - $0.vaddr + $0.offset }
    }

    var baseAddress: UInt64? = nil
    var raw: [(pc: UInt64, base: UInt64, semaphore: UInt64, strings: [String])] = []
    var scn: OpaquePointer? = nil
    while true {
      scn = elf_nextscn(elf, scn)
      guard let section = scn else { break }
      var sh = GElf_Shdr()
      guard gelf_getshdr(section, &sh) != nil, let cname = elf_strptr(elf, shstrndx, Int(sh.sh_name)) else {
        continue
      }
      let name = String(cString: cname)
      if name == ".stapsdt.base" { baseAddress = sh.sh_addr }
      guard sh.sh_type == UInt32(SHT_NOTE), name == ".note.stapsdt", let data = elf_getdata(section, nil),
        let bytes = data.pointee.d_buf
      else { continue }
      let size = data.pointee.d_size
      var offset = 0
      while offset < size {
        var header = GElf_Nhdr()
        var nameOffset = 0
        var descOffset = 0
        let next = gelf_getnote(data, offset, &header, &nameOffset, &descOffset)
        if next == 0 { break }
        defer { offset = next }
        guard header.n_type == noteType, header.n_namesz == 8, header.n_descsz >= 24,
          nameOffset + 8 <= size, descOffset + Int(header.n_descsz) <= size,
          Array(UnsafeRawBufferPointer(start: bytes.advanced(by: nameOffset), count: 8)) == Array("stapsdt\0".utf8)
        else { continue }
        let desc = UnsafeRawBufferPointer(start: bytes.advanced(by: descOffset), count: Int(header.n_descsz))
        func u64(_ at: Int) -> UInt64 {
          var v: UInt64 = 0
          for i in 0..<8 { v |= UInt64(desc[at + i]) << (8 * UInt64(i)) }
          return v
        }
        // Three NUL-terminated strings after the addresses: provider, name, arguments.
        let strings = desc[24...].split(separator: 0, omittingEmptySubsequences: false).prefix(3).map {
          String(decoding: $0, as: UTF8.self)
        }
        guard strings.count >= 2 else { continue }
        raw.append((u64(0), u64(8), u64(16), strings))
      }
    }
    return raw.map { n in
      // Prelinking moves code: shift by how far .stapsdt.base moved from where the note says it was.
      let delta = baseAddress.map { $0 &- n.base } ?? 0
      let pc = n.pc &+ delta
      let semaphore = n.semaphore == 0 ? 0 : n.semaphore &+ delta
      return UsdtNote(
        provider: n.strings[0], name: n.strings[1], address: pc, semaphoreAddress: semaphore,
        argumentText: n.strings.count > 2 ? n.strings[2] : "", fileOffset: fileOffset(pc),
        semaphoreFileOffset: semaphore == 0 ? nil : fileOffset(semaphore))
    }
  }
}
