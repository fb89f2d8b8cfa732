import SwiftASN1
import X509

/// Distinguished names as users type them: `CN=00DB1234567890A0,O=Utility,C=DE` (RFC 4514 order, most specific
/// first; a backslash escapes a comma). Only the attributes a metering PKI uses are understood.
public enum SubjectName {
    static let attributes: [String: ASN1ObjectIdentifier] = [
        "CN": .RDNAttributeType.commonName, "O": .RDNAttributeType.organizationName,
        "OU": .RDNAttributeType.organizationalUnitName, "C": .RDNAttributeType.countryName,
        "L": .RDNAttributeType.localityName, "ST": .RDNAttributeType.stateOrProvinceName,
    ]

    public static func parse(_ text: String) throws(PKIError) -> DistinguishedName {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        var rdns: [RelativeDistinguishedName] = []
        for part in parts.reversed() {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, !pieces[1].isEmpty else { throw .invalidSubject("\"\(part)\" is not NAME=value") }
            guard let type = attributes[pieces[0].uppercased()] else {
                throw .invalidSubject("unknown attribute \(pieces[0]) (use CN, O, OU, C, L or ST)")
            }
            let attribute: RelativeDistinguishedName.Attribute
            if type == .RDNAttributeType.countryName {
                do {
                    attribute = try .init(type: type, printableString: pieces[1])
                } catch {
                    throw .invalidSubject("\(pieces[0]) must be printable characters")
                }
            } else {
                attribute = .init(type: type, utf8String: pieces[1])
            }
            rdns.append(RelativeDistinguishedName(attribute))
        }
        return DistinguishedName(rdns)
    }

    /// The subject's common name, if it has one.
    public static func commonName(of name: DistinguishedName) -> String? {
        for rdn in name.reversed() {
            for attribute in rdn where attribute.type == ASN1ObjectIdentifier.RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }
}
