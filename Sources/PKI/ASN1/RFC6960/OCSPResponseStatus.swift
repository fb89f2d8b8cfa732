import SwiftASN1

/// Whether a responder could answer (RFC 6960 §4.2.1):
/// ```
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized }
/// ```
package enum OCSPResponseStatus: Int, DERImplicitlyTaggable, Hashable, Sendable {
    case successful = 0
    case malformedRequest = 1
    case internalError = 2
    case tryLater = 3
    case sigRequired = 5
    case unauthorized = 6

    package static var defaultIdentifier: ASN1Identifier { .enumerated }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        let value = try Int(derEncoded: rootNode, withIdentifier: identifier)
        guard let status = OCSPResponseStatus(rawValue: value) else { throw PKIError.malformed("unknown OCSP response status \(value)") }
        self = status
    }

    /// One content octet: every status is below 0x80. Cannot fail, so a bare status is always at hand.
    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) {
        coder.appendPrimitiveNode(identifier: identifier) { $0.append(UInt8(rawValue)) }
    }
}
