import Testing

@testable import Kernel

@Suite struct JSONTests {
  @Test func parsesAllValueKinds() throws {
    let v = try JSON.parse(#" {"s":"x","i":-42,"d":2.5,"e":1e3,"t":true,"f":false,"n":null,"a":[1,[2]],"o":{"k":{}}} "#)
    #expect(v["s"] == "x")
    #expect(v["i"] == .int(-42))
    #expect(v["d"] == .double(2.5))
    #expect(v["e"] == .double(1000))
    #expect(v["t"] == .bool(true))
    #expect(v["f"] == .bool(false))
    #expect(v["n"] == .null)
    #expect(v["a"] == [1, [2]])
    #expect(v["o"]?["k"] == .object([:]))
  }

  @Test func keepsBoolsAndNumbersApart() throws {
    let v = try JSON.parse("[true, 1, 1.0]")
    #expect(v.arrayValue?[0].boolValue == true)
    #expect(v.arrayValue?[0].intValue == nil)
    #expect(v.arrayValue?[1].intValue == 1)
    #expect(v.arrayValue?[2].intValue == 1)  // integral doubles count as ints (cursor_pos: 3.0)
    #expect(v.arrayValue?[1].boolValue == nil)
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let v = try JSON.parse(#"["a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "\ud800x"]"#)
    #expect(v.arrayValue?[0].stringValue == "a\"b\\c/d\n\té😀")
    #expect(v.arrayValue?[1].stringValue == "\u{FFFD}x")  // lone surrogate
  }

  @Test func serializesCompactSortedAndEscaped() {
    let v: JSON = ["b": [1, .double(0.5), nil, true], "a": .string("q\"\\\n\u{1}é")]
    #expect(v.serializedString() == #"{"a":"q\"\\\n\u0001é","b":[1,0.5,null,true]}"#)
  }

  @Test func roundTrips() throws {
    let v: JSON = ["x": ["y": [.string("😀 \u{7f}"), .int(Int64.max), .int(Int64.min), .double(-1.25e-7)]]]
    #expect(try JSON.parse(v.serialized()) == v)
  }

  @Test(arguments: [
    "", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "tru", "01x", "\"\u{1}\"", "[1] 2", "-", "1.", "1e", "{1:2}", "\"\\x\"",
  ])
  func rejectsInvalid(_ text: String) {
    #expect(throws: JSONParseError.self) { try JSON.parse(text) }
  }

  @Test func rejectsDeepNesting() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
  }

  @Test func nonFiniteDoublesBecomeNull() {
    #expect(JSON.array([.double(.infinity), .double(.nan)]).serializedString() == "[null,null]")
  }
}
