/// Any APDU this module decodes, chosen by its first byte (and the CHOICE byte for get services).
///
/// Ciphered APDUs (DB, DC, DD), block transfer (E0), set/action and the with-datablock / with-list get
/// variants are not decoded: they throw `unsupportedAPDU` naming the tag and choice.
public enum APDU: Sendable, Hashable {
    case dataNotification(DataNotification)
    case getRequest(GetRequestNormal)
    case getResponse(GetResponseNormal)
    case exceptionResponse(ExceptionResponse)
    case generalSigning(GeneralSigning)

    /// Decodes one complete APDU that fills `bytes`.
    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        let tag = try reader.u8()
        switch tag {
        case DataNotification.tag:
            self = .dataNotification(try DataNotification.readBody(from: &reader, limits: limits))
        case GetRequestNormal.tag:
            try expectChoice(GetRequestNormal.choice, of: tag, in: &reader)
            self = .getRequest(try GetRequestNormal.readBody(from: &reader, limits: limits))
        case GetResponseNormal.tag:
            try expectChoice(GetResponseNormal.choice, of: tag, in: &reader)
            self = .getResponse(try GetResponseNormal.readBody(from: &reader, limits: limits))
        case ExceptionResponse.tag:
            self = .exceptionResponse(try ExceptionResponse.readBody(from: &reader))
        case GeneralSigning.tag:
            self = .generalSigning(try GeneralSigning.readBody(from: &reader, limits: limits))
        default:
            throw .unsupportedAPDU(tag: tag, choice: nil, at: 0)
        }
        try reader.expectEnd()
    }

    public var encoded: [UInt8] {
        switch self {
        case .dataNotification(let apdu): apdu.encoded
        case .getRequest(let apdu): apdu.encoded
        case .getResponse(let apdu): apdu.encoded
        case .exceptionResponse(let apdu): apdu.encoded
        case .generalSigning(let apdu): apdu.encoded
        }
    }

    /// The Blue Book name of the APDU.
    public var name: String {
        switch self {
        case .dataNotification: "data-notification"
        case .getRequest: "get-request-normal"
        case .getResponse: "get-response-normal"
        case .exceptionResponse: "exception-response"
        case .generalSigning: "general-signing"
        }
    }
}
