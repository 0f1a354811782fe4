import Foundation
import Testing

@testable import Engine

/// The pure stages (ast, types, bpf) of a few representative programs, against golden files in
/// Golden/NAME.STAGE. Any change of output fails; after a deliberate change of the parser, Sema or
/// code generation, regenerate with `BPFREPL_UPDATE_GOLDEN=1 swift test --filter DumpGolden` and
/// review the diff.
@Suite struct DumpGoldenTests {
  static let programs: [(name: String, text: String)] = [
    ("filter-count", #"t:syscalls:sys_exit_read /comm == "dd"/ { @n++; }"#),
    (
      "hist-by-comm",
      #"tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @bytes[comm, pid] = hist(args->ret); @total = sum(args->ret); }"#
    ),
    (
      "control-flow",
      """
      BEGIN {
        $i = 0;
        while ($i < 3) {
          if ($i == 1) {
            printf("one %d\\n", $i);
          } else {
            @x[$i] = $i * 2;
          }
          $i++;
        }
      }

      i:s:1 { print(@x); exit(); }
      """
    ),
  ]

  static func artifacts(_ text: String) throws -> CellArtifacts {
    let file = SourceFile(name: "stdin", text: text)
    let program = try ProgramParser.parse(file)
    let resources = CompileResources()
    let result = try Compiler.compile(program, resources: resources, resolver: FixedResolver())
    let cell = CellArtifacts(file: file, program: program)
    cell.compiled(result, resources: resources)
    return cell
  }

  static func render(_ stage: DumpStage, _ cell: CellArtifacts) -> String {
    switch stage {
    case .ast: TreeDumps.ast(cell, probeIndex: nil)
    case .types: TreeDumps.types(cell, probeIndex: nil)
    default: BPFListing.text(cell.programs, in: cell)
    }
  }

  static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Golden")

  @Test(arguments: [DumpStage.ast, .types, .bpf])
  func matchesGolden(_ stage: DumpStage) throws {
    for p in Self.programs {
      let actual = Self.render(stage, try Self.artifacts(p.text))
      let url = Self.goldenDirectory.appendingPathComponent("\(p.name).\(stage.rawValue)")
      if ProcessInfo.processInfo.environment["BPFREPL_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        continue
      }
      let expected = try String(contentsOf: url, encoding: .utf8)
      #expect(
        actual == expected,
        "\(p.name).\(stage.rawValue) changed; regenerate with BPFREPL_UPDATE_GOLDEN=1 if intended:\n\(actual)")
    }
  }

  @Test func oneProbeBlockOnly() throws {
    let cell = try Self.artifacts(Self.programs[2].text)
    let ast = TreeDumps.ast(cell, probeIndex: 1)
    #expect(ast == "Program\n i:s:1\n  call: print\n   map: @x\n  call: exit\n")
    #expect(cell.programs(probeIndex: 1).map(\.title) == ["1: interval:s:1"])
    let types = TreeDumps.types(cell, probeIndex: 1)
    #expect(types.hasSuffix("Maps\n @x[int64]: int64\n"))
  }

  @Test func htmlPutsSourceBesideItsInstructions() throws {
    let cell = try Self.artifacts(#"t:syscalls:sys_exit_read /comm == "dd"/ { @n++; }"#)
    let html = BPFListing.html(cell.programs, in: cell)
    #expect(html.contains("<table"))
    #expect(html.contains("/comm == &quot;dd&quot;/  (stdin:1)</td>"))
    #expect(html.contains("<i>prologue</i>"))
    let rows = html.components(separatedBy: "<tr").count - 1
    #expect(rows == 3)  // prologue, filter, @n++
  }

  @Test func stageNames() {
    #expect(DumpStage.parseList("all") == DumpStage.allCases)
    #expect(DumpStage.parseList("bpf,ast,bpf") == [.bpf, .ast])
    #expect(DumpStage.parseList("codegen") == nil)
    #expect(DumpStage.parseList("") == nil)
  }
}
