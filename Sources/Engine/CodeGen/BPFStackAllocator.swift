/// The frame of one program, the 512-byte BPF stack or a per-CPU scratch frame: a bump allocator
/// with marks, so the scratch space of a statement is given back when the statement ends, while
/// `$variables` keep their slots.
struct BPFStackAllocator {
  static let stackLimit = 512
  var limit = BPFStackAllocator.stackLimit
  private(set) var used = 0
  private(set) var highWater = 0

  struct Overflow: Error {}

  /// Allocates `size` bytes aligned to 8 and returns the offset from r10 (negative).
  mutating func allocate(_ size: Int) throws -> Int16 {
    let rounded = (max(size, 1) + 7) / 8 * 8
    guard used + rounded <= limit else { throw Overflow() }
    used += rounded
    highWater = max(highWater, used)
    return Int16(-used)
  }

  var mark: Int { used }
  mutating func release(to mark: Int) { used = mark }
}
