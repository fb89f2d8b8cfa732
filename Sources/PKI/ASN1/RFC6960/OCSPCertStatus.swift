import SwiftASN1

/// What became of one certificate (RFC 6960 §4.2.1):
/// ```
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
///
/// UnknownInfo ::= NULL
/// ```
package enum OCSPCertStatus: DERParseable, DERSerializable, Hashable, Sendable {
    case good
    case revoked(OCSPRevokedInfo)
    /// Another CA's certificate, a hash this responder does not compute, or a serial this CA never issued.
    case unknown

    private static let goodIdentifier = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let revokedIdentifier = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let unknownIdentifier = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)

    package init(derEncoded node: ASN1Node) throws {
        switch node.identifier {
        case Self.goodIdentifier:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.goodIdentifier)
            self = .good
        case Self.revokedIdentifier:
            self = .revoked(try OCSPRevokedInfo(derEncoded: node, withIdentifier: Self.revokedIdentifier))
        case Self.unknownIdentifier:
            _ = try ASN1Null(derEncoded: node, withIdentifier: Self.unknownIdentifier)
            self = .unknown
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    package func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .good: ASN1Null().serialize(into: &coder, withIdentifier: Self.goodIdentifier)
        case .revoked(let info): try info.serialize(into: &coder, withIdentifier: Self.revokedIdentifier)
        case .unknown: ASN1Null().serialize(into: &coder, withIdentifier: Self.unknownIdentifier)
        }
    }
}
