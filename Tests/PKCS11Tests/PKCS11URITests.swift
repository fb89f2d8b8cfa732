import Testing
import TestSupport

@testable import PKCS11

/// The error `PKCS11URI(parsing:)` throws for `text`, or nil when it parses.
private func parseError(_ text: String) -> PKCS11URIError? {
    do {
        _ = try PKCS11URI(parsing: text)
        return nil
    } catch {
        return error
    }
}

// MARK: - RFC 7512 section 3 examples

@Suite("RFC 7512 section 3 examples")
struct RFC7512ExampleTests {
    @Test func emptyURIMatchesEverything() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:")
        #expect(uri == PKCS11URI())
        #expect(uri.token == nil)
        #expect(uri.id == nil)
        #expect(uri.vendorPathAttributes.isEmpty)
        #expect(uri.vendorQueryAttributes.isEmpty)
    }

    @Test func objectLabelAndType() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:object=my-pubkey;type=public")
        var expected = PKCS11URI()
        expected.object = "my-pubkey"
        expected.type = .publicKey
        #expect(uri == expected)
    }

    @Test func privateKeyWithPINSourceFile() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:object=my-key;type=private?pin-source=file:/etc/token")
        #expect(uri.object == "my-key")
        #expect(uri.type == .privateKey)
        #expect(uri.pinSource == "file:/etc/token")
        #expect(uri.pinValue == nil)
    }

    @Test func certificateWithEveryTokenAttribute() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
                + "manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;"
                + "id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin")
        #expect(uri.token == "The Software PKCS#11 Softtoken")
        #expect(uri.manufacturer == "Snake Oil, Inc.")
        #expect(uri.model == "1.0")
        #expect(uri.object == "my-certificate")
        #expect(uri.type == .certificate)
        #expect(uri.id == [0x69, 0x95, 0x3E, 0x5C, 0xF4, 0xBD, 0xEC, 0x91])
        #expect(uri.serial == "")  // present but empty: matches only an empty serial
        #expect(uri.pinSource == "file:/etc/token_pin")
    }

    @Test func moduleName() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11")
        #expect(uri.object == "my-sign-key")
        #expect(uri.type == .privateKey)
        #expect(uri.moduleName == "mypkcs11")
        #expect(uri.modulePath == nil)
    }

    @Test func modulePath() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1")
        #expect(uri.modulePath == "/mnt/libmypkcs11.so.1")
        #expect(uri.moduleName == nil)
    }

    @Test func pinValue() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin")
        #expect(uri.token == "Software PKCS#11 softtoken")
        #expect(uri.manufacturer == "Snake Oil, Inc.")
        #expect(uri.pinValue == "the-pin")
    }

    @Test func slotDescription() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:slot-description=Sun%20Metaslot")
        var expected = PKCS11URI()
        expected.slotDescription = "Sun Metaslot"
        #expect(uri == expected)
    }

    @Test func libraryAttributes() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;"
                + "library-description=Soft%20Token%20Library;library-version=1.23")
        #expect(uri.libraryManufacturer == "Snake Oil, Inc.")
        #expect(uri.libraryDescription == "Soft Token Library")
        #expect(uri.libraryVersion == PKCS11URI.Version(major: 1, minor: 23))
    }

    @Test func percentInTokenAndMixedCaseEscapesInID() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
                + "id=%01%02%03%Ba%dd%Ca%fe%04%05%06")
        #expect(uri.token == "My token% created by Joe")
        #expect(uri.libraryVersion == PKCS11URI.Version(major: 3, minor: 0))
        #expect(uri.id == [0x01, 0x02, 0x03, 0xBA, 0xDD, 0xCA, 0xFE, 0x04, 0x05, 0x06])
    }

    @Test func encodedPercentAndSemicolonSubstring() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert")
        // "%25%3B" is the text "%;" inside the value, not an escape and not a delimiter.
        #expect(uri.token == "A name with a substring %;")
        #expect(uri.object == "my-certificate")
        #expect(uri.type == .certificate)
    }

    @Test func utf8TokenName() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert")
        #expect(uri.token == "Name with a small A with acute: \u{E1}")
        #expect(uri.token.map { Array($0.utf8.suffix(2)) } == [0xC3, 0xA1])
        #expect(uri.object == "my-certificate")
    }

    @Test func vendorAttributesInPathAndQuery() throws {
        let uri = try PKCS11URI(
            parsing: "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
                + "?pin-source=file:/etc/token_pin&vendor-bbb=value-b")
        #expect(uri.token == "my-token")
        #expect(uri.object == "my-certificate")
        #expect(uri.type == .certificate)
        #expect(uri.pinSource == "file:/etc/token_pin")
        #expect(uri.vendorPathAttributes == [.init(name: "vendor-aaa", value: "value-a")])
        #expect(uri.vendorQueryAttributes == [.init(name: "vendor-bbb", value: "value-b")])
    }

    /// Each example and the canonical text this printer gives for it.
    static let canonicalForms: [(String, String)] = [
        ("pkcs11:", "pkcs11:"),
        ("pkcs11:object=my-pubkey;type=public", "pkcs11:object=my-pubkey;type=public"),
        (
            "pkcs11:object=my-key;type=private?pin-source=file:/etc/token",
            "pkcs11:object=my-key;type=private?pin-source=file:/etc/token"
        ),
        (
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;"
                + "object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;serial=;model=1.0;"
                + "object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91?pin-source=file:/etc/token_pin"
        ),
        (
            "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11",
            "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11"
        ),
        (
            "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1",
            "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1"
        ),
        (
            "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin",
            "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin"
        ),
        ("pkcs11:slot-description=Sun%20Metaslot", "pkcs11:slot-description=Sun%20Metaslot"),
        (
            "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;"
                + "library-version=1.23",
            "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-version=1.23;"
                + "library-description=Soft%20Token%20Library"
        ),
        (
            "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ca%fe%04%05%06",
            "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3.0;id=%01%02%03%BA%DD%CA%FE%04%05%06"
        ),
        (
            "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
            "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert"
        ),
        (
            "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert",
            "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert"
        ),
        (
            "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
                + "?pin-source=file:/etc/token_pin&vendor-bbb=value-b",
            "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
                + "?pin-source=file:/etc/token_pin&vendor-bbb=value-b"
        ),
    ]

    @Test(arguments: canonicalForms)
    func printsCanonicallyAndRoundTrips(example: String, canonical: String) throws {
        let parsed = try PKCS11URI(parsing: example)
        #expect(parsed.uriString == canonical)
        let reparsed = try PKCS11URI(parsing: parsed.uriString)
        #expect(reparsed == parsed)
        #expect(reparsed.uriString == canonical)
    }
}

// MARK: - Printing and round trips

@Suite("Printing and round trips")
struct PKCS11URIPrintingTests {
    static let awkward = "a b;c?d&e%f/g=h|i#j"

    @Test func pathValuesEncodeEverythingOutsidePchar() {
        var uri = PKCS11URI()
        uri.token = Self.awkward
        // "&" and "=" may stay as they are in the path; ";", "?", "/", "|", "#", "%" and space may not.
        #expect(uri.uriString == "pkcs11:token=a%20b%3Bc%3Fd&e%25f%2Fg=h%7Ci%23j")
    }

    @Test func queryValuesEncodeEverythingOutsideQchar() {
        var uri = PKCS11URI()
        uri.pinSource = Self.awkward
        // "/", "?" and "|" may stay in the query; "&" and ";" may not.
        #expect(uri.uriString == "pkcs11:?pin-source=a%20b%3Bc?d%26e%25f/g=h|i%23j")
    }

    @Test func nonASCIIIsEncodedAsUppercaseUTF8() {
        var uri = PKCS11URI()
        uri.object = "Zürich 🔑"
        #expect(uri.uriString == "pkcs11:object=Z%C3%BCrich%20%F0%9F%94%91")
    }

    @Test func idIsAlwaysFullyPercentEncoded() throws {
        var uri = PKCS11URI()
        uri.id = Array("AB-z".utf8)
        #expect(uri.uriString == "pkcs11:id=%41%42%2D%7A")
        #expect(try PKCS11URI(parsing: "pkcs11:id=AB-z").id == [0x41, 0x42, 0x2D, 0x7A])
    }

    @Test func idWithEveryByteRoundTrips() throws {
        var uri = PKCS11URI()
        uri.id = Array(0...255)
        let text = uri.uriString
        let expectedID = (0...255).map { byte -> String in
            let hex = String(byte, radix: 16, uppercase: true)
            return "%" + (hex.count == 1 ? "0" + hex : hex)
        }.joined()
        #expect(text == "pkcs11:id=" + expectedID)
        #expect(try PKCS11URI(parsing: text).id == Array(0...255))
    }

    @Test func emptyIDAndEmptyStringsArePrintedAndKept() throws {
        var uri = PKCS11URI()
        uri.id = []
        uri.serial = ""
        uri.pinSource = ""
        #expect(uri.uriString == "pkcs11:serial=;id=?pin-source=")
        #expect(try PKCS11URI(parsing: uri.uriString) == uri)
    }

    @Test func everyFieldSetRoundTripsInCanonicalOrder() throws {
        var uri = PKCS11URI()
        uri.token = "tok"
        uri.manufacturer = "man"
        uri.serial = "ser"
        uri.model = "mod"
        uri.libraryManufacturer = "lm"
        uri.libraryDescription = "ld"
        uri.libraryVersion = .init(major: 255, minor: 255)
        uri.slotDescription = "sd"
        uri.slotManufacturer = "sm"
        uri.slotID = UInt.max
        uri.object = "obj"
        uri.id = [0xFF]
        uri.type = .secretKey
        uri.vendorPathAttributes = [.init(name: "z-first", value: "1"), .init(name: "a_second", value: "2")]
        uri.pinSource = "file:/p"
        uri.pinValue = "1234"
        uri.moduleName = "mn"
        uri.modulePath = "/m.so"
        uri.vendorQueryAttributes = [.init(name: "x", value: "1"), .init(name: "x", value: "2")]

        #expect(
            uri.uriString
                == "pkcs11:token=tok;manufacturer=man;serial=ser;model=mod;library-manufacturer=lm;"
                + "library-version=255.255;library-description=ld;object=obj;type=secret-key;id=%FF;"
                + "slot-description=sd;slot-manufacturer=sm;slot-id=\(UInt.max);z-first=1;a_second=2"
                + "?pin-source=file:/p&pin-value=1234&module-name=mn&module-path=/m.so&x=1&x=2")
        #expect(try PKCS11URI(parsing: uri.uriString) == uri)
    }

    @Test(arguments: PKCS11URI.ObjectType.allCases)
    func everyTypeRoundTrips(type: PKCS11URI.ObjectType) throws {
        var uri = PKCS11URI()
        uri.type = type
        #expect(uri.uriString == "pkcs11:type=\(type.rawValue)")
        #expect(try PKCS11URI(parsing: uri.uriString).type == type)
    }

    @Test func awkwardValuesInEveryTextFieldRoundTrip() throws {
        let values = [
            "", " ", ";", "?", "&", "%", "/", "=", "|", "#", "%25", "%zz", "a;token=evil", "?pin-value=x",
            "line\nbreak", "nul\u{0}byte", "tab\t", "\u{7F}", "é", "e\u{301}", ";\u{301}", "東京", "🔑", "\u{FFFD}",
        ]
        for value in values {
            var uri = PKCS11URI()
            uri.token = value
            uri.object = value
            uri.slotManufacturer = value
            uri.pinSource = value
            uri.pinValue = value
            uri.modulePath = value
            uri.vendorPathAttributes = [.init(name: "v", value: value)]
            uri.vendorQueryAttributes = [.init(name: "v", value: value)]
            let parsed = try PKCS11URI(parsing: uri.uriString)
            #expect(parsed == uri, "value \(value.debugDescription)")
        }
    }

    @Test func randomBuiltValuesRoundTrip() throws {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet: [String] = ["a", "Z", "0", "-", ".", "_", "~", " ", "%", ";", "?", "&", "/", "=", "|", "#",
                                  ":", "[", "]", "@", "!", "$", "'", "(", ")", "*", "+", ",", "\"", "\\", "\n",
                                  "\u{0}", "é", "\u{301}", "東", "🔑"]
        func randomText() -> String {
            (0..<random.next(below: 8)).map { _ in alphabet[random.next(below: alphabet.count)] }.joined()
        }
        func maybe<T>(_ make: () -> T) -> T? { random.next(below: 2) == 0 ? nil : make() }
        let names = ["v", "x-a", "Vendor_1", "a-b-c"]

        for _ in 0..<300 {
            var uri = PKCS11URI()
            uri.token = maybe(randomText)
            uri.manufacturer = maybe(randomText)
            uri.serial = maybe(randomText)
            uri.model = maybe(randomText)
            uri.libraryManufacturer = maybe(randomText)
            uri.libraryDescription = maybe(randomText)
            uri.libraryVersion = maybe {
                .init(major: UInt8(random.next(below: 256)), minor: UInt8(random.next(below: 256)))
            }
            uri.slotDescription = maybe(randomText)
            uri.slotManufacturer = maybe(randomText)
            uri.slotID = maybe { UInt(random.next(below: Int.max)) }
            uri.object = maybe(randomText)
            uri.id = maybe { (0..<random.next(below: 6)).map { _ in UInt8(random.next(below: 256)) } }
            uri.type = maybe { PKCS11URI.ObjectType.allCases[random.next(below: 5)] }
            uri.pinSource = maybe(randomText)
            uri.pinValue = maybe(randomText)
            uri.moduleName = maybe(randomText)
            uri.modulePath = maybe(randomText)
            // Path vendor names must be distinct; query ones may repeat.
            uri.vendorPathAttributes = names.shuffled(using: &random).prefix(random.next(below: 3))
                .map { .init(name: $0, value: randomText()) }
            uri.vendorQueryAttributes = (0..<random.next(below: 3))
                .map { _ in .init(name: names[random.next(below: names.count)], value: randomText()) }

            let text = uri.uriString
            let parsed = try PKCS11URI(parsing: text)
            #expect(parsed == uri, "\(text)")
            #expect(parsed.uriString == text)
        }
    }

    @Test(arguments: [
        ("PKCS11:TOKEN=a;Type=CERT;id=%ba;slot-id=007;library-version=01.5",
         "pkcs11:token=a;library-version=1.5;type=cert;id=%BA;slot-id=7"),
        ("pkcs11:token=%41%62%2d%7e%3a", "pkcs11:token=Ab-~:"),
        ("pkcs11:object=%26?pin-source=%2F%3F%7C", "pkcs11:object=&?pin-source=/?|"),
        ("pkcs11:?", "pkcs11:"),
        ("pkcs11:x-b=2;type=data;x-a=1?x-q=2&module-name=m&x-q=1", "pkcs11:type=data;x-b=2;x-a=1?module-name=m&x-q=2&x-q=1"),
    ])
    func nonCanonicalInputPrintsStably(input: String, canonical: String) throws {
        let first = try PKCS11URI(parsing: input)
        #expect(first.uriString == canonical)
        let second = try PKCS11URI(parsing: first.uriString)
        #expect(second == first)
        #expect(second.uriString == canonical)
    }

    @Test func illegalVendorNamesCannotInjectAttributes() {
        var uri = PKCS11URI()
        uri.vendorPathAttributes = [.init(name: "a;token=evil;b", value: "x")]
        #expect(uri.uriString == "pkcs11:%61%3B%74%6F%6B%65%6E%3D%65%76%69%6C%3B%62=x")
        #expect(parseError(uri.uriString) == .invalidAttributeName(uri: uri.uriString, name: "%61%3B%74%6F%6B%65%6E%3D%65%76%69%6C%3B%62"))
    }

    @Test func vendorAttributeNamedLikeAStandardOneFailsLoudlyInsteadOfChangingMeaning() {
        var uri = PKCS11URI()
        uri.vendorPathAttributes = [.init(name: "Token", value: "x")]
        #expect(uri.uriString == "pkcs11:%54%6F%6B%65%6E=x")
        #expect(parseError(uri.uriString) == .invalidAttributeName(uri: "pkcs11:%54%6F%6B%65%6E=x", name: "%54%6F%6B%65%6E"))
    }
}

// MARK: - Parsing details

@Suite("Parsing details")
struct PKCS11URIParsingTests {
    @Test func schemeAndStandardNamesAreCaseInsensitive() throws {
        let uri = try PKCS11URI(parsing: "PkCs11:OBJECT=Key;TYPE=Private?PIN-SOURCE=file:/x")
        #expect(uri.object == "Key")
        #expect(uri.type == .privateKey)
        #expect(uri.pinSource == "file:/x")
        #expect(uri.vendorPathAttributes.isEmpty)
        #expect(uri.vendorQueryAttributes.isEmpty)
    }

    @Test func vendorNamesKeepTheirSpelling() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:X-Vendor=1;x-vendor=2")
        #expect(uri.vendorPathAttributes == [.init(name: "X-Vendor", value: "1"), .init(name: "x-vendor", value: "2")])
    }

    @Test func queryOnlyPath() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:?pin-source=|/usr/bin/get-pin&module-name=softhsm2")
        #expect(uri.pinSource == "|/usr/bin/get-pin")
        #expect(uri.moduleName == "softhsm2")
        #expect(uri.token == nil)
    }

    @Test func firstQuestionMarkEndsThePathLaterOnesAreData() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:token=a&b=c?pin-source=x?y=z")
        #expect(uri.token == "a&b=c")
        #expect(uri.pinSource == "x?y=z")
    }

    @Test func valueMayContainEqualsSigns() throws {
        #expect(try PKCS11URI(parsing: "pkcs11:object=a=b==").object == "a=b==")
    }

    @Test func repeatedVendorQueryAttributesAreKeptInOrder() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:?x-a=1&x-b=2&x-a=3")
        #expect(
            uri.vendorQueryAttributes == [
                .init(name: "x-a", value: "1"), .init(name: "x-b", value: "2"), .init(name: "x-a", value: "3"),
            ])
    }

    @Test func slotIDBounds() throws {
        #expect(try PKCS11URI(parsing: "pkcs11:slot-id=0").slotID == 0)
        #expect(try PKCS11URI(parsing: "pkcs11:slot-id=\(UInt.max)").slotID == UInt.max)
        #expect(try PKCS11URI(parsing: "pkcs11:slot-id=0000000000000000000000000042").slotID == 42)
    }

    @Test func libraryVersionBounds() throws {
        #expect(try PKCS11URI(parsing: "pkcs11:library-version=0").libraryVersion == .init(major: 0, minor: 0))
        #expect(try PKCS11URI(parsing: "pkcs11:library-version=255.255").libraryVersion == .init(major: 255, minor: 255))
        #expect(try PKCS11URI(parsing: "pkcs11:library-version=2.40").libraryVersion == .init(major: 2, minor: 40))
    }

    @Test func nulAndControlBytesAreValidText() throws {
        #expect(try PKCS11URI(parsing: "pkcs11:token=%00%0A").token == "\u{0}\n")
    }

    @Test func randomInputNeverCrashesAndErrorsStayOnOneLine() {
        var random = SplitMix64(seed: 42)
        let pieces = ["pkcs11:", "PKCS11:", "token", "id", "type", "slot-id", "library-version", "pin-value", "x-v",
                      "=", ";", "&", "?", "%", "%4", "%G", "%41", "%C3", "%A1", "%FF", "1", ".", "cert", " ", "\n",
                      "é", "\u{301}", "🔑", "18446744073709551616", "256"]
        for _ in 0..<3000 {
            let text = (0..<random.next(below: 12)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
            do {
                let uri = try PKCS11URI(parsing: text)
                #expect(try PKCS11URI(parsing: uri.uriString) == uri, "\(text.debugDescription)")
            } catch {
                #expect(!error.description.contains("\n"), "\(text.debugDescription)")
                // Compared as bytes: an input starting with a combining mark joins the quote's Character.
                #expect(error.description.utf8.starts(with: #"invalid PKCS#11 URI ""#.utf8))
            }
        }
    }
}

// MARK: - Malformed input

@Suite("Malformed input")
struct PKCS11URIMalformedTests {
    @Test(arguments: ["", "pkcs11", "pkcs:token=a", "token=a", " pkcs11:", "http://x", "pkcs11\u{301}:"])
    func missingScheme(input: String) {
        #expect(parseError(input) == .missingScheme(uri: input))
    }

    @Test(arguments: [
        ("pkcs11:id=%G1", "id"),
        ("pkcs11:id=%", "id"),
        ("pkcs11:id=%4", "id"),
        ("pkcs11:id=%GZ", "id"),
        ("pkcs11:token=abc%", "token"),
        ("pkcs11:token=%4;object=a", "token"),
        ("pkcs11:x-v=%%41", "x-v"),
        ("pkcs11:?pin-source=%zz", "pin-source"),
    ])
    func badPercentEncoding(input: String, attribute: String) {
        #expect(parseError(input) == .invalidPercentEncoding(uri: input, attribute: attribute))
    }

    @Test(arguments: [
        ("pkcs11:token=a;token=b", "token"),
        ("pkcs11:token=a;TOKEN=b", "token"),
        ("pkcs11:id=%01;object=x;id=%01", "id"),
        ("pkcs11:x-a=1;x-a=1", "x-a"),
        ("pkcs11:?pin-source=a&pin-source=b", "pin-source"),
        ("pkcs11:?module-path=/a&Module-Path=/b", "module-path"),
    ])
    func duplicateAttribute(input: String, name: String) {
        #expect(parseError(input) == .duplicateAttribute(uri: input, name: name))
    }

    @Test(arguments: [("pkcs11:type=key", "key"), ("pkcs11:type=", ""), ("pkcs11:type=certs", "certs"),
                      ("pkcs11:type=secret%20key", "secret key")])
    func badType(input: String, value: String) {
        #expect(parseError(input) == .invalidType(uri: input, value: value))
    }

    @Test(arguments: [("pkcs11:slot-id=abc", "abc"), ("pkcs11:slot-id=", ""), ("pkcs11:slot-id=-1", "-1"),
                      ("pkcs11:slot-id=+1", "+1"), ("pkcs11:slot-id=1.0", "1.0"),
                      ("pkcs11:slot-id=18446744073709551616", "18446744073709551616"),
                      ("pkcs11:slot-id=99999999999999999999999", "99999999999999999999999")])
    func badSlotID(input: String, value: String) {
        #expect(parseError(input) == .invalidSlotID(uri: input, value: value))
    }

    @Test(arguments: ["", "a", "1.", ".1", "1.2.3", "256", "1.256", "1..2", "1.-2", "99999999999999999999"])
    func badLibraryVersion(value: String) {
        let input = "pkcs11:library-version=" + value
        #expect(parseError(input) == .invalidLibraryVersion(uri: input, value: value))
    }

    @Test(arguments: [
        ("pkcs11:token=%C3%28", "token"),
        ("pkcs11:object=%FF", "object"),
        ("pkcs11:token=%C3", "token"),
        ("pkcs11:token=%ED%A0%80", "token"),  // an encoded UTF-16 surrogate
        ("pkcs11:x-v=%80", "x-v"),
        ("pkcs11:?module-name=%C0%AF", "module-name"),  // overlong "/"
    ])
    func invalidUTF8InTextAttribute(input: String, attribute: String) {
        #expect(parseError(input) == .invalidUTF8(uri: input, attribute: attribute))
    }

    @Test(arguments: [
        ("pkcs11:to ken=a", "to ken"),
        ("pkcs11:=a", ""),
        ("pkcs11:x.y=1", "x.y"),
        ("pkcs11:%74oken=a", "%74oken"),
        ("pkcs11:tokén=a", "tokén"),
        ("pkcs11:?a/b=1", "a/b"),
    ])
    func badAttributeName(input: String, name: String) {
        #expect(parseError(input) == .invalidAttributeName(uri: input, name: name))
    }

    @Test(arguments: [
        ("pkcs11:token=a;", PKCS11URIError.Component.path),
        ("pkcs11:;token=a", .path),
        ("pkcs11:token=a;;object=b", .path),
        ("pkcs11:?&pin-source=a", .query),
        ("pkcs11:?pin-source=a&", .query),
    ])
    func emptyAttribute(input: String, component: PKCS11URIError.Component) {
        #expect(parseError(input) == .emptyAttribute(uri: input, component: component))
    }

    @Test func missingEqualsSign() {
        #expect(parseError("pkcs11:token") == .missingEqualsSign(uri: "pkcs11:token", attribute: "token"))
        #expect(parseError("pkcs11:object=a;x-v") == .missingEqualsSign(uri: "pkcs11:object=a;x-v", attribute: "x-v"))
    }

    @Test(arguments: [
        ("pkcs11:token=a b", "token"),
        ("pkcs11:object=a/b", "object"),
        ("pkcs11:token=á", "token"),
        ("pkcs11:token=a#frag", "token"),
        ("pkcs11:id=a b", "id"),
        ("pkcs11:slot-id=1 ", "slot-id"),
        ("pkcs11:?pin-source=a;b", "pin-source"),
        ("pkcs11:?x-q=\"", "x-q"),
        ("pkcs11:token=a\nb", "token"),
    ])
    func characterThatMustBeEncoded(input: String, attribute: String) {
        #expect(parseError(input) == .invalidCharacter(uri: input, attribute: attribute))
    }

    @Test func queryAttributeInThePathIsRejected() {
        #expect(
            parseError("pkcs11:module-path=/lib.so")
                == .misplacedAttribute(uri: "pkcs11:module-path=/lib.so", name: "module-path", component: .path))
    }

    @Test func pathAttributeInTheQueryIsRejected() {
        #expect(
            parseError("pkcs11:?Token=a") == .misplacedAttribute(uri: "pkcs11:?Token=a", name: "token", component: .query))
    }
}

// MARK: - Error messages and PIN redaction

@Suite("Error messages and PIN redaction")
struct PKCS11URIRedactionTests {
    @Test func errorMessageNamesProblemAndPlace() {
        let error = parseError("pkcs11:id=%G1")
        #expect(error?.description == #"invalid PKCS#11 URI "pkcs11:id=%G1": bad percent-encoding in attribute "id""#)
    }

    @Test func errorMessagesForEachKindOfProblem() {
        #expect(parseError("pkcs:x")?.description == #"invalid PKCS#11 URI "pkcs:x": it does not start with "pkcs11:""#)
        #expect(
            parseError("pkcs11:token=a;token=b")?.description
                == #"invalid PKCS#11 URI "pkcs11:token=a;token=b": attribute "token" appears more than once"#)
        #expect(
            parseError("pkcs11:type=key")?.description
                == #"invalid PKCS#11 URI "pkcs11:type=key": type "key" is not one of public, private, cert, secret-key, data"#)
        #expect(
            parseError("pkcs11:slot-id=x")?.description
                == #"invalid PKCS#11 URI "pkcs11:slot-id=x": slot-id "x" is not a decimal number that fits in UInt"#)
        #expect(
            parseError("pkcs11:token=%FF")?.description
                == #"invalid PKCS#11 URI "pkcs11:token=%FF": attribute "token" is not valid UTF-8 after percent-decoding"#)
        #expect(
            parseError("pkcs11:a.b=1")?.description
                == #"invalid PKCS#11 URI "pkcs11:a.b=1": invalid attribute name "a.b" (only letters, digits, "-" and "_" are allowed)"#)
        #expect(
            parseError("pkcs11:token=a;")?.description
                == #"invalid PKCS#11 URI "pkcs11:token=a;": empty attribute in the path (a ";" at the start or end, or two in a row)"#)
        #expect(
            parseError("pkcs11:?token=a")?.description
                == #"invalid PKCS#11 URI "pkcs11:?token=a": path attribute "token" is in the query; it belongs before "?""#)
    }

    @Test func errorMessageIsOneLineEvenForHostileInput() throws {
        let error = try #require(parseError("pkcs11:token=a\nFAKE LOG LINE\u{2028}\"x\\"))
        #expect(!error.description.contains("\n"))
        #expect(!error.description.contains("\u{2028}"))
        #expect(error.description.contains(#"a\u{A}FAKE LOG LINE\u{2028}\"x\\"#))
    }

    @Test func descriptionRedactsPINButURIStringKeepsIt() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:object=my-key;type=private?pin-value=s3cr%26t&module-name=m")
        #expect(uri.pinValue == "s3cr&t")
        #expect(uri.uriString == "pkcs11:object=my-key;type=private?pin-value=s3cr%26t&module-name=m")
        #expect(uri.description == "pkcs11:object=my-key;type=private?pin-value=REDACTED&module-name=m")
        #expect("\(uri)" == uri.description)
        #expect(String(describing: uri) == uri.description)
        #expect(String(reflecting: uri) == uri.description)
        #expect(!uri.description.contains("s3cr"))
    }

    @Test func descriptionEqualsURIStringWithoutPIN() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:token=t?pin-source=file:/pin")
        #expect(uri.description == uri.uriString)
    }

    @Test func emptyPINIsStillRedacted() {
        var uri = PKCS11URI()
        uri.pinValue = ""
        #expect(uri.uriString == "pkcs11:?pin-value=")
        #expect(uri.description == "pkcs11:?pin-value=REDACTED")
    }

    @Test func vendorAttributeCalledPINValueIsRedactedToo() {
        var uri = PKCS11URI()
        uri.vendorQueryAttributes = [.init(name: "PIN-VALUE", value: "1234")]
        #expect(!uri.description.contains("1234"))
    }

    @Test func errorInAnotherAttributeDoesNotShowThePIN() throws {
        let error = try #require(parseError("pkcs11:token=a;token=b?pin-value=s3cret&module-name=m"))
        #expect(error == .duplicateAttribute(uri: "pkcs11:token=a;token=b?pin-value=REDACTED&module-name=m", name: "token"))
        #expect(!error.description.contains("s3cret"))
    }

    @Test func errorInThePINItselfDoesNotShowIt() throws {
        let badEscape = try #require(parseError("pkcs11:?pin-value=12%G4"))
        #expect(badEscape == .invalidPercentEncoding(uri: "pkcs11:?pin-value=REDACTED", attribute: "pin-value"))
        let badUTF8 = try #require(parseError("pkcs11:?pin-value=12%FF34"))
        #expect(badUTF8 == .invalidUTF8(uri: "pkcs11:?pin-value=REDACTED", attribute: "pin-value"))
        let duplicate = try #require(parseError("pkcs11:?pin-value=1111&pin-value=2222"))
        #expect(duplicate == .duplicateAttribute(uri: "pkcs11:?pin-value=REDACTED&pin-value=REDACTED", name: "pin-value"))
    }

    @Test func pinIsHiddenUpToTheDelimiterTheParserWouldUse() throws {
        // In the query only "&" ends a value, so "?" and ";" inside the PIN are hidden with it.
        let error = try #require(parseError("pkcs11:type=bogus?pin-value=ab?cd;ef&x=1"))
        #expect(error.uri == "pkcs11:type=bogus?pin-value=REDACTED&x=1")
    }

    @Test func pinInThePathIsRejectedAndHidden() throws {
        let error = try #require(parseError("pkcs11:token=t;pin-value=1234"))
        #expect(error == .misplacedAttribute(uri: "pkcs11:token=t;pin-value=REDACTED", name: "pin-value", component: .path))
        #expect(!error.description.contains("1234"))
    }

    @Test func malformedPINAttributeIsHiddenToo() throws {
        let missingEquals = try #require(parseError("pkcs11:?PIN-VALUE1234"))
        #expect(missingEquals == .missingEqualsSign(uri: "pkcs11:?PIN-VALUE=REDACTED", attribute: "PIN-VALUE=REDACTED"))
        let noScheme = try #require(parseError("pkcs11/pin-value=1234"))
        #expect(noScheme == .missingScheme(uri: "pkcs11/pin-value=REDACTED"))
    }
}

// MARK: - Helpers

