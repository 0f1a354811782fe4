import Testing

@testable import Engine

/// The x86-64 operand forms compilers write into `.note.stapsdt` argument strings.
struct UsdtArgumentTests {
  func parsed(_ text: String) throws -> UsdtArgument {
    try UsdtArgument.parse(text).get()
  }

  @Test func registersOfEveryWidth() throws {
    #expect(
      try parsed("-4@%edi")
        == UsdtArgument(
          size: 4, isSigned: true, location: .register(ptRegsOffset: 112, highByte: false), text: "-4@%edi"))
    #expect(try parsed("8@%rax").location == .register(ptRegsOffset: 80, highByte: false))
    #expect(try parsed("2@%r9w").location == .register(ptRegsOffset: 64, highByte: false))
    #expect(try parsed("-1@%sil").location == .register(ptRegsOffset: 104, highByte: false))
    #expect(try parsed("1@%ah").location == .register(ptRegsOffset: 80, highByte: true))
    #expect(try parsed("8@%r15").location == .register(ptRegsOffset: 0, highByte: false))
    let a = try parsed("1@%bl")
    #expect(a.size == 1 && !a.isSigned && a.location == .register(ptRegsOffset: 40, highByte: false))
  }

  @Test func immediates() throws {
    #expect(try parsed("-4@$17").location == .immediate(17))
    #expect(try parsed("-4@$-1").location == .immediate(-1))
    #expect(try parsed("8@$0x10").location == .immediate(16))
    #expect(try parsed("8@$-0x10").location == .immediate(-16))
  }

  @Test func memoryOperands() throws {
    #expect(try parsed("-8@(%rdi)").location == .memory(base: 112, index: nil, scale: 1, offset: 0))
    #expect(try parsed("-4@8(%rdi)").location == .memory(base: 112, index: nil, scale: 1, offset: 8))
    #expect(try parsed("4@-16(%rbp)").location == .memory(base: 32, index: nil, scale: 1, offset: -16))
    #expect(try parsed("8@0x20(%rsp)").location == .memory(base: 152, index: nil, scale: 1, offset: 32))
    #expect(try parsed("2@4(%rax,%rbx,8)").location == .memory(base: 80, index: 40, scale: 8, offset: 4))
    #expect(try parsed("1@(%rax,%rcx)").location == .memory(base: 80, index: 88, scale: 1, offset: 0))
  }

  @Test func ripRelativeSymbols() throws {
    #expect(try parsed("-4@counter(%rip)").location == .symbol(name: "counter", offset: 0, fromProbe: nil))
    #expect(try parsed("8@table+16(%rip)").location == .symbol(name: "table", offset: 16, fromProbe: nil))
    #expect(try parsed("1@_x.1-4(%rip)").location == .symbol(name: "_x.1", offset: -4, fromProbe: nil))
  }

  @Test func noSizeMeansEightUnsignedBytes() throws {
    let a = try parsed("%rsi")
    #expect(a.size == 8 && !a.isSigned && a.location == .register(ptRegsOffset: 104, highByte: false))
  }

  @Test func wholeArgumentStrings() throws {
    let all = try UsdtArgument.parseAll("-8@(%rdi) -4@8(%rdi)  4@$3").get()
    #expect(all.map(\.size) == [8, 4, 4])
    #expect(all.map(\.isSigned) == [true, true, false])
    #expect(try UsdtArgument.parseAll("").get().isEmpty)
  }

  @Test func undecodableOperandsSayWhy() {
    func reason(_ s: String) -> String? {
      if case .failure(let e) = UsdtArgument.parse(s) { return e.description }
      return nil
    }
    #expect(
      reason("3@%eax")
        == "cannot decode USDT argument \"3@%eax\": size 3 is not one of 1, 2, 4, 8 (negative for signed)")
    #expect(reason("-9223372036854775808@%rax")?.contains("is not one of 1, 2, 4, 8") == true)
    #expect(reason("8f@%rax") == "cannot decode USDT argument \"8f@%rax\": floating-point arguments are not supported")
    #expect(reason("4@%xmm0") == "cannot decode USDT argument \"4@%xmm0\": unknown register %xmm0")
    #expect(reason("4@8(%rip)")?.contains("needs a symbol") == true)
    #expect(reason("4@8(%eax)") == "cannot decode USDT argument \"4@8(%eax)\": %eax is not a 64-bit base register")
    #expect(reason("4@$abc") == "cannot decode USDT argument \"4@$abc\": immediate is not a number")
    #expect(reason("4@(%rax,%rbx,3)") == "cannot decode USDT argument \"4@(%rax,%rbx,3)\": scale must be 1, 2, 4 or 8")
    if case .failure(let e) = UsdtArgument.parseAll("-4@%edi 4@%st(0)") {
      #expect(e.operand == "4@%st(0)")
    } else {
      Issue.record("a bad operand among good ones must fail")
    }
  }
}
