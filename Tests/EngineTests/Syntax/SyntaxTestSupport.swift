@testable import Engine

/// Helpers shared by the Syntax tests.
enum SyntaxTests {
  static func parse(_ text: String) throws -> Program {
    try ProgramParser.parse(SourceFile(name: "stdin", text: text))
  }

  /// The AST printout of a program, or the rendered diagnostics if it does not parse.
  static func tree(_ text: String) -> String {
    let file = SourceFile(name: "stdin", text: text)
    do {
      return ASTPrinter.print(try ProgramParser.parse(file))
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "unexpected error \(error)"
    }
  }

  /// The rendered syntax error of a program, or "" if it parses.
  static func error(_ text: String) -> String {
    let file = SourceFile(name: "stdin", text: text)
    do {
      _ = try ProgramParser.parse(file)
      return ""
    } catch let list as DiagnosticList {
      return DiagnosticRenderer().render(list.diagnostics, in: file)
    } catch {
      return "unexpected error \(error)"
    }
  }

  /// The printout of the statements of the only probe's body, indented from column 0.
  static func body(_ text: String) -> String {
    let full = tree(text)
    let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count > 2, lines[0] == "Program" else { return full }
    return lines.dropFirst(2).filter { !$0.isEmpty }.map { String($0.dropFirst(2)) }.joined(separator: "\n")
  }

  /// The printout of one expression, parsed as `BEGIN { @ = <expr> }`'s value.
  static func expr(_ text: String) -> String {
    let src = "BEGIN { @ = \(text) }"
    do {
      let program = try parse(src)
      guard case .assign(_, _, let value) = program.probes[0].body.statements[0].kind else {
        return "not an assignment"
      }
      return ASTPrinter.print(value).split(separator: "\n").joined(separator: "\n")
    } catch {
      return SyntaxTests.error(src)
    }
  }
}
