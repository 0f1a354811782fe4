import Testing

@testable import Engine

/// A resolver for pure compile tests: a few fixed targets, no tracefs.
final class FixedResolver: ProbeResolver {
  static let exitRead = [
    TracepointField(name: "__syscall_nr", cType: "int", offset: 8, size: 4, isSigned: true),
    TracepointField(name: "ret", cType: "long", offset: 16, size: 8, isSigned: true),
  ]

  func expand(_ ap: AttachPoint) throws -> [ProbeTarget] {
    switch ap.provider {
    case "BEGIN":
      return [ProbeTarget(name: "BEGIN", spec: .begin, context: ProbeContext(kind: .rawTracepoint, provider: "BEGIN"))]
    case "t", "tracepoint":
      return [
        ProbeTarget(
          name: "tracepoint:\(ap.parts.joined(separator: ":"))",
          spec: .tracepoint(category: ap.parts[0], event: ap.parts[1]),
          context: ProbeContext(kind: .tracepoint, provider: "tracepoint", tracepointFields: FixedResolver.exitRead))
      ]
    case "i":
      return [
        ProbeTarget(
          name: "interval:s:1", spec: .interval(periodNanoseconds: 1),
          context: ProbeContext(kind: .perfEvent, provider: "interval"))
      ]
    default: throw Diagnostic.error("Invalid probe type: \(ap.provider)", at: ap.range)
    }
  }
}

@Suite struct TypeCheckTests {
  func compile(_ text: String, maps: MapTable = MapTable()) throws -> CompileResult {
    let file = SourceFile(name: "stdin", text: text)
    return try Compiler.compile(
      try ProgramParser.parse(file), resources: CompileResources(maps: maps), resolver: FixedResolver())
  }

  /// The rendered diagnostics of a program that must not compile.
  func errors(_ text: String, maps: MapTable = MapTable()) -> String {
    let file = SourceFile(name: "stdin", text: text)
    do {
      _ = try Compiler.compile(
        try ProgramParser.parse(file), resources: CompileResources(maps: maps), resolver: FixedResolver())
      return "compiled"
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "\(error)"
    }
  }

  @Test func mapsAreTypedOnFirstDefinition() throws {
    let maps = MapTable()
    let r = try compile(
      "t:syscalls:sys_exit_read { @[comm] = count(); @bytes = sum(args->ret); @n++; @last = comm; }", maps: maps)
    #expect(r.programs.count == 1)
    #expect(maps["@"]?.signature == "@[string[16]]: count_t")
    #expect(maps["@bytes"]?.signature == "@bytes: sum_t")
    #expect(maps["@n"]?.signature == "@n: int64")
    #expect(maps["@last"]?.signature == "@last: string[16]")
  }

  @Test func mapUsedBeforeTheProbeThatDefinesIt() throws {
    let maps = MapTable()
    _ = try compile("i:s:1 { print(@x); } t:syscalls:sys_exit_read { @x[tid] = count(); }", maps: maps)
    #expect(maps["@x"]?.signature == "@x[uint64]: count_t")
  }

  @Test func unknownIdentifierIsUnderlined() {
    #expect(
      errors("BEGIN { @x = foo; }") == """
        stdin:1:14-17: ERROR: Unknown identifier: 'foo'
        BEGIN { @x = foo; }
                     ~~~

        """)
  }

  @Test func mapValueTypeConflict() {
    #expect(
      errors("BEGIN { @x = 1; @x = \"a\"; }")
        == """
        stdin:1:17-19: ERROR: Type mismatch for @x: trying to assign value of type 'string[2]' when map already contains a value of type 'int64'
        BEGIN { @x = 1; @x = "a"; }
                        ~~

        """)
  }

  @Test func typeConflictWithAMapOfAnEarlierCellRollsBackNothing() {
    let maps = MapTable()
    maps.define(MapDefinition(name: "@x", keyType: nil, valueType: .aggregation(.count)))
    maps.commit()
    #expect(errors("BEGIN { @x = 1; @y = 2; }", maps: maps).contains("Type mismatch for @x"))
    // @y was defined by the failed compile and must be gone; @x stays.
    #expect(maps.names == ["@x"])
  }

  @Test func argsOutsideTracepointsAndMissingFields() {
    #expect(errors("BEGIN { @ = args->ret; }").contains("The args builtin can only be used with tracepoint"))
    #expect(
      errors("t:syscalls:sys_exit_read { @ = args->nope; }").contains(
        "Can't find a field nope in the tracepoint's args"))
  }

  @Test func printfArgumentCount() {
    #expect(
      errors("BEGIN { printf(\"%d %s\\n\", 1); }").contains(
        "printf: Expected 2 arguments for the format string but got 1"))
  }

  @Test func aggregationsOnlyInMapAssignments() {
    #expect(errors("BEGIN { $x = count(); }").contains("count_t can only be assigned to a map"))
  }

  @Test func stringComparedWithIntegerIsAnError() {
    #expect(errors("BEGIN { if (comm == 1) { exit(); } }").contains("Type mismatch for '=='"))
  }

  @Test func unknownFunctionAndProbeType() {
    #expect(errors("BEGIN { frobnicate(1); }").contains("Unknown function: 'frobnicate'"))
    #expect(errors("nope:x { exit(); }").contains("Invalid probe type: nope"))
  }
}

/// A tiny struct library for pure type tests.
final class FixedTypes: TypeLibrary {
  func record(named name: String) -> RecordLayout? {
    switch name {
    case "task", "struct task":
      return RecordLayout(
        name: "struct task", size: 32,
        fields: [
          .init(name: "pid", offset: 0, type: .int32), .init(name: "comm", offset: 4, type: .string(size: 16)),
          .init(name: "parent", offset: 24, type: .pointer(.record(name: "struct task", size: 32), user: false)),
        ])
    default: return nil
    }
  }
}

@Suite struct StructAccessTests {
  func compile(_ text: String) -> String {
    let file = SourceFile(name: "stdin", text: text)
    let resources = CompileResources()
    resources.types = FixedTypes()
    do {
      _ = try Compiler.compile(try ProgramParser.parse(file), resources: resources, resolver: FixedResolver())
      return "ok " + resources.maps.names.compactMap { resources.maps[$0]?.signature }.joined(separator: "; ")
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "\(error)"
    }
  }

  @Test func fieldsThroughPointersAndCasts() {
    #expect(compile("BEGIN { $t = (struct task *)0; @p[$t->parent->comm] = $t->pid; }") == "ok @p[string[16]]: int64")
  }

  /// `.` on a pointer dereferences it: upstream's `->` is only an alias of `.`.
  @Test func unknownFieldAndDotThroughAPointer() {
    #expect(compile("BEGIN { $t = (struct task *)0; @ = $t->nope; }").contains("does not contain a field named 'nope'"))
    // `.` through a pointer dereferences it, as upstream does.
    #expect(
      compile("BEGIN { $t = (struct task *)0; @ = $t.pid; }")
        == compile("BEGIN { $t = (struct task *)0; @ = $t->pid; }"))
    #expect(compile("BEGIN { @ = (struct nosuch *)0; }").contains("Unknown struct/union: 'struct nosuch'"))
  }
}
