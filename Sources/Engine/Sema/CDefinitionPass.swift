/// The program's C definitions: struct/union/enum bodies and `#define`s become types and
/// constants of the type library, then identifiers naming an enum constant or a macro are
/// replaced by their values (as upstream expands them before typing).
enum CDefinitionPass {
  /// Reads the definitions into `library`; bad C is reported at its place in the source.
  static func load(_ program: Program, into library: ProgramTypeLibrary) -> [Diagnostic] {
    for line in program.includes where line.drop(while: { $0 == "#" || $0 == " " }).hasPrefix("define") {
      CDeclarationParser.defineMacro(line, library: library)
    }
    var diagnostics: [Diagnostic] = []
    for definition in program.cDefinitions {
      do {
        var parser = try CDeclarationParser(definition.text, base: definition.range.start, library: library)
        try parser.parseDefinitions()
      } catch {
        diagnostics.append(error)
      }
    }
    return diagnostics
  }

  static func substitute(_ program: Program, library: ProgramTypeLibrary) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    ProgramWalk.expressions(program) { e in
      guard case .identifier(let original) = e.kind else { return }
      // A macro may name another macro or an enum constant; the bound stops a macro naming itself.
      for _ in 0..<16 {
        guard case .identifier(let name) = e.kind else { return }
        if let v = library.enumerator(name), let type = library.enumType(ofEnumerator: name) {
          // Typed as its enum, so that printing it shows the enumerator's name as upstream does.
          let literal = Expr(.integer(UInt64(bitPattern: v), suffix: ""), range: e.range)
          e.kind = .cast(TypeName(base: type, range: e.range), literal)
          return
        } else if let text = library.macro(name) {
          guard let expansion = try? Parser(SourceFile(name: name, text: text)).parseExpression() else {
            diagnostics.append(.error("unable to expand macro as an expression: \(text)", at: e.range))
            return
          }
          relocate(expansion, to: e.range)
          e.kind = expansion.kind
        } else {
          return
        }
      }
      diagnostics.append(.error("Macro recursion: \(original)", at: e.range))
    }
    return diagnostics
  }

  /// The expansion's nodes point at the macro's use: their own ranges index the macro text.
  private static func relocate(_ e: Expr, to range: SourceRange) {
    e.range = range
    ExprChildren.forEach(e) { relocate($0, to: range) }
  }
}
