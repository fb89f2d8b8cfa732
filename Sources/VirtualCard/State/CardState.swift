import Crypto

/// Everything a PIV card remembers across power cycles: PIN and its retry counter, the management key, keys by
/// slot and data objects by tag. Session state (PIN verified, management key authenticated) is not here: a
/// card forgets it when the power goes.
public struct CardState: Sendable, Hashable, Codable {
    /// Wrong PINs in a row before the PIN blocks (the usual PIV card default).
    public static let pinRetryLimit = 3
    /// The PIV application PIN every card ships with.
    public static let defaultPIN = "123456"

    public var pin: String
    public var pinTriesLeft: Int
    public var managementKey: ManagementKey
    /// Keys by slot name ("9c").
    public var keys: [String: CardKey]
    /// Data objects by tag in hex ("5FC10A"), each the whole `53 { ... }` container.
    public var objects: [String: [UInt8]]

    public var isPINBlocked: Bool { pinTriesLeft <= 0 }

    /// A new, empty card: no keys, a CHUID with a random GUID (OpenSC shows it as the serial number) and a CCC.
    public init(pin: String = CardState.defaultPIN, managementKey: ManagementKey? = nil) throws(CardStateError) {
        guard Self.isValidPIN(pin) else { throw .invalidPIN }
        self.pin = pin
        pinTriesLeft = Self.pinRetryLimit
        if let managementKey {
            self.managementKey = managementKey
        } else {
            self.managementKey = try ManagementKey(value: ManagementKey.defaultValue)
        }
        keys = [:]
        objects = [:]
        var guid = [UInt8](repeating: 0, count: 16)
        for index in guid.indices { guid[index] = UInt8.random(in: 0...255) }
        self[object: .chuid] = Self.chuid(guid: guid)
        self[object: .cardCapabilityContainer] = Self.cardCapabilityContainer(identifier: guid)
    }

    /// PIV PINs are 6 to 8 digits (SP 800-73-4 Part 2 §2.4.3).
    public static func isValidPIN(_ pin: String) -> Bool {
        (6...8).contains(pin.utf8.count) && pin.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    public subscript(key slot: PIVKeyReference) -> CardKey? {
        get { keys[slot.name] }
        set { keys[slot.name] = newValue }
    }

    public subscript(object object: PIVDataObject) -> [UInt8]? {
        get { objects[object.description] }
        set { objects[object.description] = newValue }
    }

    /// The certificate (DER) stored for a slot.
    public func certificate(for slot: PIVKeyReference) -> [UInt8]? {
        slot.certificateObject.flatMap { self[object: $0] }.flatMap(PIVDataObject.certificate(inContainer:))
    }

    /// CHUID: the "9999" FASC-N that says "no agency" (so OpenSC takes the GUID as the serial), the GUID, an
    /// expiry date, an empty signature and the LRC placeholder.
    static func chuid(guid: [UInt8]) -> [UInt8] {
        let fascn: [UInt8] = [0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73, 0x9D, 0x83, 0x68,
                              0x58, 0x21, 0x08, 0x42, 0x10, 0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB]
        return TLV(tag: 0x53, children: [
            TLV(tag: 0x30, value: fascn), TLV(tag: 0x34, value: guid),
            TLV(tag: 0x35, value: Array("20991231".utf8)), TLV(tag: 0x3E, value: []), TLV(tag: 0xFE, value: []),
        ]).encoded
    }

    /// CCC: a card identifier and version numbers, nothing that points OpenSC at extensions it would probe.
    static func cardCapabilityContainer(identifier: [UInt8]) -> [UInt8] {
        let cardIdentifier: [UInt8] = [0xA0, 0x00, 0x00, 0x01, 0x16, 0xFF, 0x02] + Array(identifier.prefix(14))
        return TLV(tag: 0x53, children: [
            TLV(tag: 0xF0, value: cardIdentifier), TLV(tag: 0xF1, value: [0x21]), TLV(tag: 0xF2, value: [0x21]),
            TLV(tag: 0xF3, value: []), TLV(tag: 0xF4, value: [0x00]), TLV(tag: 0xF5, value: [0x10]),
            TLV(tag: 0xF6, value: []), TLV(tag: 0xF7, value: []), TLV(tag: 0xFA, value: []),
            TLV(tag: 0xFB, value: []), TLV(tag: 0xFC, value: []), TLV(tag: 0xFD, value: []), TLV(tag: 0xFE, value: []),
        ]).encoded
    }
}
