@testable import COSEM
import Testing

@Suite("OBIS codes")
struct OBISCodeTests {
    @Test("both text forms parse to the same six bytes and print canonically")
    func parsing() throws {
        let dotted = try OBISCode("1.0.1.8.0.255")
        #expect(dotted.bytes == [1, 0, 1, 8, 0, 255])
        #expect(try OBISCode("1-0:1.8.0*255") == dotted)
        #expect(try OBISCode("1-0:1.8.0.255") == dotted)
        #expect(try OBISCode(" 1.0.32.7.0.255 ").description == "1.0.32.7.0.255")
        #expect(dotted.description == "1.0.1.8.0.255")
        #expect(dotted.iecDescription == "1-0:1.8.0*255")
        #expect(try OBISCode(bytes: bytes("0100010800FF")) == dotted)
        #expect(OBISCode(1, 0, 1, 8, 0, 255) < OBISCode(1, 0, 2, 8, 0, 255))
    }

    @Test("malformed text gives its typed error", arguments: [
        ("", OBISCodeError.empty),
        ("1.0.1.8.0", .malformed("1.0.1.8.0")),
        ("1.0.1.8.0.255.1", .malformed("1.0.1.8.0.255.1")),
        ("1-0:1.8*0*255", .malformed("1-0:1.8*0*255")),
        ("1-0-1.8.0*255", .malformed("1-0-1.8.0*255")),
        ("1.0.1.8.0.256", .groupOutOfRange(256, in: "1.0.1.8.0.256")),
        ("1.0.x.8.0.255", .invalidGroup("x", in: "1.0.x.8.0.255")),
        ("1..1.8.0.255", .invalidGroup("", in: "1..1.8.0.255")),
        ("1.0.-1.8.0.255", .malformed("1.0.-1.8.0.255")),
        ("1.0.1.8.0.0255", .invalidGroup("0255", in: "1.0.1.8.0.0255")),
    ])
    func errors(_ text: String, _ expected: OBISCodeError) {
        do {
            let code = try OBISCode(text)
            Issue.record("\"\(text)\" parsed as \(code)")
        } catch {
            #expect(error == expected)
        }
    }

    @Test("binary OBIS codes must be six bytes")
    func byteCount() {
        do {
            _ = try OBISCode(bytes: [1, 2, 3])
            Issue.record("3 bytes accepted")
        } catch {
            #expect(error == .wrongByteCount(3))
        }
    }
}
