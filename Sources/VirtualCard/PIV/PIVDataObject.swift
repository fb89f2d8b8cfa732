/// A PIV data object's tag, as GET DATA and PUT DATA name it in their `5C` element (SP 800-73-4 Part 1
/// Table 3). Stored objects keep their whole `53 { ... }` container, exactly what GET DATA answers.
public struct PIVDataObject: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let cardCapabilityContainer = PIVDataObject(rawValue: 0x5FC107)
    public static let chuid = PIVDataObject(rawValue: 0x5FC102)
    public static let certificate9A = PIVDataObject(rawValue: 0x5FC105)
    public static let certificate9C = PIVDataObject(rawValue: 0x5FC10A)
    public static let certificate9D = PIVDataObject(rawValue: 0x5FC10B)
    public static let certificate9E = PIVDataObject(rawValue: 0x5FC101)
    public static let discovery = PIVDataObject(rawValue: 0x7E)

    /// The tag bytes as the `5C` element carries them.
    public var tagBytes: [UInt8] {
        rawValue > 0xFFFF ? [UInt8(rawValue >> 16), UInt8((rawValue >> 8) & 0xFF), UInt8(rawValue & 0xFF)]
            : rawValue > 0xFF ? [UInt8(rawValue >> 8), UInt8(rawValue & 0xFF)] : [UInt8(rawValue)]
    }

    init?(tagBytes: [UInt8]) {
        guard (1...3).contains(tagBytes.count) else { return nil }
        rawValue = tagBytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The container of a certificate object: `53 { 70 <DER>, 71 00 (not compressed), FE 00 (no LRC) }`.
    public static func certificateContainer(_ der: [UInt8]) -> [UInt8] {
        TLV(tag: 0x53, children: [TLV(tag: 0x70, value: der), TLV(tag: 0x71, value: [0x00]), TLV(tag: 0xFE, value: [])]).encoded
    }

    /// The certificate inside a stored container, if it is one.
    public static func certificate(inContainer container: [UInt8]) -> [UInt8]? {
        guard let outer = try? TLVReader.elements(of: container).first(tag: 0x53),
              let inner = try? TLVReader.elements(of: outer.value), let cert = inner.first(tag: 0x70) else { return nil }
        return cert.value
    }

    public var description: String { String(rawValue, radix: 16, uppercase: true) }
}
