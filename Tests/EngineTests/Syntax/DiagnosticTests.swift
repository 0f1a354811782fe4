import Testing

@testable import Engine

extension SyntaxTests {
  /// Syntax errors exactly as the user sees them: position, message, source line, underline.
  @Suite struct DiagnosticTests {
    @Test(arguments: [
      (
        "BEGIN { @x = ; }",
        """
        stdin:1:14-15: ERROR: syntax error, unexpected ';', expecting an expression
        BEGIN { @x = ; }
                     ~

        """
      ),
      (
        "kprobe:f /pid == 1 { 0; }",
        """
        stdin:1:20-21: ERROR: syntax error, unexpected '{', expecting '/' to close the predicate
        kprobe:f /pid == 1 { 0; }
                           ~

        """
      ),
      (
        "kprobe:sys_open { $x = 1 $y = 2; }",
        """
        stdin:1:26-28: ERROR: syntax error, unexpected '$y', expecting ';'
        kprobe:sys_open { $x = 1 $y = 2; }
                                 ~~

        """
      ),
      (
        "BEGIN {\n  printf(\"hi\")\n",
        """
        stdin:2:15-16: ERROR: syntax error, unexpected end of input, expecting '}'
          printf("hi")
                      ~

        """
      ),
      (
        "BEGIN { print(1, 2 }",
        """
        stdin:1:20-21: ERROR: syntax error, unexpected '}', expecting ',' or ')'
        BEGIN { print(1, 2 }
                           ~

        """
      ),
      (
        "kprobe:f kprobe:g { }",
        """
        stdin:1:10-16: ERROR: syntax error, unexpected 'kprobe', expecting ',', '/' or '{'
        kprobe:f kprobe:g { }
                 ~~~~~~

        """
      ),
      (
        "BEGIN { if (1) { } else 2 }",
        """
        stdin:1:25-26: ERROR: syntax error, unexpected '2', expecting '{' or 'if' after 'else'
        BEGIN { if (1) { } else 2 }
                                ~

        """
      ),
      (
        "BEGIN { @x = \"abc }",
        """
        stdin:1:14-20: ERROR: unterminated string
        BEGIN { @x = "abc }
                     ~~~~~~

        """
      ),
      (
        "BEGIN { @x = \"a\\qb\" }",
        """
        stdin:1:16-18: ERROR: invalid escape character '\\q'
        BEGIN { @x = "a\\qb" }
                       ~~

        """
      ),
      (
        "kprobe:sys_open { \"\\777\" }",
        """
        stdin:1:20-24: ERROR: octal escape sequence out of range '\\777'
        kprobe:sys_open { "\\777" }
                           ~~~~

        """
      ),
      (
        "BEGIN {\n\t@x = 1 ` 2\n}",
        """
        stdin:2:9-10: ERROR: unexpected character '`'
            @x = 1 ` 2
                   ~

        """
      ),
      (
        "BEGIN { /* never closed\n}",
        """
        stdin:1:9-11: ERROR: unterminated comment
        BEGIN { /* never closed
                ~~

        """
      ),
      (
        "BEGIN { @x = 12e4 }",
        """
        stdin:1:14-18: ERROR: coefficient part of scientific literal must be 1-9: 12e4
        BEGIN { @x = 12e4 }
                     ~~~~

        """
      ),
      (
        "BEGIN { @x = 1ul2 }",
        """
        stdin:1:15-18: ERROR: invalid integer suffix 'ul2'
        BEGIN { @x = 1ul2 }
                      ~~~

        """
      ),
      (
        "kprobe:f { $0 }",
        """
        stdin:1:12-14: ERROR: param $0 is out of integer range [1, 9223372036854775807]
        kprobe:f { $0 }
                   ~~

        """
      ),
      (
        "BEGIN { 5++ }",
        """
        stdin:1:10-12: ERROR: increment/decrement requires a variable or map
        BEGIN { 5++ }
                 ~~

        """
      ),
      (
        "BEGIN { $a = &arg0 }",
        """
        stdin:1:15-19: ERROR: address-of operator (&) can only be used on a map or variable
        BEGIN { $a = &arg0 }
                      ~~~~

        """
      ),
      (
        "BEGIN { $t.0 = 1 }",
        """
        stdin:1:9-13: ERROR: cannot assign to this expression; only maps, map elements and $variables can be assigned
        BEGIN { $t.0 = 1 }
                ~~~~

        """
      ),
      (
        "BEGIN { @x = { 1; }; }",
        """
        stdin:1:19-20: ERROR: a block used as a value must end with an expression (without ';')
        BEGIN { @x = { 1; }; }
                          ~

        """
      ),
      (
        "BEGIN { for ($i : 5) { } }",
        """
        stdin:1:19-20: ERROR: expected a map or a range (start..end) to iterate over
        BEGIN { for ($i : 5) { } }
                          ~

        """
      ),
      (
        "BEGIN { }\nstruct foo { int x; }",
        """
        stdin:2:1-22: ERROR: C definitions must appear before probes and functions
        struct foo { int x; }
        ~~~~~~~~~~~~~~~~~~~~~

        """
      ),
      (
        "BEGIN { @x = (1, 2 }",
        """
        stdin:1:20-21: ERROR: syntax error, unexpected '}', expecting ',' or ')'
        BEGIN { @x = (1, 2 }
                           ~

        """
      ),
      (
        "uprobe:\"/bin/x:f { }",
        """
        stdin:1:8-21: ERROR: unterminated string
        uprobe:"/bin/x:f { }
               ~~~~~~~~~~~~~

        """
      ),
      (
        "macro m(1) { }",
        """
        stdin:1:9-10: ERROR: syntax error, unexpected '1', expecting a macro parameter ($var, @map or name)
        macro m(1) { }
                ~

        """
      ),
      (
        "let @m = hash(0);",
        """
        stdin:1:15-16: ERROR: syntax error, unexpected '0', expecting the maximum number of entries (a positive integer)
        let @m = hash(0);
                      ~

        """
      ),
      (
        "BEGIN { @x = (uint8[2][3])1 }",
        """
        stdin:1:23-24: ERROR: multi-dimensional arrays are not supported
        BEGIN { @x = (uint8[2][3])1 }
                              ~

        """
      ),
    ])
    func rendered(source: String, expected: String) {
      #expect(SyntaxTests.error(source) == expected)
    }

    @Test func errorsSpanningLinesShowEveryLine() {
      #expect(
        SyntaxTests.error("BEGIN {}\nstruct foo {\n int x;\n}") == """
          stdin:2-4: ERROR: C definitions must appear before probes and functions
          struct foo {
           int x;
          }

          """)
    }

    @Test func theFirstErrorIsReportedAlone() throws {
      do {
        _ = try SyntaxTests.parse("BEGIN { @x = ; @y = ; }")
        Issue.record("parsed")
      } catch let list as DiagnosticList {
        #expect(list.diagnostics.count == 1)
        #expect(list.diagnostics[0].range == SourceRange(13, 14))
        #expect(list.diagnostics[0].severity == .error)
      }
    }

    @Test func fileNameComesFromTheSourceFile() {
      let file = SourceFile(name: "cell[3]", text: "print(@x,)")
      do {
        _ = try ProgramParser.parse(file)
        Issue.record("parsed")
      } catch let list as DiagnosticList {
        #expect(
          DiagnosticRenderer().render(list.diagnostics, in: file) == """
            cell[3]:1:10-11: ERROR: syntax error, unexpected ')', expecting an expression
            print(@x,)
                     ~

            """)
      } catch {
        Issue.record("unexpected \(error)")
      }
    }
  }
}
