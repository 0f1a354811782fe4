import Foundation
import Testing

/// C definitions written in a program, read through a uprobe from a C program of our own.
@Suite(.serialized, .enabled(if: Bpfrepl.isRoot, "needs root to load BPF programs"))
struct CDefinitionsOneShotTests {
  static let definitions = """
    struct point { int x; int y; };
    struct item {
      int id;
      char name[16];
      struct point pos;
      struct item *next;
      unsigned flags : 3, kind : 5;
      long values[3];
      union { int as_int; unsigned char bytes[4]; };
    };
    """

  /// Passes a linked pair of `struct item` to `visit`, once.
  static let target: String? = {
    let dir = NSTemporaryDirectory() + "bpfrepl-cdefs-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let code =
      definitions + """

        __attribute__((noinline)) void visit(struct item *it) { __asm__ volatile("" : : "r"(it) : "memory"); }
        int main(void) {
          struct item second = {2, "second", {5, 6}, 0, 1, 9, {7, 8, 9}, {.as_int = 0x01020304}};
          struct item first = {1, "first", {3, 4}, &second, 5, 17, {10, 20, 30}, {.as_int = -2}};
          visit(&first);
          return 0;
        }
        """
    guard (try? code.write(toFile: dir + "/item.c", atomically: true, encoding: .utf8)) != nil else { return nil }
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
    cc.arguments = ["-O1", "-o", dir + "/item", dir + "/item.c"]
    guard (try? cc.run()) != nil else { return nil }
    cc.waitUntilExit()
    return cc.terminationStatus == 0 ? dir + "/item" : nil
  }()

  @Test func uprobeReadsAStructDefinedInTheProgram() throws {
    let binary = try #require(Self.target, "cc could not build the target")
    let program =
      Self.definitions + """

        uprobe:\(binary):visit {
          $i = (struct item *)arg0;
          printf("%d %s (%d,%d) flags=%d kind=%d values[2]=%d as_int=%d\\n",
                 $i->id, $i->name, $i->pos.x, $i.pos.y, $i->flags, $i->kind, $i->values[2], $i->as_int);
          $n = $i->next;
          printf("%d %s (%d,%d) flags=%d kind=%d values[0]=%d byte0=%d\\n",
                 $n->id, $n.name, $n->pos.x, $n->pos.y, $n->flags, $n->kind, $n->values[0], $n->bytes[0]);
          printf("sizeof=%d offsetof(next)=%d\\n", sizeof(struct item), offsetof(struct item, next));
          exit();
        }
        """
    let r = try Bpfrepl.run(["-c", binary, "-e", program])
    #expect(r.diagnostics == "", "stderr: \(r.stderr)")
    #expect(
      r.stdout == """
        1 first (3,4) flags=5 kind=17 values[2]=30 as_int=-2
        2 second (5,6) flags=1 kind=9 values[0]=7 byte0=4
        sizeof=80 offsetof(next)=32



        """)
  }

  /// Struct and array values read through a pointer are copied whole: printed, stored in maps
  /// and variables, with their fields still readable.
  @Test func structValuesPrintAsUpstreamPrintsThem() throws {
    let binary = try #require(Self.target, "cc could not build the target")
    let program =
      Self.definitions + """

        uprobe:\(binary):visit {
          $i = (struct item *)arg0;
          $p = $i->pos;
          printf("%d %d %d\\n", $p.x, $p.y, $i->values[1]);
          print($p);
          @pos[$i->id] = $i->pos;
          @values = $i->next->values;
          @second = *$i->next;
          exit();
        }
        """
    let r = try Bpfrepl.run(["-c", binary, "-e", program])
    #expect(r.diagnostics == "", "stderr: \(r.stderr)")
    #expect(
      r.stdout == """
        3 4 20
        { .x = 3, .y = 4 }


        @pos[1]: { .x = 3, .y = 4 }
        @second: { .id = 2, .name = second, .pos = { .x = 5, .y = 6 }, .next = 0x0, .flags = 1, .kind = 9, \
        .values = [7,8,9], .as_int = 16909060, .bytes = [4,3,2,1] }
        @values: [7,8,9]

        """)
  }

  @Test func defineAndEnumConstantsAreValues() throws {
    let r = try Bpfrepl.run([
      "-e",
      """
      #define LIMIT 4
      #define GREETING "hi"
      enum color { RED, GREEN = 5, BLUE };
      struct s { int a[LIMIT]; };
      BEGIN { printf("%s %d %d %d\\n", GREETING, sizeof(struct s), GREEN, BLUE); }
      """,
    ])
    #expect(r.stdout == "hi 16 5 6\n\n\n")
  }

  /// Values typed by a program's enum print as the enumerator's name, numbers once arithmetic
  /// touched them, and themselves when no enumerator has the value.
  @Test func enumValuesPrintAsTheirNames() throws {
    let r = try Bpfrepl.run([
      "-e",
      """
      enum level { LOW = 1, HIGH = 7 };
      BEGIN { @[HIGH] = 1; @pair = (LOW, HIGH); @sum = HIGH + 1; $x = 5; print((enum level)$x); print((enum level)1);
              printf("%d %s\\n", HIGH, HIGH); }
      """,
    ])
    #expect(r.diagnostics == "", "stderr: \(r.stderr)")
    #expect(r.stdout == "5\nLOW\n7 HIGH\n\n\n@[HIGH]: 1\n@pair: (LOW, HIGH)\n@sum: 8\n")
  }

  /// A pointer plus or minus an integer moves by whole pointees.
  @Test func pointerArithmeticScalesByThePointee() throws {
    let r = try Bpfrepl.run([
      "-e",
      #"struct A { int a; int b; char c[28]; }; BEGIN { $a = (struct A *)1024; $i = (int16 *)8; printf("%lu %lu %lu\n", $a - 5, $i + 2, 3 + $i); }"#,
    ])
    #expect(r.stdout == "844 12 14\n\n\n")
  }

  /// A struct written in the program hides the kernel's of the same name.
  @Test func programDefinitionsTakePrecedenceOverBTF() throws {
    let r = try Bpfrepl.run([
      "-e", "struct task_struct { int x; long y; };\nBEGIN { print(sizeof(struct task_struct)); }",
    ])
    #expect(r.stdout == "16\n\n\n")
  }

  @Test func badCIsADiagnosticAtItsPlace() throws {
    let r = try Bpfrepl.run(["-e", "struct s {\n  int a\n  long b;\n};\nBEGIN { }"])
    #expect(r.status != 0)
    #expect(
      r.diagnostics == """
        stdin:3:3-7: ERROR: expected ';'
          long b;
          ~~~~

        """)
  }
}
