/// Everything the code of one compile refers to beyond its own instructions: the session's maps
/// (by `MapRef`), the event and probe-name tables, and the internal maps every program shares.
public final class CompileResources: @unchecked Sendable {
  public let maps: MapTable
  public let events: EventTable
  public let probeNames: ProbeNameTable
  /// Struct layouts for casts and `->` (kernel BTF in a session); nil where there are none.
  public var types: TypeLibrary?
  /// Options of the run and compile-time system lookups (kaddr, cgroupid).
  public let environment = CompileEnvironment()
  private(set) var refsByName: [String: MapRef] = [:]
  private(set) var namesByRef: [MapRef: String] = [:]

  /// Internal map names start with "." so they never clash with user maps (which start with "@").
  public static let ringBufferName = ".events"
  public static let lostCounterName = ".lost"
  public static let globalsName = ".globals"
  public static let stacksName = ".stacks"
  /// Per-CPU frames for programs that need more than the 512-byte stack (one 32 KiB value per CPU).
  public static let scratchName = ".scratch"
  public static let scratchFrameSize = 32 * 1024
  /// One u32 per probe block: programs return at once while their gate is 0, so a detach takes
  /// effect immediately even though the kernel releases perf links slowly. All gates live in the
  /// single value of an array map, which programs address directly (BPF_PSEUDO_MAP_VALUE).
  public static let gatesName = ".gates"
  public static let gateCount = 16384
  private var nextGate: UInt32 = 1

  /// A new gate for a probe block.
  func newGate() -> UInt32 {
    defer { nextGate = nextGate % UInt32(Self.gateCount - 1) + 1 }
    return nextGate
  }
  /// Frames kept per stack (the kernel's PERF_MAX_STACK_DEPTH default).
  public static let stackDepth = 127

  public init(
    maps: MapTable = MapTable(), events: EventTable = EventTable(), probeNames: ProbeNameTable = ProbeNameTable()
  ) {
    self.maps = maps
    self.events = events
    self.probeNames = probeNames
  }

  public func ref(_ name: String) -> MapRef {
    if let r = refsByName[name] { return r }
    let r = MapRef(refsByName.count)
    refsByName[name] = r
    namesByRef[r] = name
    return r
  }

  /// The layer of C definitions written in programs over `types`, made on first use; it lives
  /// as long as these resources, so a session's later cells see earlier cells' definitions.
  public func programTypes() -> ProgramTypeLibrary {
    if let p = types as? ProgramTypeLibrary { return p }
    let p = ProgramTypeLibrary(fallback: types)
    types = p
    return p
  }

  public func name(of ref: MapRef) -> String { namesByRef[ref] ?? "?" }

  var ringBuffer: MapRef { ref(Self.ringBufferName) }
  var lostCounter: MapRef { ref(Self.lostCounterName) }
  var globals: MapRef { ref(Self.globalsName) }
  var stacks: MapRef { ref(Self.stacksName) }
  var scratch: MapRef { ref(Self.scratchName) }
  var gates: MapRef { ref(Self.gatesName) }
}

/// Layout of the `.globals` array map's single value, written by user space before anything runs.
public enum GlobalsLayout {
  /// CLOCK_MONOTONIC nanoseconds when the session (or one-shot run) started: `elapsed` is relative to it.
  public static let startNanoseconds: Int16 = 0
  /// The pid of the `-c` command (`cpid`), 0 without one.
  public static let childPid: Int16 = 8
  public static let size = 16
}
