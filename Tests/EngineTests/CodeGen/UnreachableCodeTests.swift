import Testing

@testable import Engine

/// The verifier rejects programs with instructions no path reaches; constant-folded branches leave them.
@Suite struct UnreachableCodeTests {
  @Test func codeAfterAnUnconditionalJumpIsDropped() {
    let end = Label(id: 0)
    let program: [Instruction] = [
      .alu64(.mov, .r0, .imm(1)), .jump(end), .alu64(.mov, .r0, .imm(2)), .bind(end), .exit,
    ]
    #expect(UnreachableCode.removed(from: program) == [.alu64(.mov, .r0, .imm(1)), .jump(end), .bind(end), .exit])
  }

  @Test func bothSidesOfAConditionalStay() {
    let other = Label(id: 0)
    let program: [Instruction] = [
      .jumpIf(.eq, .r1, .imm(0), other), .alu64(.mov, .r0, .imm(1)), .exit, .bind(other), .alu64(.mov, .r0, .imm(2)),
      .exit,
    ]
    #expect(UnreachableCode.removed(from: program) == program)
  }

  @Test func codeAfterExitStaysOnlyWhenSomethingJumpsThere() {
    let sub = Label(id: 1)
    let program: [Instruction] = [
      .callLocal(sub), .exit, .alu64(.mov, .r0, .imm(9)), .bind(sub), .alu64(.mov, .r0, .imm(3)), .exit,
    ]
    #expect(
      UnreachableCode.removed(from: program) == [
        .callLocal(sub), .exit, .bind(sub), .alu64(.mov, .r0, .imm(3)), .exit,
      ])
  }

  @Test func callbackSubprogramsAreEntriesOfTheirOwn() {
    // A loop callback is only named by a function pointer: its start is an entry, its dead tail is not.
    let callback = Label(id: 2)
    let program: [Instruction] = [
      .loadFunction(.r2, callback), .exit, .bind(callback), .subprogram, .alu64(.mov, .r0, .imm(0)), .exit,
      .alu64(.mov, .r0, .imm(1)), .exit,
    ]
    #expect(
      UnreachableCode.removed(from: program) == [
        .loadFunction(.r2, callback), .exit, .bind(callback), .subprogram, .alu64(.mov, .r0, .imm(0)), .exit,
      ])
  }
}
