import Testing

@testable import Engine

/// The tie order of GNU libstdc++'s std::sort, which upstream uses to sort map entries.
/// Expected permutations were printed by g++ 12 (std::ranges::sort over (index, (i*7)%4) pairs).
@Suite struct OutputLibstdcxxSortTests {
  func sorted(_ n: Int) -> [Int] {
    var a = (0..<n).map { ($0, ($0 * 7) % 4) }
    LibstdcxxSort.sort(&a) { $0.1 < $1.1 }
    return a.map(\.0)
  }

  @Test func smallRunsAreStable() {
    #expect(sorted(16) == [0, 4, 8, 12, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13])
  }

  @Test func introsortTies() {
    #expect(sorted(17) == [8, 16, 12, 0, 4, 7, 3, 11, 15, 6, 10, 2, 14, 5, 9, 13, 1])
    #expect(
      sorted(40) == [
        0, 36, 4, 32, 28, 8, 24, 12, 20, 16, 39, 35, 31, 27, 23, 19, 15, 7, 3, 11, 10, 6, 30, 34,
        26, 2, 22, 38, 14, 18, 1, 37, 33, 5, 29, 9, 25, 21, 13, 17,
      ])
  }

  @Test func sortsLargeInputs() {
    var a = (0..<5000).map { ($0 * 7919) % 5000 }
    LibstdcxxSort.sort(&a, by: <)
    #expect(a == Array(0..<5000))
  }
}
