import Foundation
import Testing

@testable import Engine

/// Layouts of C definitions written in programs, checked against what `cc` computes for the
/// same definitions (sizeof, _Alignof, offsetof, and for bitfields the first bit they set).
@Suite struct CDefinitionLayoutTests {
  /// A definition and the members (paths through nested records) whose offsets are compared.
  struct Case {
    var text: String
    var record: String
    var fields: [String]
    var bitfields: [String] = []
  }

  static let cases: [Case] = [
    Case(
      text: "struct a { char c; int i; short s; long l; char tail; };", record: "struct a",
      fields: ["c", "i", "s", "l", "tail"]),
    Case(
      text: "struct b { char name[10]; struct b *next; unsigned long long x; _Bool ok; };", record: "struct b",
      fields: ["name", "next", "x", "ok"]),
    Case(text: "union u { char c[3]; int i; long l; };", record: "union u", fields: ["c", "i", "l"]),
    Case(
      text: """
        struct nested {
          int a;
          struct inner { char x; long y; } in;
          union { int ui; char uc; };
          struct { short p; char q[3]; };
          short z;
        };
        """, record: "struct nested", fields: ["a", "in", "in.x", "in.y", "ui", "uc", "p", "q", "z"]),
    Case(
      text: "struct __attribute__((packed)) pk { char c; int i; long l; short s; };", record: "struct pk",
      fields: ["c", "i", "l", "s"]),
    Case(text: "struct pk2 { char c; int i; } __attribute__((packed));", record: "struct pk2", fields: ["c", "i"]),
    Case(
      text: """
        struct bits {
          unsigned a : 3;
          unsigned b : 30;
          char c;
          int d : 5;
          unsigned long e : 40;
          unsigned short f : 9;
          unsigned : 0;
          unsigned char g : 2;
        };
        """, record: "struct bits", fields: ["c"], bitfields: ["a", "b", "d", "e", "f", "g"]),
    Case(
      text: "struct arr { int y[2][3]; char *p[4]; void (*fn)(int, char *); short s; };", record: "struct arr",
      fields: ["y", "p", "fn", "s"]),
    Case(text: "struct al { char c; } __attribute__((aligned(16)));", record: "struct al", fields: ["c"]),
    Case(
      text: "struct memberal { char c; int i __attribute__((aligned(8))); char d; };", record: "struct memberal",
      fields: ["c", "i", "d"]),
    Case(
      text: "enum e { A, B = 5, C, D = C * 2 }; struct withenum { char c; enum e e; int n[D]; char t; };",
      record: "struct withenum", fields: ["c", "e", "n", "t"]),
    Case(text: "struct flex { long n; char c; int y[]; };", record: "struct flex", fields: ["n", "c", "y"]),
    Case(
      text: "struct typed { uint8_t a; uint64_t b; int16_t c; pid_t d; size_t e; u32 f; };", record: "struct typed",
      fields: ["a", "b", "c", "d", "e", "f"]),
  ]

  /// Our layout of every case, as lines "record.member value".
  static func ours() throws -> [String] {
    var lines: [String] = []
    for c in cases {
      let library = ProgramTypeLibrary(fallback: nil)
      var parser = try CDeclarationParser(c.text, base: 0, library: library)
      try parser.parseDefinitions()
      let record = try #require(library.record(named: c.record))
      let type = try #require(library.recordType(c.record))
      lines.append("\(c.record) sizeof \(record.size)")
      lines.append("\(c.record) alignof \(type.alignment)")
      for path in c.fields {
        var owner = c.record
        var offset = 0
        for name in path.split(separator: ".").map(String.init) {
          let f = try #require(library.field(name, of: owner), "\(c.record) has no \(path)")
          offset += f.offset
          if case .record(let inner, _) = f.type { owner = inner }
        }
        lines.append("\(c.record).\(path) \(offset)")
      }
      for name in c.bitfields {
        let f = try #require(library.field(name, of: c.record))
        lines.append("\(c.record).\(name) bit \(f.bitOffset) width \(f.bitfieldSize)")
      }
    }
    return lines
  }

  /// The same lines from a C program compiled by `cc`.
  static func compilers() throws -> [String]? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else { return nil }
    var code = """
      #include <stdio.h>
      #include <stddef.h>
      #include <stdint.h>
      #include <string.h>
      #include <sys/types.h>
      typedef uint32_t u32;
      #define BIT(T, f) ({ T v; memset(&v, 0, sizeof v); v.f = -1; unsigned char *p = (unsigned char *)&v; \\
        int b = -1, w = 0; for (int i = 0; i < (int)sizeof v * 8; i++) if (p[i / 8] >> (i % 8) & 1) { if (b < 0) b = i; w++; } \\
        printf("%s.%s bit %d width %d\\n", #T, #f, b, w); })

      """
    var body = ""
    for c in cases {
      code += c.text + "\n"
      body += "printf(\"%s sizeof %zu\\n\", \"\(c.record)\", sizeof(\(c.record)));\n"
      body += "printf(\"%s alignof %zu\\n\", \"\(c.record)\", _Alignof(\(c.record)));\n"
      for f in c.fields {
        body += "printf(\"%s.%s %zu\\n\", \"\(c.record)\", \"\(f)\", offsetof(\(c.record), \(f)));\n"
      }
      for f in c.bitfields { body += "BIT(\(c.record), \(f));\n" }
    }
    code += "int main(void) {\n" + body + "return 0;\n}\n"
    let dir = NSTemporaryDirectory() + "bpfrepl-clayout-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try code.write(toFile: dir + "/layout.c", atomically: true, encoding: .utf8)
    let built = try run("/usr/bin/cc", ["-w", "-o", dir + "/layout", dir + "/layout.c"])
    try #require(built.status == 0, "cc failed on the layout program")
    return try run(dir + "/layout", []).out.split(separator: "\n").map(String.init)
  }

  @Test func layoutsMatchTheCCompiler() throws {
    guard let expected = try Self.compilers() else { return }
    #expect(try Self.ours() == expected)
  }

  @Test func badCIsADiagnosticAtItsPlace() throws {
    let text = "struct s { int a; mystery_t b; };\nBEGIN { exit(); }"
    let file = SourceFile(name: "stdin", text: text)
    #expect {
      try Compiler.compile(try ProgramParser.parse(file), resources: CompileResources(), resolver: FixedResolver())
    } throws: { error in
      guard let d = (error as? DiagnosticList)?.diagnostics.first, let range = d.range else { return false }
      return d.message == "unknown type name 'mystery_t'" && file.text(of: range) == "mystery_t"
    }
  }

  @Test func incompleteMemberIsADiagnostic() throws {
    let text = "struct s { struct nowhere n; };\nBEGIN { exit(); }"
    let file = SourceFile(name: "stdin", text: text)
    #expect {
      try Compiler.compile(try ProgramParser.parse(file), resources: CompileResources(), resolver: FixedResolver())
    } throws: { error in
      guard let d = (error as? DiagnosticList)?.diagnostics.first, let range = d.range else { return false }
      return d.message == "field 'n' has incomplete type 'struct nowhere'" && file.text(of: range) == "n"
    }
  }

  /// A later compile with the same resources (a session's next cell) sees the definition; a
  /// failed compile adds none.
  @Test func definitionsOutliveTheirCellButNotAFailedOne() throws {
    let resources = CompileResources()
    func compile(_ text: String) throws {
      _ = try Compiler.compile(
        try ProgramParser.parse(SourceFile(name: "cell", text: text)), resources: resources, resolver: FixedResolver())
    }
    try compile("struct cell1 { long a; int b; };")
    try compile("BEGIN { printf(\"%d\\n\", offsetof(struct cell1, b)); }")
    #expect(throws: DiagnosticList.self) { try compile("struct cell2 { int x; };\nBEGIN { $x = nothere; }") }
    #expect(resources.types?.record(named: "struct cell2") == nil)
    #expect(resources.types?.record(named: "struct cell1")?.size == 16)
  }
}
