import Testing

@testable import Engine

extension SyntaxTests {
  @Suite struct ParserStatementTests {
    @Test func assignments() {
      #expect(
        SyntaxTests.body("kprobe:f { @x = 1; @y[pid, tid] = 2; $z = 3; @ = 4 }") == """
          =
           map: @x
           int: 1
          =
           map: @y
            builtin: pid
            builtin: tid
           int: 2
          =
           variable: $z
           int: 3
          =
           map: @
           int: 4
          """)
    }

    @Test(arguments: ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="])
    func compoundAssignments(op: String) throws {
      let program = try SyntaxTests.parse("BEGIN { $x \(op) 2 }")
      guard case .assign(let target, let assignOp, let value) = program.probes[0].body.statements[0].kind else {
        Issue.record("not an assignment")
        return
      }
      #expect(assignOp?.rawValue == op)
      #expect(ASTPrinter.print(target) == "variable: $x\n")
      #expect(ASTPrinter.print(value) == "int: 2\n")
    }

    @Test func declarations() {
      #expect(
        SyntaxTests.body("BEGIN { let $a; let $b = 1; let $c: uint16 = 2; let $d: struct foo *; }") == """
          let $a
          let $b
           int: 1
          let $c: uint16
           int: 2
          let $d: struct foo *
          """)
    }

    @Test func ifElseChains() {
      #expect(
        SyntaxTests.body("BEGIN { if ($a) { 1 } else if $b > 2 { 2 } else { 3 } if (1) { } }") == """
          if
           variable: $a
           then
            int: 1
           else
            if
             >
              variable: $b
              int: 2
             then
              int: 2
             else
              int: 3
          if
           int: 1
           then
          """)
    }

    @Test func loops() {
      #expect(
        SyntaxTests.body(
          "BEGIN { while ($i < 3) { $i++; } unroll(2) { @x++ } for ($kv : @m) { print($kv.1); } for $i : 0..$n { break; continue } }"
        ) == """
          while
           <
            variable: $i
            int: 3
           do
            unop: ++ (post)
             variable: $i
          unroll
           int: 2
           do
            unop: ++ (post)
             map: @x
          for $kv
           map: @m
           do
            call: print
             .1
              variable: $kv
          for $i
           range
            int: 0
            variable: $n
           do
            break
            continue
          """)
    }

    @Test func forRangeBoundsAreUnaryExpressions() {
      #expect(
        SyntaxTests.body("BEGIN { for ($i : -1..ncpus) { } }") == """
          for $i
           range
            unop: -
             int: 1
            builtin: ncpus
           do
          """)
    }

    @Test func jumpsAndNestedBlocks() {
      #expect(
        SyntaxTests.body("BEGIN { { $x = 1; } return; }") == """
          block
           =
            variable: $x
            int: 1
          return
          """)
      #expect(SyntaxTests.body("BEGIN { return 1 }") == "return\n int: 1")
    }

    @Test func discardIsAnExpressionStatement() {
      #expect(SyntaxTests.body("BEGIN { _ = has_key(@a, 1); }") == "call: has_key\n map: @a\n int: 1")
    }

    @Test func semicolonRules() {
      // Optional before `}`, after block statements, and doubled.
      #expect(SyntaxTests.error("BEGIN { @x = 1 }") == "")
      #expect(SyntaxTests.error("BEGIN { if (1) { @x = 1 } @y = 2; while (1) { } unroll(1) { } { } @z = 3 }") == "")
      #expect(SyntaxTests.error("BEGIN { ;; @x = 1;; }") == "")
      // Required between other statements, even across lines (as upstream).
      #expect(
        SyntaxTests.error("BEGIN { @x = 1\n@y = 2 }").hasPrefix(
          "stdin:2:1-3: ERROR: syntax error, unexpected '@y', expecting ';'"))
    }

    @Test func blockValueIsRecorded() throws {
      let program = try SyntaxTests.parse("macro one() { 1 }\nmacro two() { 2; }\nBEGIN { if (1) { 3 } }")
      #expect(program.macros[0].body.endsWithValue)
      #expect(!program.macros[1].body.endsWithValue)
      #expect(program.probes[0].body.endsWithValue == false)
    }

    @Test func statementRangesExcludeTheSemicolon() throws {
      let text = "BEGIN { @x[1] += 2 ; if (1) { } }"
      let program = try SyntaxTests.parse(text)
      let file = SourceFile(name: "t", text: text)
      #expect(program.probes[0].body.statements.map { file.text(of: $0.range) } == ["@x[1] += 2", "if (1) { }"])
      #expect(file.text(of: program.probes[0].body.range) == "{ @x[1] += 2 ; if (1) { } }")
      #expect(file.text(of: program.probes[0].range) == text)
    }
  }
}
