@testable import COSEM
import Testing

/// One of each APDU shape, for round-trip and mutation tests.
let everyAPDU: [APDU] = [
    .dataNotification(DataNotification(invokeIDAndPriority: LongInvokeIdAndPriority(rawValue: 0x0000_01DB),
                                       body: .octetString(bytes("125A8591")))),
    .dataNotification(DataNotification(
        invokeIDAndPriority: LongInvokeIdAndPriority(invokeID: 0xABCDEF, selfDescriptive: true, breakOnError: true, confirmed: true, highPriority: true),
        dateTime: COSEMDateTime(year: 2025, month: 1, day: 15, dayOfWeek: 3, hour: 10, minute: 20, second: 30, hundredths: 0,
                                deviation: -60, clockStatus: []),
        body: .structure([.longUnsigned(1), .array((0 ..< 200).map { .unsigned(UInt8($0)) })]))),
    .getRequest(GetRequestNormal(invokeIDAndPriority: InvokeIdAndPriority(rawValue: 0xC1),
                                 attribute: AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 1, 8, 0, 255), attribute: 2))),
    .getRequest(GetRequestNormal(invokeIDAndPriority: InvokeIdAndPriority(invokeID: 5, confirmed: true, highPriority: false),
                                 attribute: AttributeDescriptor(classID: 7, instance: OBISCode(1, 0, 99, 1, 0, 255), attribute: -2),
                                 access: SelectiveAccess(selector: 2, parameters: .structure([.doubleLongUnsigned(1), .doubleLongUnsigned(10),
                                                                                              .longUnsigned(1), .longUnsigned(0)])))),
    .getResponse(GetResponseNormal(invokeIDAndPriority: InvokeIdAndPriority(rawValue: 0xC1), result: .data(.doubleLongUnsigned(123_456)))),
    .getResponse(GetResponseNormal(invokeIDAndPriority: InvokeIdAndPriority(rawValue: 0xC1), result: .dataAccessError(.objectUndefined))),
    .exceptionResponse(ExceptionResponse(stateError: .serviceNotAllowed, serviceError: .operationNotPossible)),
    .exceptionResponse(ExceptionResponse(stateError: .serviceUnknown, serviceError: .invocationCounterError(expected: 0x0102_0304))),
    .generalSigning(GeneralSigning(transactionID: bytes("0000000000000001"), originatorSystemTitle: bytes("4D4D4D0000BC614E"),
                                   recipientSystemTitle: bytes("4D4D4D0000000001"),
                                   dateTime: COSEMDateTime(year: 2025, month: 1, day: 15, hour: 10, minute: 20, second: 30),
                                   otherInformation: bytes("3003020101"),
                                   content: DataNotification(invokeIDAndPriority: LongInvokeIdAndPriority(invokeID: 1),
                                                             body: .visible("x")).encoded,
                                   signature: [UInt8](repeating: 0x5A, count: 96))),
    .generalSigning(GeneralSigning(transactionID: [], originatorSystemTitle: [], recipientSystemTitle: [],
                                   content: [UInt8](repeating: 0x11, count: 300), signature: [UInt8](repeating: 0x22, count: 64))),
]

@Suite("APDUs")
struct APDUTests {
    @Test("every APDU round-trips through the APDU enum and its own type", arguments: everyAPDU)
    func roundTrip(_ apdu: APDU) throws {
        let encoded = apdu.encoded
        let decoded = try APDU(decoding: encoded)
        #expect(decoded == apdu)
        #expect(decoded.encoded == encoded)
        switch apdu {
        case .dataNotification(let value): #expect(try DataNotification(decoding: encoded) == value)
        case .getRequest(let value): #expect(try GetRequestNormal(decoding: encoded) == value)
        case .getResponse(let value): #expect(try GetResponseNormal(decoding: encoded) == value)
        case .exceptionResponse(let value): #expect(try ExceptionResponse(decoding: encoded) == value)
        case .generalSigning(let value): #expect(try GeneralSigning(decoding: encoded) == value)
        }
    }

    @Test("concrete APDU bytes")
    func concreteBytes() throws {
        #expect(everyAPDU[4].encoded == bytes("C401C100060001E240"))
        #expect(everyAPDU[5].encoded == bytes("C401C10104"))
        #expect(everyAPDU[6].encoded == bytes("D80101"))
        #expect(everyAPDU[7].encoded == bytes("D8020601020304"))
        #expect(Array(everyAPDU[3].encoded.suffix(20)) == bytes("01 02 02 04 0600000001 060000000A 120001 120000"))
        // Long invoke id with every flag: F0ABCDEF; date-time as octet string 0C + 12 bytes; deviation -60 = FFC4.
        let notification = everyAPDU[1].encoded
        #expect(Array(notification.prefix(18)) == bytes("0F F0ABCDEF 0C 07E9010F03 0A141E00 FFC4 00"))
        // Signing: 300-byte content gets an 82 012C prefix under A and none under B.
        guard case .generalSigning(let signing) = everyAPDU[9] else {
            Issue.record("everyAPDU[9] is no longer the 300-byte general-signing this test is about")
            return
        }
        #expect(signing.signedBytes(.a) == bytes("0000000000 82012C") + [UInt8](repeating: 0x11, count: 300))
        #expect(signing.signedBytes(.b) == bytes("0000000000") + [UInt8](repeating: 0x11, count: 300))
        #expect(signing.encoded == [0xDF] + signing.signedBytes(.a) + [0x40] + [UInt8](repeating: 0x22, count: 64))
    }

    @Test("a signed data-notification's content decodes back to the notification")
    func signedContent() throws {
        guard case .generalSigning(let signing) = everyAPDU[8] else {
            Issue.record("everyAPDU[8] is no longer the general-signing this test is about")
            return
        }
        guard case .dataNotification(let inner) = try signing.decodedContent() else {
            Issue.record("content is not a data-notification")
            return
        }
        #expect(inner.body == .visible("x"))
        #expect(inner.invokeIDAndPriority.invokeID == 1)
    }

    @Test("data-access-result codes carry their Blue Book names")
    func dataAccessResultNames() {
        let expected: [(UInt8, String)] = [
            (0, "success"), (1, "hardware-fault"), (2, "temporary-failure"), (3, "read-write-denied"),
            (4, "object-undefined"), (9, "object-class-inconsistent"), (11, "object-unavailable"),
            (12, "type-unmatched"), (13, "scope-of-access-violated"), (14, "data-block-unavailable"),
            (15, "long-get-aborted"), (16, "no-long-get-in-progress"), (17, "long-set-aborted"),
            (18, "no-long-set-in-progress"), (19, "data-block-number-invalid"), (250, "other-reason"),
        ]
        for (code, name) in expected { #expect(DataAccessResult(rawValue: code).name == name) }
        #expect(DataAccessResult.otherReason.rawValue == 250)
        #expect(DataAccessResult(rawValue: 77).description == "77 (data-access-result 77)")
    }

    @Test("unsupported tags and choices name what was found")
    func unsupported() {
        #expect(decodeError { _ = try APDU(decoding: bytes("DB0800")) } == .unsupportedAPDU(tag: 0xDB, choice: nil, at: 0))
        #expect(decodeError { _ = try APDU(decoding: bytes("C002C1")) } == .unsupportedAPDU(tag: 0xC0, choice: 2, at: 1))
        #expect(decodeError { _ = try APDU(decoding: bytes("C403C1")) } == .unsupportedAPDU(tag: 0xC4, choice: 3, at: 1))
        #expect(decodeError { _ = try DataNotification(decoding: bytes("C001")) } == .unsupportedAPDU(tag: 0xC0, choice: nil, at: 0))
        #expect(decodeError { _ = try APDU(decoding: bytes("D80301")) } == .invalidValue(at: 1, "exception state-error 3 (must be 1 or 2)"))
        #expect(decodeError { _ = try APDU(decoding: bytes("D80107")) } == .invalidValue(at: 2, "exception service-error 7 (must be 1-6)"))
        #expect(decodeError { _ = try APDU(decoding: bytes("C401C102")) } == .invalidValue(at: 3, "get-data-result choice 2 (must be 0 or 1)"))
        #expect(decodeError { _ = try APDU(decoding: bytes("C001C1000301000108 00FF0202")) } == .invalidValue(at: 12, "access-selection flag 2 (must be 0 or 1)"))
        #expect(decodeError { _ = try APDU(decoding: bytes("0F00000001 05 0102030405 00")) }
            == .invalidValue(at: 5, "date-time octet string of 5 bytes (must be 0 or 12)"))
        #expect(decodeError { _ = try APDU(decoding: []) } == .truncated(at: 0))
    }
}
