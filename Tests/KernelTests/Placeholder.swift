import Testing
@Test func placeholderKernelTests() { #expect(1 == 1) }
