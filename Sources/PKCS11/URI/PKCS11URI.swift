// RFC 7512 PKCS#11 URIs: parsing and canonical printing.
//
// The parser follows the RFC's ABNF rather than a general URI reader, because a lenient reader
// and a strict one can disagree about which token or key a URI names, and here that decides
// which key signs. Everything is done on UTF-8 bytes: the delimiters are ASCII, and working on
// `Character`s would let a combining mark glue itself onto a ";" and hide the delimiter.

/// An RFC 7512 PKCS#11 URI: which token, which object, and how to get the PIN and module.
///
/// Every attribute is optional and a missing one matches anything, so `PKCS11URI()`, printed as
/// `pkcs11:`, matches every object. Values are held decoded: text as the string the token
/// reports, `id` as the raw `CKA_ID` bytes.
///
/// `description` (what string interpolation and loggers use) hides `pin-value`; only
/// `uriString` carries the PIN, so that a URI dropped into a log line does not leak it.
public struct PKCS11URI: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum ObjectType: String, Sendable, Hashable, CaseIterable {
        case publicKey = "public", privateKey = "private", certificate = "cert", secretKey = "secret-key", data = "data"
    }

    /// `library-version`: "1.23" or "3" (minor 0). Both parts are one byte, as in `CK_VERSION`.
    /// Always printed as "major.minor", so "3" reads back and prints as "3.0".
    public struct Version: Sendable, Hashable {
        public var major: UInt8
        public var minor: UInt8

        public init(major: UInt8, minor: UInt8 = 0) {
            self.major = major
            self.minor = minor
        }
    }

    /// A vendor-specific attribute. Kept in the order it was written, since the RFC gives
    /// vendors the meaning of their attributes and order may be part of it.
    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    // Path attributes: what to match. All optional; missing matches anything.
    public var token: String?
    public var manufacturer: String?
    public var serial: String?
    public var model: String?
    public var libraryManufacturer: String?
    public var libraryDescription: String?
    public var libraryVersion: Version?
    public var slotDescription: String?
    public var slotManufacturer: String?
    /// `slot-id`, decimal.
    public var slotID: UInt?
    /// `CKA_LABEL`.
    public var object: String?
    /// `CKA_ID`, raw bytes.
    public var id: [UInt8]?
    public var type: ObjectType?
    public var vendorPathAttributes: [Attribute] = []

    // Query attributes: how to get at the object.
    public var pinSource: String?
    public var pinValue: String?
    public var moduleName: String?
    public var modulePath: String?
    public var vendorQueryAttributes: [Attribute] = []

    /// `pkcs11:`, which matches everything.
    public init() {}

    /// Parses an RFC 7512 URI. The scheme is case-insensitive, and so are the standard attribute
    /// names (ABNF literals are, per RFC 5234); vendor attribute names keep their spelling.
    public init(parsing text: String) throws(PKCS11URIError) {
        var parser = Parser(text: text)
        self = try parser.parse()
    }

    /// The canonical text; parsing it again gives an equal value. Includes pin-value.
    ///
    /// Standard attributes come in the order of RFC 7512's ABNF, then vendor attributes in their
    /// own order, so equal values always print the same string. A vendor attribute whose name is
    /// not a legal vendor name (empty, characters outside `pk11-v-attr-nm-char`, or a standard
    /// attribute's name) is printed with its name percent-encoded: that cannot smuggle in another
    /// attribute, and parsing the result fails loudly instead of silently meaning something else.
    public var uriString: String { render(hidingPIN: false) }

    /// Like uriString but pin-value is replaced by "REDACTED", so the URI can go into logs and error messages.
    public var description: String { render(hidingPIN: true) }

    /// Same as `description`: `debugPrint` and `String(reflecting:)` must not leak the PIN either.
    public var debugDescription: String { description }
}

/// Why a string is not a PKCS#11 URI this parser accepts.
///
/// Every case carries `uri`, the input text with anything that looks like a `pin-value` replaced
/// by "REDACTED", so the error can be logged as it is.
public enum PKCS11URIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The two parts of a PKCS#11 URI: the path (before "?") and the query (after it).
    public enum Component: String, Sendable, Hashable {
        case path, query
    }

    /// The text does not start with "pkcs11:" (in any case).
    case missingScheme(uri: String)
    /// Two delimiters in a row, or one at the start or end of a component.
    case emptyAttribute(uri: String, component: Component)
    /// A `name=value` pair without "=". `attribute` is the pair's text.
    case missingEqualsSign(uri: String, attribute: String)
    /// The name is empty or has characters other than letters, digits, "-" and "_".
    case invalidAttributeName(uri: String, name: String)
    /// A query attribute in the path, or a path attribute in the query; `component` is where it was found.
    case misplacedAttribute(uri: String, name: String, component: Component)
    /// A path attribute, or a standard query attribute, given more than once.
    case duplicateAttribute(uri: String, name: String)
    /// A character that the component only admits percent-encoded.
    case invalidCharacter(uri: String, attribute: String)
    /// A "%" not followed by two hex digits.
    case invalidPercentEncoding(uri: String, attribute: String)
    /// A text attribute that is not UTF-8 once percent-decoded.
    case invalidUTF8(uri: String, attribute: String)
    /// `type` is not public, private, cert, secret-key or data.
    case invalidType(uri: String, value: String)
    /// `slot-id` is not a decimal number that fits in `UInt`.
    case invalidSlotID(uri: String, value: String)
    /// `library-version` is not "M" or "M.m" with each number in 0...255.
    case invalidLibraryVersion(uri: String, value: String)

    /// The offending input, with any pin-value redacted.
    public var uri: String {
        switch self {
        case .missingScheme(let uri), .emptyAttribute(let uri, _), .missingEqualsSign(let uri, _),
            .invalidAttributeName(let uri, _), .misplacedAttribute(let uri, _, _), .duplicateAttribute(let uri, _),
            .invalidCharacter(let uri, _), .invalidPercentEncoding(let uri, _), .invalidUTF8(let uri, _),
            .invalidType(let uri, _), .invalidSlotID(let uri, _), .invalidLibraryVersion(let uri, _):
            uri
        }
    }

    /// One line: what is wrong and where, e.g.
    /// `invalid PKCS#11 URI "pkcs11:id=%G1": bad percent-encoding in attribute "id"`.
    public var description: String {
        "invalid PKCS#11 URI \(quoted(uri)): \(reason)"
    }

    private var reason: String {
        switch self {
        case .missingScheme:
            return "it does not start with \"pkcs11:\""
        case .emptyAttribute(_, let component):
            let separator = component == .path ? ";" : "&"
            return "empty attribute in the \(component.rawValue) (a \"\(separator)\" at the start or end, or two in a row)"
        case .missingEqualsSign(_, let attribute):
            return "attribute \(quoted(attribute)) has no \"=\""
        case .invalidAttributeName(_, let name):
            return "invalid attribute name \(quoted(name)) (only letters, digits, \"-\" and \"_\" are allowed)"
        case .misplacedAttribute(_, let name, .path):
            return "query attribute \(quoted(name)) is in the path; it belongs after \"?\""
        case .misplacedAttribute(_, let name, .query):
            return "path attribute \(quoted(name)) is in the query; it belongs before \"?\""
        case .duplicateAttribute(_, let name):
            return "attribute \(quoted(name)) appears more than once"
        case .invalidCharacter(_, let attribute):
            return "attribute \(quoted(attribute)) has a character that must be percent-encoded"
        case .invalidPercentEncoding(_, let attribute):
            return "bad percent-encoding in attribute \(quoted(attribute))"
        case .invalidUTF8(_, let attribute):
            return "attribute \(quoted(attribute)) is not valid UTF-8 after percent-decoding"
        case .invalidType(_, let value):
            return "type \(quoted(value)) is not one of public, private, cert, secret-key, data"
        case .invalidSlotID(_, let value):
            return "slot-id \(quoted(value)) is not a decimal number that fits in UInt"
        case .invalidLibraryVersion(_, let value):
            return "library-version \(quoted(value)) is not \"M\" or \"M.m\" with numbers from 0 to 255"
        }
    }
}

extension PKCS11URIError.Component {
    /// The byte that separates attributes inside this component.
    var separator: UInt8 { self == .path ? UInt8(ascii: ";") : UInt8(ascii: "&") }
}

// MARK: - Attribute table

extension PKCS11URI {
    typealias Component = PKCS11URIError.Component

    /// Stands in for the PIN in `description` and in error messages.
    static let redactionMarker = "REDACTED"

    /// The attributes RFC 7512 defines, in the order its ABNF lists them. Printing follows this
    /// order so that equal values always give the same text.
    enum StandardAttribute: String, CaseIterable {
        case token
        case manufacturer
        case serial
        case model
        case libraryManufacturer = "library-manufacturer"
        case libraryVersion = "library-version"
        case libraryDescription = "library-description"
        case object
        case type
        case id
        case slotDescription = "slot-description"
        case slotManufacturer = "slot-manufacturer"
        case slotID = "slot-id"
        case pinSource = "pin-source"
        case pinValue = "pin-value"
        case moduleName = "module-name"
        case modulePath = "module-path"

        var component: Component {
            switch self {
            case .pinSource, .pinValue, .moduleName, .modulePath: .query
            default: .path
            }
        }

        /// Where a plain-text attribute lives, so parsing and printing share one table; nil for
        /// the four attributes with their own value syntax.
        var textField: WritableKeyPath<PKCS11URI, String?>? {
            switch self {
            case .token: \.token
            case .manufacturer: \.manufacturer
            case .serial: \.serial
            case .model: \.model
            case .libraryManufacturer: \.libraryManufacturer
            case .libraryDescription: \.libraryDescription
            case .object: \.object
            case .slotDescription: \.slotDescription
            case .slotManufacturer: \.slotManufacturer
            case .pinSource: \.pinSource
            case .pinValue: \.pinValue
            case .moduleName: \.moduleName
            case .modulePath: \.modulePath
            case .libraryVersion, .type, .id, .slotID: nil
            }
        }

        /// Standard names are ABNF literals and so case-insensitive (RFC 5234 section 2.3).
        init?(name: some Collection<UInt8>) {
            self.init(rawValue: String(decoding: name.map(asciiLowercased), as: UTF8.self))
        }
    }

    /// Whether `name` can be written as a vendor attribute and read back as the same one.
    static func isLegalVendorName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isNameByte) && StandardAttribute(name: name.utf8) == nil
    }
}

// MARK: - Parsing

extension PKCS11URI {
    fileprivate struct Parser {
        let text: String
        var result = PKCS11URI()
        /// Path attribute names and standard query names seen so far: those must not repeat.
        /// Vendor query attributes may (RFC 7512 section 2.4), so they are not recorded.
        var seen: Set<String> = []

        /// The input as an error may show it.
        var uriForErrors: String { redactingPINs(in: text) }

        mutating func parse() throws(PKCS11URIError) -> PKCS11URI {
            let bytes = Array(text.utf8)
            let scheme = Array("pkcs11:".utf8)
            guard bytes.count >= scheme.count, zip(bytes, scheme).allSatisfy({ asciiLowercased($0) == $1 }) else {
                throw .missingScheme(uri: uriForErrors)
            }
            let rest = bytes[scheme.count...]
            // The first "?" ends the path; later ones are ordinary query characters.
            let question = rest.firstIndex(of: UInt8(ascii: "?")) ?? rest.endIndex
            try parseComponent(rest[..<question], .path)
            if question < rest.endIndex {
                try parseComponent(rest[(question + 1)...], .query)
            }
            return result
        }

        /// An empty component is fine ("pkcs11:", "pkcs11:?pin-source=..."); an empty attribute
        /// inside a non-empty one is not, since the ABNF has no place for it.
        mutating func parseComponent(_ bytes: ArraySlice<UInt8>, _ component: Component) throws(PKCS11URIError) {
            guard !bytes.isEmpty else { return }
            for pair in bytes.split(separator: component.separator, omittingEmptySubsequences: false) {
                try parseAttribute(pair, in: component)
            }
        }

        mutating func parseAttribute(_ pair: ArraySlice<UInt8>, in component: Component) throws(PKCS11URIError) {
            guard !pair.isEmpty else {
                throw .emptyAttribute(uri: uriForErrors, component: component)
            }
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else {
                let shown = String(decoding: redactedPair(pair), as: UTF8.self)
                throw .missingEqualsSign(uri: uriForErrors, attribute: shown)
            }
            let nameBytes = pair[..<equals]
            let valueBytes = pair[(equals + 1)...]
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(isNameByte) else {
                throw .invalidAttributeName(uri: uriForErrors, name: name)
            }

            guard let standard = StandardAttribute(name: nameBytes) else {
                try addVendorAttribute(name: name, valueBytes, in: component)
                return
            }
            // A query attribute read as a vendor path attribute would put a PIN where
            // `description` does not redact it, and a module hint where nobody looks for it.
            guard standard.component == component else {
                throw .misplacedAttribute(uri: uriForErrors, name: standard.rawValue, component: component)
            }
            guard seen.insert(standard.rawValue).inserted else {
                throw .duplicateAttribute(uri: uriForErrors, name: standard.rawValue)
            }
            let value = try decode(valueBytes, attribute: standard.rawValue, in: component)
            try assign(value, to: standard)
        }

        mutating func addVendorAttribute(name: String, _ valueBytes: ArraySlice<UInt8>, in component: Component)
            throws(PKCS11URIError)
        {
            let value = try decodedText(decode(valueBytes, attribute: name, in: component), attribute: name)
            switch component {
            case .path:
                // RFC 7512 section 2.3 forbids any repeated path attribute, vendor ones included.
                guard seen.insert(name).inserted else {
                    throw .duplicateAttribute(uri: uriForErrors, name: name)
                }
                result.vendorPathAttributes.append(Attribute(name: name, value: value))
            case .query:
                result.vendorQueryAttributes.append(Attribute(name: name, value: value))
            }
        }

        mutating func assign(_ value: [UInt8], to attribute: StandardAttribute) throws(PKCS11URIError) {
            if let field = attribute.textField {
                result[keyPath: field] = try decodedText(value, attribute: attribute.rawValue)
                return
            }
            let shown = String(decoding: value, as: UTF8.self)
            switch attribute {
            case .id:
                result.id = value
            case .type:
                // Like the names, the type keywords are ABNF literals and so case-insensitive.
                let keyword = String(decoding: value.map(asciiLowercased), as: UTF8.self)
                guard let type = ObjectType(rawValue: keyword) else {
                    throw .invalidType(uri: uriForErrors, value: shown)
                }
                result.type = type
            case .slotID:
                guard let slot = parseDecimal(value[...], as: UInt.self) else {
                    throw .invalidSlotID(uri: uriForErrors, value: shown)
                }
                result.slotID = slot
            case .libraryVersion:
                let parts = value.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
                guard parts.count <= 2,
                    let major = parts.first.flatMap({ parseDecimal($0, as: UInt8.self) }),
                    let minor = parts.count == 2 ? parseDecimal(parts[1], as: UInt8.self) : 0
                else {
                    throw .invalidLibraryVersion(uri: uriForErrors, value: shown)
                }
                result.libraryVersion = Version(major: major, minor: minor)
            default:
                break  // text attributes were handled above
            }
        }

        /// Percent-decodes one value, refusing what the ABNF refuses: a "%" without two hex
        /// digits after it, and a byte the component admits only percent-encoded.
        func decode(_ bytes: ArraySlice<UInt8>, attribute: String, in component: Component) throws(PKCS11URIError)
            -> [UInt8]
        {
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard bytes.endIndex - index >= 3,
                        let high = hexValue(bytes[index + 1]),
                        let low = hexValue(bytes[index + 2])
                    else {
                        throw .invalidPercentEncoding(uri: uriForErrors, attribute: attribute)
                    }
                    decoded.append(high << 4 | low)
                    index += 3
                } else {
                    guard isUnencoded(byte, in: component) else {
                        throw .invalidCharacter(uri: uriForErrors, attribute: attribute)
                    }
                    decoded.append(byte)
                    index += 1
                }
            }
            return decoded
        }

        /// Text attributes are UTF-8. Invalid bytes are refused rather than replaced with U+FFFD,
        /// because a replaced label could match a different token's label.
        func decodedText(_ bytes: [UInt8], attribute: String) throws(PKCS11URIError) -> String {
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw .invalidUTF8(uri: uriForErrors, attribute: attribute)
            }
            return string
        }
    }
}

// MARK: - Printing

extension PKCS11URI {
    private func render(hidingPIN: Bool) -> String {
        var path: [String] = []
        var query: [String] = []
        for attribute in StandardAttribute.allCases {
            guard let value = encodedValue(of: attribute) else { continue }
            let shown = hidingPIN && attribute == .pinValue ? Self.redactionMarker : value
            let pair = attribute.rawValue + "=" + shown
            switch attribute.component {
            case .path: path.append(pair)
            case .query: query.append(pair)
            }
        }
        path += vendorPathAttributes.map { Self.encoded($0, in: .path, hidingPIN: hidingPIN) }
        query += vendorQueryAttributes.map { Self.encoded($0, in: .query, hidingPIN: hidingPIN) }

        var text = "pkcs11:" + path.joined(separator: ";")
        if !query.isEmpty {
            text += "?" + query.joined(separator: "&")
        }
        return text
    }

    private func encodedValue(of attribute: StandardAttribute) -> String? {
        if let field = attribute.textField {
            return self[keyPath: field].map { percentEncoded($0.utf8, in: attribute.component) }
        }
        switch attribute {
        case .libraryVersion:
            return libraryVersion.map { "\($0.major).\($0.minor)" }
        case .type:
            return type?.rawValue
        case .id:
            // RFC 7512 section 2.6 compares ids in this form, and raw bytes are not text anyway.
            return id.map { percentEncoded($0, in: .path, everything: true) }
        case .slotID:
            return slotID.map { String($0) }
        default:
            return nil
        }
    }

    private static func encoded(_ attribute: Attribute, in component: Component, hidingPIN: Bool) -> String {
        let name =
            isLegalVendorName(attribute.name)
            ? attribute.name : percentEncoded(attribute.name.utf8, in: component, everything: true)
        // A vendor attribute can only be called "pin-value" if the name was mangled above, but
        // whoever built it probably meant a PIN, so it is hidden all the same.
        let isPIN = String(decoding: attribute.name.utf8.map(asciiLowercased), as: UTF8.self) == "pin-value"
        let value = hidingPIN && isPIN ? redactionMarker : percentEncoded(attribute.value.utf8, in: component)
        return name + "=" + value
    }
}

// MARK: - Byte helpers

/// The bytes a value may carry unencoded: RFC 7512's `pk11-pchar` / `pk11-qchar` minus
/// `pct-encoded`. The components differ only around their own delimiters: the path splits on ";"
/// and so may carry "&", the query splits on "&" and so may carry "/", "?" and "|".
private func isUnencoded(_ byte: UInt8, in component: PKCS11URIError.Component) -> Bool {
    if isASCIIAlphanumeric(byte) || unreservedPunctuation.contains(byte) || sharedReserved.contains(byte) {
        return true
    }
    switch component {
    case .path: return byte == UInt8(ascii: "&")
    case .query: return queryOnlyReserved.contains(byte)
    }
}

private let unreservedPunctuation = Array("-._~".utf8)
private let sharedReserved = Array(":[]@!$'()*+,=".utf8)
private let queryOnlyReserved = Array("/?|".utf8)
private let uppercaseHexDigits = Array("0123456789ABCDEF".utf8)

/// `pk11-v-attr-nm-char`; the standard names use the same characters.
private func isNameByte(_ byte: UInt8) -> Bool {
    isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
}

private func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

/// ASCII-only folding: Unicode folding would map e.g. U+212A KELVIN SIGN to "k" and let a
/// non-ASCII name pass for a standard one.
private func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Percent-encodes with uppercase hex (the form RFC 3986 section 6.2.2.1 normalizes to).
/// `everything` encodes every byte, which `id` and illegal vendor names need.
private func percentEncoded(
    _ bytes: some Sequence<UInt8>, in component: PKCS11URIError.Component, everything: Bool = false
) -> String {
    var encoded: [UInt8] = []
    for byte in bytes {
        if !everything && isUnencoded(byte, in: component) {
            encoded.append(byte)
        } else {
            encoded += [UInt8(ascii: "%"), uppercaseHexDigits[Int(byte >> 4)], uppercaseHexDigits[Int(byte & 0x0F)]]
        }
    }
    return String(decoding: encoded, as: UTF8.self)
}

/// Reads `1*DIGIT`. The RFC bounds neither the digit count nor the value, so overflow is
/// reported as "does not fit" rather than trapping.
private func parseDecimal<T: FixedWidthInteger & UnsignedInteger>(_ digits: ArraySlice<UInt8>, as _: T.Type) -> T? {
    guard !digits.isEmpty else { return nil }
    var value: T = 0
    for byte in digits {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflowB) = shifted.addingReportingOverflow(T(byte - UInt8(ascii: "0")))
        guard !overflowA, !overflowB else { return nil }
        value = sum
    }
    return value
}

// MARK: - Keeping PINs out of error messages

/// The input as an error message may show it. Whatever the parser would have read as a
/// `pin-value`, and anything that looks like one, is replaced: the text is split the way the
/// parser splits it, so this holds even for a URI too malformed to parse.
private func redactingPINs(in text: String) -> String {
    let bytes = Array(text.utf8)
    let question = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
    var redacted = redactingPINs(in: bytes[..<question], separator: UInt8(ascii: ";"))
    if question < bytes.endIndex {
        redacted.append(UInt8(ascii: "?"))
        redacted += redactingPINs(in: bytes[(question + 1)...], separator: UInt8(ascii: "&"))
    }
    return String(decoding: redacted, as: UTF8.self)
}

private func redactingPINs(in bytes: ArraySlice<UInt8>, separator: UInt8) -> [UInt8] {
    var redacted: [UInt8] = []
    for (index, pair) in bytes.split(separator: separator, omittingEmptySubsequences: false).enumerated() {
        if index > 0 { redacted.append(separator) }
        redacted += redactedPair(pair)
    }
    return redacted
}

/// One attribute's text with everything after "pin-value" (any case, anywhere in it) replaced.
/// Deliberately over-eager: hiding a harmless value costs little, showing a PIN costs a lot.
private func redactedPair(_ pair: ArraySlice<UInt8>) -> [UInt8] {
    let needle = Array("pin-value".utf8)
    guard pair.count >= needle.count else { return Array(pair) }
    for start in pair.startIndex...(pair.endIndex - needle.count) {
        let candidate = pair[start..<(start + needle.count)]
        if candidate.map(asciiLowercased).elementsEqual(needle) {
            return Array(pair[..<candidate.endIndex]) + Array(("=" + PKCS11URI.redactionMarker).utf8)
        }
    }
    return Array(pair)
}

/// Quotes text for a one-line message: control and line-breaking characters are escaped, so a
/// hostile input cannot forge extra log lines.
private func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || scalar.value == 0x2028 || scalar.value == 0x2029:
            result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
