/// Integer words as bpftrace reads them on its command line (positional parameters, `-p`):
/// `_` separators, and `0x`, `0b` or `0` (octal) prefixes.
public enum IntegerText {
  /// The digits without separators and prefix, and their radix.
  public static func split(_ text: String) -> (digits: String, radix: Int) {
    var digits = text.filter { $0 != "_" }
    let lower = digits.lowercased()
    if lower.hasPrefix("0x") {
      digits.removeFirst(2)
      return (digits, 16)
    }
    if lower.hasPrefix("0b") {
      digits.removeFirst(2)
      return (digits, 2)
    }
    if digits.count > 1, digits.hasPrefix("0"), let d = digits.dropFirst().first, ("0"..."7").contains(d) {
      digits.removeFirst()
      return (digits, 8)
    }
    return (digits, 10)
  }
}
