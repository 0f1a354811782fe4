/// `%gr`: GFP allocation flags by name, like the kernel's `%pGg` (upstream `util::GFPFlags`).
/// Compound names come first and consume their bits; leftover bits print as `0x...`.
enum GFPFlags {
  // Bit numbers from the kernel's include/linux/gfp_types.h.
  private static func bit(_ n: UInt64) -> UInt64 { 1 << n }
  static let dma = bit(0), highmem = bit(1), dma32 = bit(2), movable = bit(3)
  static let high = bit(5), io = bit(6), fs = bit(7), zero = bit(8)
  static let directReclaim = bit(10), kswapdReclaim = bit(11), write = bit(12), nowarn = bit(13)
  static let retryMayfail = bit(14), nofail = bit(15), noretry = bit(16), memalloc = bit(17)
  static let comp = bit(18), nomemalloc = bit(19), hardwall = bit(20), thisnode = bit(21)
  static let account = bit(22), zerotags = bit(23), skipZero = bit(24), skipKasan = bit(25)
  static let noObjExt = bit(26)

  static let reclaim = directReclaim | kswapdReclaim
  static let atomic = high | kswapdReclaim
  static let kernel = reclaim | io | fs
  static let nowait = kswapdReclaim | nowarn
  static let noio = reclaim
  static let nofs = reclaim | io
  static let user = reclaim | io | fs | hardwall
  static let highuser = user | highmem
  static let highuserMovable = highuser | movable | skipKasan
  static let transhugeLight = (highuserMovable | comp | nomemalloc | nowarn) & ~reclaim
  static let transhuge = transhugeLight | directReclaim

  /// In the kernel's `__def_gfpflag_names` order: matching masks first, single bits after.
  static let names: [(UInt64, String)] = [
    (transhuge, "GFP_TRANSHUGE"), (transhugeLight, "GFP_TRANSHUGE_LIGHT"),
    (highuserMovable, "GFP_HIGHUSER_MOVABLE"), (highuser, "GFP_HIGHUSER"), (user, "GFP_USER"),
    (kernel | account, "GFP_KERNEL_ACCOUNT"), (kernel, "GFP_KERNEL"), (nofs, "GFP_NOFS"),
    (atomic, "GFP_ATOMIC"), (noio, "GFP_NOIO"), (nowait, "GFP_NOWAIT"), (dma, "GFP_DMA"),
    (highmem, "__GFP_HIGHMEM"), (dma32, "GFP_DMA32"), (high, "__GFP_HIGH"), (io, "__GFP_IO"),
    (fs, "__GFP_FS"), (zero, "__GFP_ZERO"), (directReclaim, "__GFP_DIRECT_RECLAIM"),
    (kswapdReclaim, "__GFP_KSWAPD_RECLAIM"), (write, "__GFP_WRITE"), (nowarn, "__GFP_NOWARN"),
    (retryMayfail, "__GFP_RETRY_MAYFAIL"), (nofail, "__GFP_NOFAIL"), (noretry, "__GFP_NORETRY"),
    (memalloc, "__GFP_MEMALLOC"), (comp, "__GFP_COMP"), (nomemalloc, "__GFP_NOMEMALLOC"),
    (hardwall, "__GFP_HARDWALL"), (thisnode, "__GFP_THISNODE"), (account, "__GFP_ACCOUNT"),
    (zerotags, "__GFP_ZEROTAGS"), (skipZero, "__GFP_SKIP_ZERO"), (skipKasan, "__GFP_SKIP_KASAN"),
    (noObjExt, "__GFP_NO_OBJ_EXT"),
  ]

  static func write(_ flags: UInt64, into w: inout ByteWriter) {
    if flags == 0 { return w.append(UInt8(ascii: "0")) }
    var remaining = flags
    var first = true
    for (mask, name) in names where remaining & mask == mask {
      if !first { w.append(UInt8(ascii: "|")) }
      w.append(name)
      remaining &= ~mask
      first = false
    }
    if remaining != 0 {
      if !first { w.append(UInt8(ascii: "|")) }
      w.append("0x")
      w.appendDigits(remaining, radix: 16, upper: false)
    }
  }
}
