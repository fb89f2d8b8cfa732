/// Get-Response-Normal (`C4 01`): `C4 01 | invoke-id-and-priority | 00 Data` on success, or
/// `C4 01 | invoke-id-and-priority | 01 data-access-result` on failure.
public struct GetResponseNormal: Sendable, Hashable {
    public static let tag: UInt8 = 0xC4
    public static let choice: UInt8 = 0x01

    /// Get-Data-Result: the value, or why there is none.
    public enum Result: Sendable, Hashable {
        case data(COSEMData)
        case dataAccessError(DataAccessResult)
    }

    public var invokeIDAndPriority: InvokeIdAndPriority
    public var result: Result

    public init(invokeIDAndPriority: InvokeIdAndPriority, result: Result) {
        self.invokeIDAndPriority = invokeIDAndPriority
        self.result = result
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.tag)
        writer.u8(Self.choice)
        writer.u8(invokeIDAndPriority.rawValue)
        switch result {
        case .data(let data):
            writer.u8(0)
            data.write(to: &writer)
        case .dataAccessError(let error):
            writer.u8(1)
            writer.u8(error.rawValue)
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        try expectTag(Self.tag, in: &reader)
        try expectChoice(Self.choice, of: Self.tag, in: &reader)
        self = try Self.readBody(from: &reader, limits: limits)
        try reader.expectEnd()
    }

    /// Everything after `C4 01`.
    static func readBody(from reader: inout ByteReader, limits: DecodingLimits) throws(COSEMError) -> GetResponseNormal {
        let invoke = InvokeIdAndPriority(rawValue: try reader.u8())
        let choiceAt = reader.offset
        switch try reader.u8() {
        case 0:
            return GetResponseNormal(invokeIDAndPriority: invoke, result: .data(try COSEMData.read(from: &reader, limits: limits)))
        case 1:
            return GetResponseNormal(invokeIDAndPriority: invoke,
                                     result: .dataAccessError(DataAccessResult(rawValue: try reader.u8())))
        case let choice:
            throw .invalidValue(at: choiceAt, "get-data-result choice \(choice) (must be 0 or 1)")
        }
    }
}
