import PKI
import Transport

/// Where the head-end gets the CRLs it validates with, asked before every frame: pkid's current CRL in the daemon
/// (`CRLCache`, which refreshes it), a fixed list in tests. An empty answer is not "nothing revoked": the validator
/// fails closed, and the frame gets a retry-later refusal.
public protocol RevocationListSource: Sendable {
    func crls() async -> [ParsedCRL]
}

extension CRLCache: RevocationListSource {}

/// CRLs that do not change (tests, and a head-end given a CRL file).
public struct FixedRevocationLists: RevocationListSource {
    public var lists: [ParsedCRL]
    public init(_ lists: [ParsedCRL]) { self.lists = lists }
    public func crls() async -> [ParsedCRL] { lists }
}
