/// The unstable sort of GNU libstdc++ (`std::sort`, `std::ranges::sort`): introsort with a
/// median-of-three pivot, heapsort past 2*log2(n) levels, and a final insertion sort over runs
/// of 16. Upstream sorts map entries with it, so equal values end up in exactly this order;
/// reproducing it keeps ties byte-identical to bpftrace given the same input order.
enum LibstdcxxSort {
  static let threshold = 16

  static func sort<T>(_ a: inout [T], by less: (T, T) -> Bool) {
    let n = a.count
    guard n > 1 else { return }
    let lg = Int.bitWidth - 1 - n.leadingZeroBitCount
    introsortLoop(&a, 0, n, depth: lg * 2, less)
    finalInsertionSort(&a, 0, n, less)
  }

  private static func introsortLoop<T>(_ a: inout [T], _ first: Int, _ last: Int, depth: Int, _ less: (T, T) -> Bool) {
    var last = last
    var depth = depth
    while last - first > threshold {
      if depth == 0 {
        heapSort(&a, first, last, less)
        return
      }
      depth -= 1
      let cut = partitionPivot(&a, first, last, less)
      introsortLoop(&a, cut, last, depth: depth, less)
      last = cut
    }
  }

  private static func partitionPivot<T>(_ a: inout [T], _ first: Int, _ last: Int, _ less: (T, T) -> Bool) -> Int {
    let mid = first + (last - first) / 2
    moveMedianToFirst(&a, first, first + 1, mid, last - 1, less)
    return unguardedPartition(&a, first + 1, last, pivot: first, less)
  }

  private static func moveMedianToFirst<T>(
    _ a: inout [T], _ result: Int, _ x: Int, _ y: Int, _ z: Int, _ less: (T, T) -> Bool
  ) {
    if less(a[x], a[y]) {
      if less(a[y], a[z]) {
        a.swapAt(result, y)
      } else if less(a[x], a[z]) {
        a.swapAt(result, z)
      } else {
        a.swapAt(result, x)
      }
    } else if less(a[x], a[z]) {
      a.swapAt(result, x)
    } else if less(a[y], a[z]) {
      a.swapAt(result, z)
    } else {
      a.swapAt(result, y)
    }
  }

  private static func unguardedPartition<T>(
    _ a: inout [T], _ first: Int, _ last: Int, pivot: Int, _ less: (T, T) -> Bool
  ) -> Int {
    var f = first
    var l = last
    while true {
      while less(a[f], a[pivot]) { f += 1 }
      l -= 1
      while less(a[pivot], a[l]) { l -= 1 }
      if !(f < l) { return f }
      a.swapAt(f, l)
      f += 1
    }
  }

  private static func finalInsertionSort<T>(_ a: inout [T], _ first: Int, _ last: Int, _ less: (T, T) -> Bool) {
    if last - first > threshold {
      insertionSort(&a, first, first + threshold, less)
      for i in (first + threshold)..<last { unguardedLinearInsert(&a, i, less) }
    } else {
      insertionSort(&a, first, last, less)
    }
  }

  private static func insertionSort<T>(_ a: inout [T], _ first: Int, _ last: Int, _ less: (T, T) -> Bool) {
    guard first != last else { return }
    var i = first + 1
    while i < last {
      if less(a[i], a[first]) {
        let v = a[i]
        var j = i
        while j > first {
          a[j] = a[j - 1]
          j -= 1
        }
        a[first] = v
      } else {
        unguardedLinearInsert(&a, i, less)
      }
      i += 1
    }
  }

  private static func unguardedLinearInsert<T>(_ a: inout [T], _ last: Int, _ less: (T, T) -> Bool) {
    let v = a[last]
    var hole = last
    var next = last - 1
    while less(v, a[next]) {
      a[hole] = a[next]
      hole = next
      next -= 1
    }
    a[hole] = v
  }

  // std::__partial_sort(first, last, last): make_heap then sort_heap.
  private static func heapSort<T>(_ a: inout [T], _ first: Int, _ last: Int, _ less: (T, T) -> Bool) {
    let len = last - first
    if len >= 2 {
      var parent = (len - 2) / 2
      while true {
        adjustHeap(&a, first, parent, len, a[first + parent], less)
        if parent == 0 { break }
        parent -= 1
      }
    }
    var end = last
    while end - first > 1 {
      end -= 1
      let v = a[end]
      a[end] = a[first]
      adjustHeap(&a, first, 0, end - first, v, less)
    }
  }

  private static func adjustHeap<T>(
    _ a: inout [T], _ first: Int, _ hole: Int, _ len: Int, _ value: T, _ less: (T, T) -> Bool
  ) {
    let top = hole
    var hole = hole
    var child = hole
    while child < (len - 1) / 2 {
      child = 2 * (child + 1)
      if less(a[first + child], a[first + child - 1]) { child -= 1 }
      a[first + hole] = a[first + child]
      hole = child
    }
    if len & 1 == 0 && child == (len - 2) / 2 {
      child = 2 * (child + 1)
      a[first + hole] = a[first + child - 1]
      hole = child - 1
    }
    var parent = (hole - 1) / 2
    while hole > top && less(a[first + parent], value) {
      a[first + hole] = a[first + parent]
      hole = parent
      parent = (hole - 1) / 2
    }
    a[first + hole] = value
  }
}
