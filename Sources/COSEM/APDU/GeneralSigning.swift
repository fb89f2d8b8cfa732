/// General-Signing (tag 0xDF): an APDU (the content) signed by its originator (REFERENCE §3).
///
/// `DF | transaction-id | originator-system-title | recipient-system-title | date-time | other-information |
/// content | signature`, each an A-XDR octet string (length + bytes, empty = `00`). The date-time octet
/// string is empty or 12 bytes; the others are kept as bytes. The signature is raw r||s (64 bytes for suite 1,
/// 96 for suite 2); this module only carries it — verification belongs to the signing code.
public struct GeneralSigning: Sendable, Hashable {
    public static let tag: UInt8 = 0xDF

    /// Which bytes the signature covers; implementations differ (REFERENCE §3).
    public enum SignedBytesConvention: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Everything after the DF tag up to the end of the content, the content's length prefix included
        /// (SmartDCC GBCS parser; verifies the published GBCS vectors). The project's default.
        case a
        /// The same without the content's length prefix (Gurux .NET/Java, Connexo).
        case b

        public var description: String {
            switch self {
            case .a: "A (content length prefix included)"
            case .b: "B (content length prefix excluded)"
            }
        }
    }

    public var transactionID: [UInt8]
    public var originatorSystemTitle: [UInt8]
    public var recipientSystemTitle: [UInt8]
    public var dateTime: COSEMDateTime?
    public var otherInformation: [UInt8]
    /// The signed APDU, e.g. an encoded data-notification; see `decodedContent`.
    public var content: [UInt8]
    public var signature: [UInt8]

    public init(transactionID: [UInt8], originatorSystemTitle: [UInt8], recipientSystemTitle: [UInt8],
                dateTime: COSEMDateTime? = nil, otherInformation: [UInt8] = [], content: [UInt8], signature: [UInt8] = []) {
        self.transactionID = transactionID
        self.originatorSystemTitle = originatorSystemTitle
        self.recipientSystemTitle = recipientSystemTitle
        self.dateTime = dateTime
        self.otherInformation = otherInformation
        self.content = content
        self.signature = signature
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.tag)
        writeSignedPart(to: &writer, contentLengthIncluded: true)
        writer.octetString(signature)
        return writer.bytes
    }

    /// The exact bytes the signature covers under `convention`. They do not depend on `signature`, so a
    /// signer builds the APDU with an empty signature, signs these bytes, then sets `signature`. Because the
    /// decoder only accepts canonical encodings, for a decoded APDU these are exactly the received bytes
    /// (convention A: bytes `1 ..< count - signature field`).
    public func signedBytes(_ convention: SignedBytesConvention = .a) -> [UInt8] {
        var writer = ByteWriter()
        writeSignedPart(to: &writer, contentLengthIncluded: convention == .a)
        return writer.bytes
    }

    private func writeSignedPart(to writer: inout ByteWriter, contentLengthIncluded: Bool) {
        writer.octetString(transactionID)
        writer.octetString(originatorSystemTitle)
        writer.octetString(recipientSystemTitle)
        writeOptionalDateTime(dateTime, to: &writer)
        writer.octetString(otherInformation)
        if contentLengthIncluded { writer.length(content.count) }
        writer.bytes(content)
    }

    /// The content decoded as an APDU (for this project, the signed data-notification).
    public func decodedContent(limits: DecodingLimits = .default) throws(COSEMError) -> APDU {
        try APDU(decoding: content, limits: limits)
    }

    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        try expectTag(Self.tag, in: &reader)
        self = try Self.readBody(from: &reader, limits: limits)
        try reader.expectEnd()
    }

    static func readBody(from reader: inout ByteReader, limits: DecodingLimits) throws(COSEMError) -> GeneralSigning {
        func octets(_ reader: inout ByteReader) throws(COSEMError) -> [UInt8] {
            try reader.bytes(try reader.length(limit: limits.maxLength))
        }
        let transactionID = try octets(&reader)
        let originator = try octets(&reader)
        let recipient = try octets(&reader)
        let dateTime = try readOptionalDateTime(from: &reader)
        let other = try octets(&reader)
        let content = try octets(&reader)
        let signature = try octets(&reader)
        return GeneralSigning(transactionID: transactionID, originatorSystemTitle: originator,
                              recipientSystemTitle: recipient, dateTime: dateTime, otherInformation: other,
                              content: content, signature: signature)
    }
}
