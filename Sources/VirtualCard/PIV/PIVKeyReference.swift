/// The PIV key references this card knows (SP 800-73-4 Part 1 Table 4b), with the data object holding each
/// key's certificate and the PIN rule OpenSC expects for it.
public enum PIVKeyReference: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case authentication = 0x9A
    case cardManagement = 0x9B
    case signature = 0x9C
    case keyManagement = 0x9D
    case cardAuthentication = 0x9E

    /// The slots that hold an asymmetric key and a certificate.
    public static let asymmetric: [PIVKeyReference] = [.authentication, .signature, .keyManagement, .cardAuthentication]

    /// `9c`, as users type it in `--slot`.
    public init?(name: String) {
        guard let value = UInt8(name.lowercased().replacingOccurrences(of: "0x", with: ""), radix: 16),
              let reference = PIVKeyReference(rawValue: value) else { return nil }
        self = reference
    }

    public var name: String { String(rawValue, radix: 16) }
    public var description: String { name.uppercased() }

    /// The certificate's data object; nil for the management key.
    public var certificateObject: PIVDataObject? {
        switch self {
        case .authentication: .certificate9A
        case .signature: .certificate9C
        case .keyManagement: .certificate9D
        case .cardAuthentication: .certificate9E
        case .cardManagement: nil
        }
    }

    /// What must have happened before the key may sign. 9C is the digital-signature key: PIV demands the PIN
    /// right before every use ("PIN always"), which OpenSC maps to CKA_ALWAYS_AUTHENTICATE. 9E, the card
    /// authentication key, needs nothing, as on a real card.
    public var access: KeyAccess {
        switch self {
        case .signature: .pinAlways
        case .cardAuthentication: .always
        default: .pin
        }
    }

    public enum KeyAccess: Sendable, Hashable {
        case always, pin, pinAlways
    }
}
