/// RFC 5280 §5.3.1 reason codes, spelled as `gatewayctl ca revoke --reason` takes them.
public enum CRLReason: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unspecified = 0
    case keyCompromise = 1
    case caCompromise = 2
    case affiliationChanged = 3
    case superseded = 4
    case cessationOfOperation = 5
    case certificateHold = 6
    case privilegeWithdrawn = 9

    public init?(name: String) {
        guard let reason = Self.allCases.first(where: { "\($0)".lowercased() == name.lowercased() }) else { return nil }
        self = reason
    }

    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .keyCompromise: "keyCompromise"
        case .caCompromise: "cACompromise"
        case .affiliationChanged: "affiliationChanged"
        case .superseded: "superseded"
        case .cessationOfOperation: "cessationOfOperation"
        case .certificateHold: "certificateHold"
        case .privilegeWithdrawn: "privilegeWithdrawn"
        }
    }
}
