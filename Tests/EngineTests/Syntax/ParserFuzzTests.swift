import Testing

@testable import Engine

extension SyntaxTests {
  /// Seeded random inputs: token soups, mutated valid programs and raw byte noise. The parser must
  /// return (no crash, no hang) with either a program or one error whose range lies in the text,
  /// and `completeness` must agree with `parse`.
  @Suite struct ParserFuzzTests {
    /// SplitMix64: small, fast, and the same sequence on every platform.
    struct Random {
      var state: UInt64
      mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
      }
      mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
      mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    static let vocabulary: [String] = [
      "BEGIN", "END", "kprobe:f", "t:syscalls:sys_enter_*", "uprobe:/bin/bash:readline", "interval:s:1", "{", "}",
      "(", ")", "[", "]", ",", ";", ":", "?", ".", "..", "->", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~",
      "<", ">", "<=", ">=", "==", "!=", "&&", "||", "<<", ">>", "=", "+=", "-=", "<<=", "++", "--", "@", "@x",
      "@m[1]", "$x", "$1", "$#", "pid", "comm", "arg0", "args", "if", "else", "while", "for", "unroll", "let",
      "return", "break", "continue", "sizeof", "offsetof", "struct", "union", "config", "macro", "fn", "import",
      "true", "false", "print", "printf", "count()", "0", "1", "0x1f", "1e6", "5ms", "'a'", "\"s\"", "\"%d\\n\"",
      "uint32", "struct task_struct *", "#include <x.h>", "\n", " ", "//c\n", "/*c*/", "_", "\"", "'", "/*", "$",
      "1.5", "`", "é",
    ]

    static let corpus: [String] = [
      "tracepoint:syscalls:sys_enter_openat /comm == \"cat\"/ { printf(\"%s\\n\", str(args.filename)); }",
      "kprobe:do_nanosleep { @start[tid] = nsecs; }\nkretprobe:do_nanosleep /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start, tid); }",
      "BEGIN { $x = (struct task_struct *)curtask; if ($x->pid > 1) { @a++ } else if (1) { --@b[1, 2] } else { $c += 2 } }",
      "i:s:1 { for ($kv : @m) { print($kv.0.1); } for ($i : 0..10) { break; } unroll(3) { continue } }",
      "#include <linux/sched.h>\nstruct foo { int x; char y[16]; };\nconfig = { a = 1; b = \"x\" }\nmacro m($a, @b, c) { $a + c }\nlet @m = hash(100);\nfn f($a: int64): int64 { return $a * 2; }\nBEGIN { @x = sizeof(struct foo) + offsetof(struct foo, y); $r = (a=1, b=\"x\"); $t = (1,); let $z: uint8 = 'a'; }",
      "print(@x)\nclear(@x); @y = 0\nprintf(\"hi\\n\")",
      "uprobe:\"/path with:colon\":sym, kprobe:vfs_read+10 { @[ustack, comm] = count(); @s = (uint64)$1 ?: 5; }",
      "profile:hz:99 /pid == $1/ { @[kstack(perf, 3)] = count() } END { clear(@x); print(@, 10) }",
    ]

    func check(_ text: String, _ stats: inout (parsed: Int, failed: Int)) {
      let file = SourceFile(name: "fuzz", text: text)
      let verdict = ProgramParser.completeness(of: text)
      do {
        let program = try ProgramParser.parse(file)
        stats.parsed += 1
        _ = ASTPrinter.print(program)
        #expect(verdict == .complete, "\(text)")
      } catch let list as DiagnosticList {
        stats.failed += 1
        #expect(list.diagnostics.count == 1, "\(text)")
        if let range = list.diagnostics.first?.range {
          #expect(range.start >= 0 && range.end <= file.bytes.count, "\(text)")
        }
        _ = DiagnosticRenderer().render(list.diagnostics, in: file)
        #expect(verdict != .complete, "\(text)")
      } catch {
        Issue.record("unexpected error \(error) for \(text)")
      }
    }

    @Test func tokenSoups() {
      var random = Random(state: 1)
      var stats = (parsed: 0, failed: 0)
      for _ in 0..<10_000 {
        let count = 1 + random.below(24)
        let text = (0..<count).map { _ in random.pick(Self.vocabulary) }.joined(
          separator: random.below(3) == 0 ? "" : " ")
        check(text, &stats)
      }
      #expect(stats.parsed > 0 && stats.failed > 0)
    }

    @Test func mutatedPrograms() {
      var random = Random(state: 2)
      var stats = (parsed: 0, failed: 0)
      for _ in 0..<10_000 {
        var bytes = Array(random.pick(Self.corpus).utf8)
        for _ in 0..<(1 + random.below(4)) {
          let at = random.below(bytes.count + 1)
          switch random.below(4) {
          case 0 where at < bytes.count: bytes.remove(at: at)
          case 1: bytes.insert(contentsOf: Array(random.pick(Self.vocabulary).utf8), at: at)
          case 2 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: random.next())
          default:
            let end = min(bytes.count, at + random.below(12))
            if at < end { bytes.removeSubrange(at..<end) }
          }
        }
        check(String(decoding: bytes, as: UTF8.self), &stats)
      }
      #expect(stats.parsed > 0 && stats.failed > 0)
    }

    @Test func byteNoiseAndTruncations() {
      var random = Random(state: 3)
      var stats = (parsed: 0, failed: 0)
      for _ in 0..<2000 {
        let bytes = (0..<random.below(40)).map { _ in UInt8(truncatingIfNeeded: random.next() % 128) }
        check(String(decoding: bytes, as: UTF8.self), &stats)
      }
      // Every prefix of a valid program is complete, incomplete or invalid, never a crash.
      for program in Self.corpus {
        let bytes = Array(program.utf8)
        for end in 0...bytes.count { check(String(decoding: bytes[0..<end], as: UTF8.self), &stats) }
      }
      #expect(stats.failed > 0)
    }

    @Test func deepNestingFailsCleanly() {
      for opener in ["(", "{ ", "- ", "! ", "@x[", "f(", "(uint8)", "$a ? 1 : "] {
        let text = "BEGIN { @ = " + String(repeating: opener, count: 5000) + "1 }"
        #expect(SyntaxTests.error(text).contains("ERROR: program is nested too deeply"), "\(opener)")
      }
      for opener in ["if 1 { ", "{ ", "while 1 { ", "if 1 { } else if 1 { "] {
        let text = "BEGIN { " + String(repeating: opener, count: 5000)
        #expect(SyntaxTests.error(text).contains("ERROR: program is nested too deeply"), "\(opener)")
      }
    }
  }
}
