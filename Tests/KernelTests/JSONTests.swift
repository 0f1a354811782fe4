import Testing
@testable import Kernel

@Suite struct JSONTests {
  @Test func roundTrip() throws {
    let v = try JSON.parse(#"{"a":[1,2.5,true,null,"x\n\u00e9\ud83d\ude00"],"b":{}}"#)
    #expect(v["a"]?.arrayValue?.count == 5)
    #expect(try JSON.parse(v.serialized()) == v)
  }
}
