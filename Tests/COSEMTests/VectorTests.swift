@testable import COSEM
import Testing

@Suite("Published vectors (REFERENCE §3)")
struct VectorTests {
    static let dataNotification = bytes(
        "0F000001DB000922125A8591360000000049000000110000000A5A8513D014800000000D0000000A0100")
    static let generalSigning = bytes(
        "DF090200000000000003E80800DB1234567890A00890B3D51F300100000002000B0302010040B5A202F56E6AF82256FD36E666FAC1FD3B10350C2F484E47304F3617E0C6CA18246FD116384FF159B3D1A5300F854364BEEC41D7C2A920262F8C2E998E234B28")

    @Test("the dlms-cosem data-notification decodes and re-encodes to the same bytes")
    func dataNotification() throws {
        let apdu = try APDU(decoding: Self.dataNotification)
        guard case .dataNotification(let notification) = apdu else {
            Issue.record("decoded as \(apdu.name)")
            return
        }
        #expect(notification.invokeIDAndPriority.rawValue == 0x0000_01DB)
        #expect(notification.invokeIDAndPriority.invokeID == 475)
        #expect(!notification.invokeIDAndPriority.confirmed)
        #expect(!notification.invokeIDAndPriority.highPriority)
        #expect(!notification.invokeIDAndPriority.selfDescriptive)
        #expect(!notification.invokeIDAndPriority.breakOnError)
        #expect(notification.dateTime == nil)
        #expect(notification.body == .octetString(bytes("125A8591360000000049000000110000000A5A8513D014800000000D0000000A0100")))
        #expect(notification.body.octets?.count == 34)
        #expect(apdu.encoded == Self.dataNotification)
        #expect(try DataNotification(decoding: Self.dataNotification).encoded == Self.dataNotification)
    }

    @Test("the GBCS general-signing vector parses; convention A covers bytes [1 ..< count-65], B drops the content length")
    func generalSigning() throws {
        let vector = Self.generalSigning
        let signing = try GeneralSigning(decoding: vector)
        #expect(signing.transactionID == bytes("0200000000000003E8"))
        #expect(signing.originatorSystemTitle == bytes("00DB1234567890A0"))
        #expect(signing.recipientSystemTitle == bytes("90B3D51F30010000"))
        #expect(signing.dateTime == nil)
        #expect(signing.otherInformation == bytes("000B"))
        #expect(signing.content == bytes("020100"))
        #expect(signing.signature.count == 64)
        #expect(signing.signature == Array(vector.suffix(64)))
        #expect(signing.encoded == vector)

        let a = signing.signedBytes(.a)
        #expect(a == Array(vector[1 ..< vector.count - 65]))
        #expect(signing.signedBytes() == a)
        let b = signing.signedBytes(.b)
        #expect(b.count == a.count - 1)
        // The content (3 bytes) is the tail of both; A has its length prefix 03 just before it.
        let contentStart = a.count - 3
        #expect(a[contentStart - 1] == 0x03)
        #expect(Array(a[..<(contentStart - 1)]) + Array(a[contentStart...]) == b)

        guard case .generalSigning(let viaEnum) = try APDU(decoding: vector) else {
            Issue.record("APDU did not decode as general-signing")
            return
        }
        #expect(viaEnum == signing)
    }

    @Test("the get-request example is class 3, 1.0.1.8.0.255, attribute 2")
    func getRequest() throws {
        let frame = bytes("C001C1000301000108 00FF0200")
        guard case .getRequest(let request) = try APDU(decoding: frame) else {
            Issue.record("not a get-request")
            return
        }
        #expect(request.attribute.classID == 3)
        #expect(request.attribute.instance == OBISCode(1, 0, 1, 8, 0, 255))
        #expect(request.attribute.instance.description == "1.0.1.8.0.255")
        #expect(request.attribute.attribute == 2)
        #expect(request.access == nil)
        #expect(request.invokeIDAndPriority.invokeID == 1)
        #expect(request.invokeIDAndPriority.confirmed)
        #expect(request.invokeIDAndPriority.highPriority)
        #expect(request.encoded == frame)
        let built = GetRequestNormal(invokeIDAndPriority: InvokeIdAndPriority(invokeID: 1),
                                     attribute: AttributeDescriptor(classID: 3, instance: try OBISCode("1-0:1.8.0*255"), attribute: 2))
        #expect(built.encoded == frame)
    }
}
