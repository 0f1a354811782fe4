import Foundation

/// Remembers the most recent message signatures so a captured message cannot be
/// sent again. Bounded: the oldest signature is forgotten first (FIFO), so memory
/// stays constant however long the kernel runs. Thread-safe (shell and control
/// threads share one instance).
public final class ReplayGuard: @unchecked Sendable {
  private let capacity: Int
  private var seen: Set<[UInt8]> = []
  private var order: [[UInt8]]
  private var next = 0
  private let lock = NSLock()

  public init(capacity: Int = 1 << 16) {
    precondition(capacity > 0)
    self.capacity = capacity
    order = []
    order.reserveCapacity(min(capacity, 4096))
  }

  /// Records the signature; false if it was already seen (a replay).
  public func admit(_ signature: [UInt8]) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if seen.contains(signature) { return false }
    if order.count < capacity {
      order.append(signature)
    } else {
      seen.remove(order[next])
      order[next] = signature
      next = (next + 1) % capacity
    }
    seen.insert(signature)
    return true
  }

  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return seen.count
  }
}
