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

    /// Whether a revocation for this reason also withdraws trust from what the key signed before the revocation date.
    ///
    /// Superseded, affiliation changed and cessation of operation say the certificate is no longer needed, not that
    /// its key was misused: a frame the key signed before the revocation is as genuine as it was when signed, and a
    /// gateway's backlog that crosses a renewal must still be stored. Key or CA compromise (and every other reason,
    /// unspecified included) reaches back: whoever holds a compromised key can also write an old date into a frame,
    /// so no date it signed can be believed.
    public var reachesBack: Bool {
        switch self {
        case .superseded, .affiliationChanged, .cessationOfOperation: false
        case .unspecified, .keyCompromise, .caCompromise, .certificateHold, .privilegeWithdrawn: true
        }
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
