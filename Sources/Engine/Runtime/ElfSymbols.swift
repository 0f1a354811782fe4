import CElf

#if canImport(Glibc)
  import Glibc
#endif

/// One symbol of an ELF file.
public struct ElfSymbol: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case function, object, other }
  public enum Binding: Sendable, Equatable { case local, global, weak, other }

  public var name: String
  /// st_value: the virtual address in the file's own address space.
  public var address: UInt64
  public var size: UInt64
  public var kind: Kind
  public var binding: Binding
  /// Where the code is in the file (what a uprobe wants); nil if in no PT_LOAD segment.
  public var fileOffset: UInt64?
}

/// The symbols of an ELF executable or shared object (`.symtab` and `.dynsym`, merged),
/// with address -> file offset mapping through the program headers.
public final class ElfSymbols: @unchecked Sendable {
  public let path: String
  /// ET_DYN (PIE or shared object) vs ET_EXEC.
  public let isPositionIndependent: Bool
  /// Defined symbols, sorted by address.
  public let symbols: [ElfSymbol]
  private let segments: [(vaddr: UInt64, memsz: UInt64, offset: UInt64, executable: Bool)]

  public init(path: String) throws {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw BPFError.fromErrno("open(\(path))") }
    defer { close(fd) }
    _ = elf_version(UInt32(EV_CURRENT))
    guard let elf = elf_begin(fd, ELF_C_READ_MMAP, nil) else {
      throw BPFError("elf_begin(\(path))", errno: EINVAL, detail: ElfSymbols.elfError())
    }
    defer { elf_end(elf) }
    var ehdr = GElf_Ehdr()
    guard gelf_getehdr(elf, &ehdr) != nil else {
      throw BPFError("read ELF header of \(path)", errno: ENOEXEC, detail: ElfSymbols.elfError())
    }
    isPositionIndependent = ehdr.e_type == UInt16(ET_DYN)

    var segs: [(vaddr: UInt64, memsz: UInt64, offset: UInt64, executable: Bool)] = []
    var phnum = 0
    if elf_getphdrnum(elf, &phnum) == 0 {
      for i in 0..<phnum {
        var ph = GElf_Phdr()
        if gelf_getphdr(elf, Int32(i), &ph) != nil, ph.p_type == UInt32(PT_LOAD) {
          segs.append((ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_flags & UInt32(PF_X) != 0))
        }
      }
    }
    segments = segs

    var seen = Set<String>()  // name@address, to merge .symtab with .dynsym
    var syms: [ElfSymbol] = []
    var scn: OpaquePointer? = nil
    while true {
      scn = elf_nextscn(elf, scn)
      guard let section = scn else { break }
      var sh = GElf_Shdr()
      guard gelf_getshdr(section, &sh) != nil,
        sh.sh_type == UInt32(SHT_SYMTAB) || sh.sh_type == UInt32(SHT_DYNSYM),
        sh.sh_entsize > 0, let data = elf_getdata(section, nil)
      else { continue }
      let count = Int(sh.sh_size / sh.sh_entsize)
      for i in 0..<count {
        var sym = GElf_Sym()
        guard gelf_getsym(data, Int32(i), &sym) != nil,
          sym.st_shndx != UInt16(SHN_UNDEF), sym.st_name != 0,
          let cname = elf_strptr(elf, Int(sh.sh_link), Int(sym.st_name))
        else { continue }
        let name = String(cString: cname)
        if name.isEmpty || !seen.insert("\(name)@\(sym.st_value)").inserted { continue }
        let type = Int32(sym.st_info & 0xf)  // GELF_ST_TYPE
        let bind = Int32(sym.st_info >> 4)  // GELF_ST_BIND
        let kind: ElfSymbol.Kind =
          (type == STT_FUNC || type == STT_GNU_IFUNC) ? .function : (type == STT_OBJECT ? .object : .other)
        let binding: ElfSymbol.Binding =
          bind == STB_LOCAL ? .local : bind == STB_GLOBAL ? .global : bind == STB_WEAK ? .weak : .other
        syms.append(
          ElfSymbol(
            name: name, address: sym.st_value, size: sym.st_size, kind: kind, binding: binding,
            fileOffset: ElfSymbols.offset(of: sym.st_value, in: segs)))
      }
    }
    syms.sort { $0.address < $1.address }
    symbols = syms
  }

  /// The defined function `name` (global/weak preferred over local).
  public func function(named name: String) -> ElfSymbol? {
    let candidates = symbols.filter { $0.kind == .function && $0.name == name && $0.address != 0 }
    return candidates.first { $0.binding != .local } ?? candidates.first
  }

  /// Functions whose names match a glob (`*`, `?`), one per name.
  public func functions(matching pattern: String) -> [ElfSymbol] {
    var seen = Set<String>()
    return symbols.filter {
      $0.kind == .function && $0.address != 0 && Glob.matches(pattern, $0.name) && seen.insert($0.name).inserted
    }
  }

  /// The ELF virtual address at a file offset (inverse of `fileOffset(forAddress:)`), used to
  /// symbolize addresses of a running process from its /proc/PID/maps offsets.
  public func address(forFileOffset offset: UInt64) -> UInt64? {
    for s in segments where offset >= s.offset && offset < s.offset + s.memsz {
      return offset - s.offset + s.vaddr
    }
    return nil
  }

  /// File offset of a virtual address: `addr - p_vaddr + p_offset` of its PT_LOAD segment.
  public func fileOffset(forAddress address: UInt64) -> UInt64? {
    ElfSymbols.offset(of: address, in: segments)
  }

  /// The function containing `address` (file virtual address) and the offset into it.
  public func symbolize(address: UInt64) -> (symbol: ElfSymbol, offset: UInt64)? {
    var lo = 0
    var hi = symbols.count
    while lo < hi {  // first symbol with address > target
      let mid = (lo + hi) / 2
      if symbols[mid].address <= address { lo = mid + 1 } else { hi = mid }
    }
    var i = lo - 1
    while i >= 0 {
      let s = symbols[i]
      if s.kind == .function {
        if address < s.address + max(s.size, 1) { return (s, address - s.address) }
        return nil
      }
      i -= 1
    }
    return nil
  }

  private static func offset(
    of address: UInt64, in segments: [(vaddr: UInt64, memsz: UInt64, offset: UInt64, executable: Bool)]
  ) -> UInt64? {
    for s in segments where address >= s.vaddr && address < s.vaddr + s.memsz {
      return address - s.vaddr + s.offset
    }
    return nil
  }

  private static func elfError() -> String {
    guard let p = elf_errmsg(-1) else { return "libelf error" }
    return String(cString: p)
  }

  // MARK: - Finding binaries

  /// A path for a uprobe target: a path as is (must exist), a bare program name through
  /// $PATH, or a library name (`libc`, `libc.so.6`) through the dynamic linker cache.
  public static func resolveBinary(_ name: String) throws -> String {
    if name.contains("/") {
      guard FileIO.exists(name) else { throw BPFError("uprobe target \(name)", errno: ENOENT) }
      return name
    }
    if let lib = LibraryResolver.path(forLibrary: name) { return lib }
    if let p = getenv("PATH") {
      for dir in String(cString: p).split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
      }
    }
    throw BPFError(
      "uprobe target \(name)", errno: ENOENT,
      detail: "not a path, a library in /etc/ld.so.cache, or a program in $PATH")
  }
}
