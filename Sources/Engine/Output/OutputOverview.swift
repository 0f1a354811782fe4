// Output: bpftrace-identical text and `-f json` formatting. Pure functions, no kernel access.
//
// The runtime decodes kernel bytes into `OutputValue` / `MapSnapshot` and calls:
//   TextFormatter.map(_:top:div:)     print(@m[, top[, div]]) and one map at exit
//   TextFormatter.exitMaps(_:)        "\n\n" + all maps by name, what bpftrace prints after its main loop
//   TextFormatter.value(_:)           print(value)
//   JSONFormatter.map / exitMaps / value / printf / join / time / cat / syscall /
//     attachedProbes / lostEvents / errorf / helperError / runtimeError   one JSON line each
//   PrintfFormat(parsing:)            at compile time: .conversions, .check(argTypes) throws(PrintfError)
//   PrintfFormat.format(_:appendingTo:) at run time, per event
//   FoldedStacks.lines(_:)            flame-graph input from a stack-keyed count map
//   Log2Histogram.bucketIndex(of:bits:), LinearHistogram.bucketIndex(value:min:max:step:)
//                                     the bucket numbers the BPF code must compute
//
// Contract with the runtime (what upstream does before formatting, and so must the caller):
//  - Per-CPU values are summed (count/sum/hist buckets/avg totals and counts) or reduced
//    (min/max) before they get here.
//  - Strings are cut at NUL; when a string filled its whole buffer upstream appends "..".
//  - Entries come in kernel iteration order; for hist/lhist maps also give `rawKey`, so ties in
//    total count break as upstream's (raw-key-ordered std::map) do.
//  - print() of a scalar, non-histogram map with no value: upstream prints the type's zero value
//    (`@: 0`, `@: { .count = 0, .average = 0, .total = 0 }`); pass an entry decoded from zeroed
//    bytes. At exit, empty maps print nothing (JSON: avg/stats maps print `{}`).
//  - `OutputValue.string` holds text; bytes that are not UTF-8 were already replaced when the
//    runtime made the String (upstream would print them raw).
