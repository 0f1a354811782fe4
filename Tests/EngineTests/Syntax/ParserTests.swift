import Testing

@testable import Engine

/// Prints an expression back in fully parenthesized form, to check precedence and structure.
func show(_ e: Expr) -> String {
  switch e.kind {
  case .integer(let v, _): return String(v)
  case .string(let s): return "\"\(s)\""
  case .boolean(let b): return String(b)
  case .identifier(let n), .variable(let n): return n
  case .positional(let n): return "$\(n)"
  case .positionalCount: return "$#"
  case .map(let n, let keys): return keys.isEmpty ? n : "\(n)[\(keys.map(show).joined(separator: ", "))]"
  case .call(let n, let args): return "\(n)(\(args.map(show).joined(separator: ", ")))"
  case .typeName(let t): return t.description
  case .binary(let op, let a, let b): return "(\(show(a)) \(op.rawValue) \(show(b)))"
  case .unary(let op, let a): return "(\(op.rawValue)\(show(a)))"
  case .increment(let a, let dec, let pre): return pre ? "(\(dec ? "--" : "++")\(show(a)))" : "(\(show(a))\(dec ? "--" : "++"))"
  case .ternary(let c, let a, let b): return "(\(show(c)) ? \(show(a)) : \(show(b)))"
  case .cast(let t, let a): return "((\(t))\(show(a)))"
  case .field(let a, let f): return "\(show(a)).\(f)"
  case .arrow(let a, let f): return "\(show(a))->\(f)"
  case .index(let a, let i): return "\(show(a))[\(show(i))]"
  case .tuple(let items): return "(\(items.map(show).joined(separator: ", ")))"
  case .block(_, let v): return "{\(show(v))}"
  }
}

@Suite struct ParserTests {
  func parse(_ text: String) throws -> Program {
    try ProgramParser.parse(SourceFile(name: "stdin", text: text))
  }

  func expression(_ text: String) throws -> String {
    let p = try parse("BEGIN { \(text); }")
    guard case .expression(let e) = p.probes[0].body.statements[0].kind else { return "not an expression" }
    return show(e)
  }

  @Test func cPrecedence() throws {
    #expect(try expression("1 + 2 * 3 - 4") == "((1 + (2 * 3)) - 4)")
    #expect(try expression("a || b && c | d ^ e & f == g < h << i + j * k") == "(a || (b && (c | (d ^ (e & (f == (g < (h << (i + (j * k))))))))))")
    #expect(try expression("-x * !y") == "((-x) * (!y))")
    #expect(try expression("c ? 1 : d ? 2 : 3") == "(c ? 1 : (d ? 2 : 3))")
    #expect(try expression("(uint32)x + 1") == "(((uint32)x) + 1)")
    #expect(try expression("(struct task_struct *)curtask") == "((struct task_struct *)curtask)")
    #expect(try expression("args->ret > 0 ? 0 : - args->ret") == "((args->ret > 0) ? 0 : (-args->ret))")
    #expect(try expression("@x[1, \"a\"]++") == "(@x[1, \"a\"]++)")
    #expect(try expression("(1, \"two\").1") == "(1, \"two\").1")
  }

  @Test func probesWithSeveralAttachPointsWildcardsAndFilter() throws {
    let p = try parse(
      """
      tracepoint:syscalls:sys_enter_open*, t:syscalls:sys_exit_read /comm == "dd" && args->ret == 4096/ { @n++ }
      uprobe:/bin/bash:readline { printf("%s\\n", comm); }
      """)
    #expect(p.probes.count == 2)
    #expect(p.probes[0].attachPoints.map(\.raw) == ["tracepoint:syscalls:sys_enter_open*", "t:syscalls:sys_exit_read"])
    #expect(p.probes[0].attachPoints[0].provider == "tracepoint")
    #expect(p.probes[0].attachPoints[0].parts == ["syscalls", "sys_enter_open*"])
    #expect(p.probes[0].predicate.map(show) == "((comm == \"dd\") && (args->ret == 4096))")
    #expect(p.probes[1].attachPoints[0].parts == ["/bin/bash", "readline"])
  }

  @Test func divisionInsideAPredicateIsNotItsEnd() throws {
    let p = try parse("i:s:1 /nsecs / 2 > 1/ { exit(); }")
    #expect(p.probes[0].predicate.map(show) == "((nsecs / 2) > 1)")
  }

  @Test func statementsAndControlFlow() throws {
    let p = try parse(
      """
      BEGIN {
        $x = 1; $x += 2; let $y: uint32 = 3;
        if ($x > 1) { @a = 1 } else if ($x) { @b = 2 } else { @c = 3 }
        while ($x < 10) { $x++; if ($x == 5) { break; } continue; }
        unroll(3) { @u = count(); }
        for ($i : 0..10) { @s = sum($i); }
        for ($kv : @a) { print($kv); }
        return;
      }
      """)
    let kinds = p.probes[0].body.statements.map { s -> String in
      switch s.kind {
      case .assign(_, let op, _): return "assign\(op?.rawValue ?? "")"
      case .declare(let n, let t, _): return "let \(n): \(t?.description ?? "?")"
      case .ifElse(_, _, let e): return "if/else:\(e != nil)"
      case .whileLoop: return "while"
      case .unroll: return "unroll"
      case .forRange: return "for-range"
      case .forMap: return "for-map"
      case .returnValue: return "return"
      default: return "other"
      }
    }
    #expect(kinds == ["assign", "assign+=", "let $y: uint32", "if/else:true", "while", "unroll", "for-range", "for-map", "return"])
  }

  @Test func bareTopLevelStatementsAreCellStatements() throws {
    let p = try parse("print(@x); clear(@y)\n@z = 0; printf(\"a:b\\n\")")
    #expect(p.probes.isEmpty)
    #expect(p.topLevelStatements.count == 4)
  }

  @Test func preambleItems() throws {
    let p = try parse(
      """
      #include <linux/sched.h>
      struct foo { int a; char b[4]; };
      config = { max_map_keys = 100 }
      BEGIN { exit(); }
      """)
    #expect(p.includes == ["#include <linux/sched.h>"])
    #expect(p.cDefinitions.map(\.name) == ["struct foo"])
    #expect(p.config.map(\.key) == ["max_map_keys"])
    #expect(p.probes.count == 1)
  }

  @Test func syntaxErrorIsRenderedLikeBpftrace() {
    let file = SourceFile(name: "stdin", text: "BEGIN { @x = ; }")
    do {
      _ = try ProgramParser.parse(file)
      Issue.record("expected a syntax error")
    } catch let list as DiagnosticList {
      #expect(
        DiagnosticRenderer().render(list.diagnostics, in: file) == """
          stdin:1:14-15: ERROR: syntax error, unexpected ;
          BEGIN { @x = ; }
                       ~

          """)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func completeness() {
    #expect(ProgramParser.completeness(of: "BEGIN { printf(\"hi\");") == .incomplete)
    #expect(ProgramParser.completeness(of: "BEGIN { printf(\"hi\"); }") == .complete)
    #expect(ProgramParser.completeness(of: "@x = 1 +") == .incomplete)
    #expect(ProgramParser.completeness(of: "BEGIN { }}") == .invalid)
  }

  /// Seeded random token soups and truncations of valid programs: the parser must always return
  /// (a program or diagnostics) and never crash or hang.
  @Test func randomInputNeverCrashes() {
    var rng = SplitMix(seed: 0xB9F)
    let pieces = [
      "BEGIN", "END", "{", "}", "(", ")", "[", "]", "/", "@x", "$y", "=", "+", "-", "*", ";", ",", ":", "?", "\"s\"", "1",
      "0x", "t:syscalls:sys_enter_*", "printf", "count()", "if", "else", "while", "->", "args", "'", "\"", "/*", "//", "\n",
    ]
    let valid = "t:syscalls:sys_exit_read /comm == \"dd\" && args->ret == 4096/ { @bytes = sum(args->ret); @n++; if (1) { $x = (1, \"a\"); } }"
    for i in 0..<20000 {
      var text = ""
      if i % 2 == 0 {
        for _ in 0..<(rng.next() % 24) { text += pieces[Int(rng.next() % UInt64(pieces.count))] + (rng.next() % 2 == 0 ? " " : "") }
      } else {
        var bytes = Array(valid.utf8)
        for _ in 0..<(1 + rng.next() % 3) {
          let at = Int(rng.next() % UInt64(bytes.count))
          if rng.next() % 2 == 0 { bytes.remove(at: at) } else { bytes.insert(bytes[Int(rng.next() % UInt64(bytes.count))], at: at) }
        }
        text = String(decoding: bytes, as: UTF8.self)
      }
      _ = try? ProgramParser.parse(SourceFile(name: "fuzz", text: text))
      _ = ProgramParser.completeness(of: text)
    }
  }
}

struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
