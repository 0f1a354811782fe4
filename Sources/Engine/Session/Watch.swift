import Glibc

/// `%watch @map INTERVAL`: a live view of a map, redrawn in place (Jupyter: update_display_data
/// on one display id) every INTERVAL until `%unwatch`.
struct Watch {
  var id: Int
  var cell: Int
  var map: String
  var intervalNs: UInt64
  var nextDue: UInt64
  var shown = false

  var displayID: String { "bpfrepl-watch-\(id)" }
}

func monotonicNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

extension Session {
  func watchTimeoutMs() -> Int32 {
    guard let due = watches.map(\.nextDue).min() else { return 100 }
    let now = monotonicNanoseconds()
    return due <= now ? 0 : Int32(min(100, (due - now) / 1_000_000))
  }

  func refreshWatches() {
    let now = monotonicNanoseconds()
    let due: [(Watch, MapSnapshot?)] = lock.locked {
      var out: [(Watch, MapSnapshot?)] = []
      for i in watches.indices where watches[i].nextDue <= now {
        out.append((watches[i], trace.snapshot(watches[i].map)))
        watches[i].shown = true
        watches[i].nextDue = now + watches[i].intervalNs
      }
      return out
    }
    for (w, s) in due {
      emitMap(
        w.cell, s ?? MapSnapshot(name: w.map, entries: []), top: 0, div: 0, displayID: w.displayID, update: w.shown)
    }
  }

  func watch(_ args: [String], cell: Int) -> CellOutcome {
    guard args.count >= 1, args[0].hasPrefix("@") else {
      return .error(
        name: "UsageError", message: "usage: %watch @map [INTERVAL]",
        traceback: ["ERROR: usage: %watch @map [INTERVAL] (e.g. %watch @usecs 1s)"])
    }
    let interval = args.count > 1 ? Session.parseDuration(args[1]) : 1_000_000_000
    guard let interval, interval >= 10_000_000 else {
      return .error(
        name: "UsageError", message: "bad interval",
        traceback: ["ERROR: %watch interval must be at least 10ms (e.g. 1s, 500ms)"])
    }
    let known = lock.locked { trace.resources.maps[args[0]] != nil }
    guard known else {
      return .error(
        name: "UnknownMap", message: "no map \(args[0])",
        traceback: ["ERROR: no map \(args[0]) in this session (%maps lists them)"])
    }
    let w: Watch = lock.locked {
      let w = Watch(id: nextWatchID, cell: cell, map: args[0], intervalNs: interval, nextDue: 0)
      nextWatchID += 1
      watches.append(w)
      return w
    }
    refreshWatches()
    emit(cell, .stderr("Watching \(w.map) every \(args.count > 1 ? args[1] : "1s") (%unwatch \(w.map) stops it)\n"))
    return .ok
  }

  func unwatch(_ args: [String], cell: Int) -> CellOutcome {
    let removed: Int = lock.locked {
      let before = watches.count
      watches.removeAll { w in args.isEmpty || args.contains("all") || args.contains(w.map) }
      return before - watches.count
    }
    emit(cell, .stderr("Stopped \(removed) watch\(removed == 1 ? "" : "es")\n"))
    return .ok
  }
}
