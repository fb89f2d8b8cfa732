@testable import COSEM
import Testing

@Suite("Tree printer")
struct TreePrinterTests {
    @Test("the data-notification vector prints as a tree")
    func dataNotification() throws {
        let text = TreePrinter.render(try APDU(decoding: VectorTests.dataNotification))
        #expect(text == """
            data-notification
              long-invoke-id-and-priority: 0x000001DB (id 475, unconfirmed, normal priority)
              date-time: absent
              notification-body:
                octet-string (34 bytes) 125A8591360000000049000000110000000A5A8513D014800000000D0000000A0100
            """)
    }

    @Test("structures indent, OBIS-sized octet strings are annotated, errors are named")
    func structures() throws {
        let data = COSEMData.structure([
            .octetString(bytes("0100010800FF")), .float64(1.5), .structure([.integer(-1), .enumerated(30)]),
            .dateTime(COSEMDateTime(year: 2024, month: 7, day: 15, dayOfWeek: 1, hour: 14, minute: 45, second: 30,
                                    hundredths: 12, deviation: -120, clockStatus: [])),
            .visible("PAC"), .bitString(BitString([true, false])), .null,
        ])
        #expect(TreePrinter.render(data) == """
            structure (7 elements)
              octet-string (6 bytes) 0100010800FF [OBIS 1.0.1.8.0.255?]
              float64: 1.5
              structure (2 elements)
                integer: -1
                enum: 30
              date-time: 2024-07-15 (day of week 1) 14:45:30.12 deviation -120 min status ok (unix 1721047530)
              visible-string: "PAC"
              bit-string (2 bits): 10
              null-data
            """)
        #expect(TreePrinter.render(.long64Unsigned(UInt64.max)) == "long64-unsigned: 18446744073709551615")
        #expect(TreePrinter.render(.long(-2)) == "long: -2")
        let response = GetResponseNormal(invokeIDAndPriority: InvokeIdAndPriority(rawValue: 0xC1), result: .dataAccessError(.objectUndefined))
        #expect(TreePrinter.render(.getResponse(response)).contains("result: data-access-result 4 (object-undefined)"))
    }

    @Test("general-signing prints every field and the decoded content")
    func generalSigning() throws {
        let text = TreePrinter.render(try APDU(decoding: VectorTests.generalSigning))
        #expect(text.hasPrefix("""
            general-signing
              transaction-id: (9 bytes) 0200000000000003E8
              originator-system-title: (8 bytes) 00DB1234567890A0
              recipient-system-title: (8 bytes) 90B3D51F30010000
              date-time: absent
              other-information: (2 bytes) 000B
              content: (3 bytes) 020100
              signature: (64 bytes) B5A2
            """))
        let signed = GeneralSigning(transactionID: [1], originatorSystemTitle: [], recipientSystemTitle: [],
                                    content: VectorTests.dataNotification)
        #expect(TreePrinter.render(.generalSigning(signed)).contains("  content (42 bytes):\n    data-notification\n"))
    }
}
