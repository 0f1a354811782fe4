import Testing

@testable import Engine

extension SyntaxTests {
  @Suite struct ParserExpressionTests {
    @Test(arguments: [
      // Each row: an expression and the tree it must produce.
      ("1 + 2 * 3", "+\n int: 1\n *\n  int: 2\n  int: 3"),
      ("1 * 2 + 3", "+\n *\n  int: 1\n  int: 2\n int: 3"),
      ("1 - 2 - 3", "-\n -\n  int: 1\n  int: 2\n int: 3"),
      ("8 / 4 % 3", "%\n /\n  int: 8\n  int: 4\n int: 3"),
      ("1 << 2 + 3", "<<\n int: 1\n +\n  int: 2\n  int: 3"),
      ("1 < 2 == 3 > 4", "==\n <\n  int: 1\n  int: 2\n >\n  int: 3\n  int: 4"),
      ("1 & 2 == 2", "&\n int: 1\n ==\n  int: 2\n  int: 2"),
      ("1 | 2 ^ 3 & 4", "|\n int: 1\n ^\n  int: 2\n  &\n   int: 3\n   int: 4"),
      ("$a || $b && $c", "||\n variable: $a\n &&\n  variable: $b\n  variable: $c"),
      ("$a && $b | $c", "&&\n variable: $a\n |\n  variable: $b\n  variable: $c"),
      ("(1 + 2) * 3", "*\n +\n  int: 1\n  int: 2\n int: 3"),
      ("-1 - -2", "-\n unop: -\n  int: 1\n unop: -\n  int: 2"),
      ("!$a == ~$b", "==\n unop: !\n  variable: $a\n unop: ~\n  variable: $b"),
      ("+$a", "unop: +\n variable: $a"),
      ("*$p + 1", "+\n unop: *\n  variable: $p\n int: 1"),
      ("**$p", "unop: *\n unop: *\n  variable: $p"),
      ("-$s.f", "unop: -\n .f\n  variable: $s"),
      ("$a ? 1 : 2", "?:\n variable: $a\n int: 1\n int: 2"),
      ("$a ? $b ? 1 : 2 : 3", "?:\n variable: $a\n ?:\n  variable: $b\n  int: 1\n  int: 2\n int: 3"),
      ("$a ? 1 : $b ? 2 : 3", "?:\n variable: $a\n int: 1\n ?:\n  variable: $b\n  int: 2\n  int: 3"),
      ("$a || $b ? 1 : 2", "?:\n ||\n  variable: $a\n  variable: $b\n int: 1\n int: 2"),
      ("$a ?: 5", "?:\n variable: $a\n variable: $a\n int: 5"),
    ])
    func precedence(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test(arguments: [
      ("$x++", "unop: ++ (post)\n variable: $x"),
      ("$x--", "unop: -- (post)\n variable: $x"),
      ("++$x", "unop: ++ (pre)\n variable: $x"),
      ("--@m[1]", "unop: -- (pre)\n map: @m\n  int: 1"),
      ("@m[1]++", "unop: ++ (post)\n map: @m\n  int: 1"),
      ("$x++ + 1", "+\n unop: ++ (post)\n  variable: $x\n int: 1"),
      ("-$x++", "unop: -\n unop: ++ (post)\n  variable: $x"),
      ("&$x", "unop: &\n variable: $x"),
      ("&@m", "unop: &\n map: @m"),
    ])
    func prefixAndPostfix(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test(arguments: [
      ("@", "map: @"),
      ("@[1]", "map: @\n int: 1"),
      ("@m[pid, comm]", "map: @m\n builtin: pid\n builtin: comm"),
      ("@m[(1, 2)]", "map: @m\n tuple\n  int: 1\n  int: 2"),
      ("@m[1][2]", "[]\n map: @m\n  int: 1\n int: 2"),
      ("$a[3]", "[]\n variable: $a\n int: 3"),
      ("$s.f.g", ".g\n .f\n  variable: $s"),
      ("$t.0", ".0\n variable: $t"),
      ("$kv.0.1", ".1\n .0\n  variable: $kv"),
      ("$p->f->g", "->g\n ->f\n  variable: $p"),
      ("args.filename", ".filename\n builtin: args"),
      ("$p->arr[2].x", ".x\n []\n  ->arr\n   variable: $p\n  int: 2"),
      ("f()", "call: f"),
      ("printf(\"%d %s\\n\", pid, comm)", "call: printf\n string: %d %s\\n\n builtin: pid\n builtin: comm"),
      ("hist(arg2, 2)", "call: hist\n builtin: arg2\n int: 2"),
      ("str (arg0)", "call: str\n builtin: arg0"),
      ("kstack", "builtin: kstack"),
      ("__builtin_probe", "builtin: __builtin_probe"),
      ("sarg3", "builtin: sarg3"),
      ("TASK_RUNNING", "identifier: TASK_RUNNING"),
      ("true", "bool: true"),
      ("false", "bool: false"),
      ("$1 + $#", "+\n param: $1\n param: $#"),
      ("\"a\\tb\"", "string: a\\tb"),
      ("'x'", "int: 120"),
      ("10us", "int: 10000"),
      ("3ull", "int: 3ull"),
    ])
    func primariesAndPostfix(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test(arguments: [
      ("()", "tuple"),
      ("(1,)", "tuple\n int: 1"),
      ("(1, \"a\", (2, 3))", "tuple\n int: 1\n string: a\n tuple\n  int: 2\n  int: 3"),
      ("(1, 2,)", "tuple\n int: 1\n int: 2"),
      ("(1)", "int: 1"),
      ("((1))", "int: 1"),
      ("(a = 1, b = \"x\")", "record\n a =\n  int: 1\n b =\n  string: x"),
      ("(pid == 1)", "==\n builtin: pid\n int: 1"),
      ("{ let $b = 1; $b }", "block\n let $b\n  int: 1\n value\n  variable: $b"),
      ("{ 5 }", "block\n value\n  int: 5"),
    ])
    func tuplesRecordsAndBlocks(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test(arguments: [
      ("(uint32)$x", "(uint32)\n variable: $x"),
      ("(uint8)-1", "(uint8)\n unop: -\n  int: 1"),
      ("(int64)@m", "(int64)\n map: @m"),
      ("(struct task_struct *)curtask", "(struct task_struct *)\n builtin: curtask"),
      ("(struct task_struct*) curtask", "(struct task_struct *)\n builtin: curtask"),
      ("(union u **)arg0", "(union u **)\n builtin: arg0"),
      ("(enum e)1", "(enum e)\n int: 1"),
      ("(int8[4])12345", "(int8[4])\n int: 12345"),
      ("(int8[])12345", "(int8[])\n int: 12345"),
      ("(uint32*[4])$p", "(uint32 *[4])\n variable: $p"),
      ("(string[64])arg0", "(string[64])\n builtin: arg0"),
      ("(unsigned long long)$x", "(unsigned long long)\n variable: $x"),
      ("(const char *)$x", "(char *)\n variable: $x"),
      ("(u64)$x", "(u64)\n variable: $x"),
      ("(uint64)(1, 2)", "(uint64)\n tuple\n  int: 1\n  int: 2"),
      ("(uint32)$x + 1", "+\n (uint32)\n  variable: $x\n int: 1"),
      ("(uint32)$s.f", "(uint32)\n .f\n  variable: $s"),
      ("((struct path *)arg0).dentry", ".dentry\n (struct path *)\n  builtin: arg0"),
      ("(uint16)(uint8)$x", "(uint16)\n (uint8)\n  variable: $x"),
      // Upstream's rules for a parenthesized bare name: a cast only before an expression start,
      // and never for builtins.
      ("(myident)*$a", "(myident)\n unop: *\n  variable: $a"),
      ("(myident)", "identifier: myident"),
      ("(myident) + 1", "+\n identifier: myident\n int: 1"),
      ("(pid)*tid", "*\n builtin: pid\n builtin: tid"),
      ("(arg0) - 1", "-\n builtin: arg0\n int: 1"),
    ])
    func casts(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test(arguments: [
      ("sizeof(uint32)", "call: sizeof\n type: uint32"),
      ("sizeof(struct task_struct)", "call: sizeof\n type: struct task_struct"),
      ("sizeof(uint32*[10])", "call: sizeof\n type: uint32 *[10]"),
      ("sizeof(uint64_t)", "call: sizeof\n type: uint64_t"),
      ("sizeof(ident[1])", "call: sizeof\n type: ident[1]"),
      ("sizeof($x)", "call: sizeof\n variable: $x"),
      ("sizeof(comm)", "call: sizeof\n builtin: comm"),
      ("sizeof((ident)[1])", "call: sizeof\n []\n  identifier: ident\n  int: 1"),
      (
        "sizeof({ $a = (int8)1; $a })",
        "call: sizeof\n block\n  =\n   variable: $a\n   (int8)\n    int: 1\n  value\n   variable: $a"
      ),
      ("offsetof(struct foo, bar)", "call: offsetof\n type: struct foo\n identifier: bar"),
      ("offsetof(struct foo, bar.baz)", "call: offsetof\n type: struct foo\n .baz\n  identifier: bar"),
      ("offsetof($s, x)", "call: offsetof\n variable: $s\n identifier: x"),
    ])
    func sizeofAndOffsetof(source: String, expected: String) {
      #expect(SyntaxTests.expr(source) == expected)
    }

    @Test func rangesCoverTheWholeExpression() throws {
      let text = "BEGIN { @ = (uint8)$a.b[1] + f(2, 3) * -$c++; }"
      let program = try SyntaxTests.parse(text)
      guard case .assign(_, _, let value) = program.probes[0].body.statements[0].kind else {
        Issue.record("not an assignment")
        return
      }
      let file = SourceFile(name: "t", text: text)
      #expect(file.text(of: value.range) == "(uint8)$a.b[1] + f(2, 3) * -$c++")
      guard case .binary(_, let cast, let product) = value.kind, case .binary(_, let call, let negated) = product.kind
      else {
        Issue.record("unexpected shape")
        return
      }
      #expect(file.text(of: cast.range) == "(uint8)$a.b[1]")
      #expect(file.text(of: call.range) == "f(2, 3)")
      #expect(file.text(of: negated.range) == "-$c++")
    }
  }
}
