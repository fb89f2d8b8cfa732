import SwiftASN1
import X509

/// Where a CRL is published (RFC 5280 §4.2.1.13):
/// ```
/// DistributionPoint ::= SEQUENCE {
///      distributionPoint       [0]     DistributionPointName OPTIONAL,
///      reasons                 [1]     ReasonFlags OPTIONAL,
///      cRLIssuer               [2]     GeneralNames OPTIONAL }
///
/// DistributionPointName ::= CHOICE {
///      fullName                [0]     GeneralNames,
///      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
/// ```
/// Only the form this PKI writes: a full name (its CRL's URL), for every reason, from the certificate's issuer.
/// The other fields are refused when read: they would narrow what the CRL covers, which nothing here checks.
package struct DistributionPoint: DERImplicitlyTaggable, Hashable, Sendable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var fullName: [GeneralName]

    package init(fullName: [GeneralName]) {
        self.fullName = fullName
    }

    private static let fullNameIdentifier = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let names = try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                try DER.sequence(of: GeneralName.self, identifier: Self.fullNameIdentifier, rootNode: node)
            }
            guard nodes.next() == nil else { throw PKIError.malformed("a distribution point limited by reasons or issuer") }
            return DistributionPoint(fullName: names)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serializeSequenceOf(fullName, identifier: Self.fullNameIdentifier)
            }
        }
    }
}
