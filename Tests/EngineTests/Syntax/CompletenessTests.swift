import Testing

@testable import Engine

extension SyntaxTests {
  @Suite struct CompletenessTests {
    @Test(arguments: [
      "", "   ", "// only a comment", "BEGIN { }", "print(@x)", "print(@x);\n", "kprobe:f { @[comm] = count(); }",
      "@x = 1\n@y = 2", "struct foo { int x; }", "config = { a = 1 }",
    ])
    func complete(text: String) {
      #expect(ProgramParser.completeness(of: text) == .complete)
    }

    @Test(arguments: [
      "BEGIN {",
      "BEGIN {\n",
      "kprobe:f { if (pid > 1) {",
      "kprobe:f",
      "kprobe:f,",
      "BEGIN",
      "kprobe:f /pid",
      "kprobe:f /pid == 1/",
      "print(@x,",
      "print(@x",
      "@x = 1 +",
      "@x = 1 +\n",
      "@x = ",
      "@x[1,",
      "$x = (1, 2",
      "BEGIN { printf(\"abc",
      "BEGIN { printf(\"abc\n",
      "/* a comment",
      "BEGIN { } /*",
      "struct foo { int x;",
      "config = { a = ",
      "macro m($a",
      "fn f($a: int64): int64 {",
      "if (1) { print(1) } else",
      "uprobe:\"/path",
      "$x = 'a",
    ])
    func incomplete(text: String) {
      #expect(ProgramParser.completeness(of: text) == .incomplete)
    }

    @Test(arguments: [
      "BEGIN { @x = ; }",
      "BEGIN { } }",
      "kprobe:f { \"abc\n }",
      "BEGIN { 1.5 }",
      "print(@x) print(@y)",
      "BEGIN { $ }",
      "kprobe:f /pid == 1 { }",
      "@x = 1 +\n}",
      "BEGIN { x = 1 }",
    ])
    func invalid(text: String) {
      #expect(ProgramParser.completeness(of: text) == .invalid)
    }
  }
}
