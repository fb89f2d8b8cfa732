import Foundation
import PKI
import PKIStore
import Signing
import SwiftASN1
import TestSupport
import Testing
import X509

/// `certificate_info` (CMS IssuerAndSerialNumber) as a swift-asn1 type: its exact bytes, the bytes openssl's CMS
/// writes for the same certificate, and typed refusals of whatever is not one.
@Suite("certificate_info: IssuerAndSerialNumber encoded as DER, read back strictly")
struct CertificateInfoTests {
    /// Name ::= CN=E357 (UTF8String), as DER.
    static let issuerDER: [UInt8] = [0x30, 0x0F, 0x31, 0x0D, 0x30, 0x0B, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x04, 0x45, 0x33, 0x35, 0x37]

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    static func info(serial: [UInt8]) throws -> CertificateInfo {
        CertificateInfo(issuer: try DistinguishedName(derEncoded: issuerDER), serialNumber: Certificate.SerialNumber(bytes: serial))
    }

    /// The `PKIError.malformed` reason decoding `bytes` gives, or nil when it decodes.
    static func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try CertificateInfo(derEncoded: bytes)
            return nil
        } catch {
            guard case .malformed(let reason) = error else { return "not .malformed: \(error)" }
            return reason
        }
    }

    @Test("exact DER for known inputs: a 00 before a high bit, none before a clear one, one 00 for zero", arguments: [
        ([0x30, 0x39, 0x82, 0x36], "3017300F310D300B06035504030C0445333537" + "020430398236"),
        ([0x80, 0x01], "3016300F310D300B06035504030C0445333537" + "0203008001"),
        ([0x00, 0x00, 0xFF], "3015300F310D300B06035504030C0445333537" + "020200FF"),
        ([], "3014300F310D300B06035504030C0445333537" + "020100"),
    ] as [([UInt8], String)])
    func exactDER(serial: [UInt8], hex: String) throws {
        let info = try Self.info(serial: serial)
        #expect(try info.derEncoded == Self.bytes(hex))
        #expect(try CertificateInfo(derEncoded: Self.bytes(hex)) == info)
    }

    @Test("round trip: decoding what was encoded gives the same issuer and serial, high bit or not", arguments: [
        [0x01], [0x7F], [0x80], [0xFF, 0xFF], [0x0A, 0x0B, 0x0C], [0x80] + [UInt8](repeating: 0xA5, count: 19), [],
    ] as [[UInt8]])
    func roundTrip(serial: [UInt8]) throws {
        let info = try Self.info(serial: serial)
        let decoded = try CertificateInfo(derEncoded: try info.derEncoded)
        #expect(decoded == info)
        #expect(decoded.serial == CertificateSerial(magnitude: serial))
        #expect(try decoded.derEncoded == info.derEncoded)
    }

    @Test("nested under another tag, as DERImplicitlyTaggable types are")
    func implicitlyTagged() throws {
        let info = try Self.info(serial: [0x80, 0x01])
        let tag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        var serializer = DER.Serializer()
        try info.serialize(into: &serializer, withIdentifier: tag)
        let bytes = serializer.serializedBytes
        let plain = try info.derEncoded
        #expect(bytes == [0xA0] + plain.dropFirst())  // [0] IMPLICIT: only the tag differs
        #expect(try CertificateInfo(derEncoded: try DER.parse(bytes), withIdentifier: tag) == info)
        #expect(throws: PKIError.self) { try CertificateInfo(derEncoded: try DER.parse(bytes), withIdentifier: .sequence) }
        #expect(throws: PKIError.self) { try CertificateInfo(derEncoded: bytes) }
    }

    @Test("every truncation is a typed refusal naming certificate_info, never a crash")
    func truncated() throws {
        let bytes = try Self.info(serial: [0x80, 0x01, 0x02]).derEncoded
        for cut in 0..<bytes.count {
            let reason = Self.refusal(Array(bytes.prefix(cut)))
            #expect(reason?.hasPrefix("certificate_info is not a DER IssuerAndSerialNumber (RFC 5652 §10.2.4)") == true, "cut at \(cut): \(reason ?? "decoded")")
        }
    }

    @Test("what is not an IssuerAndSerialNumber is refused", arguments: [
        ("trailing byte", "3016300F310D300B06035504030C0445333537020300800100"),
        ("a negative serial", "3015300F310D300B06035504030C04453335370202800A"),
        ("a 00 DER does not need", "3015300F310D300B06035504030C04453335370202000A"),
        ("an empty INTEGER", "3013300F310D300B06035504030C04453335370200"),
        ("a SET, not a SEQUENCE", "3115300F310D300B06035504030C0445333537020200FF"),
        ("no serial", "3011300F310D300B06035504030C0445333537"),
        ("a third field", "3016300F310D300B06035504030C04453335370201010500"),
        ("fields swapped", "3014020101300F310D300B06035504030C0445333537"),
        ("the serial as OCTET STRING", "3014300F310D300B06035504030C0445333537040101"),
        ("a length past the end", "3080300F"),
        ("nothing", ""),
        ("the GBCS frame's other-information", "000B"),
        ("a UTF8String that is not UTF-8", "3016300F310D300B06035504030C044533A6370203008001"),
    ])
    func malformed(name: String, hex: String) {
        let reason = Self.refusal(Self.bytes(hex))
        #expect(reason?.hasPrefix("certificate_info") == true, "\(name): \(reason ?? "decoded")")
    }

    @Test("seeded random mutations either re-encode to the same bytes or are refused as malformed")
    func mutations() throws {
        let original = try Self.info(serial: [0x80, 0x01, 0x02]).derEncoded
        var random = SplitMix64(seed: 0x5E81A1)
        for round in 0..<2000 {
            var bytes = original
            for _ in 0..<(1 + random.next(below: 3)) {
                switch random.next(below: 3) {
                case 0: bytes[random.next(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: random.next(below: bytes.count + 1))
                default: if bytes.count > 1 { bytes.remove(at: random.next(below: bytes.count)) }
                }
            }
            do {
                let decoded = try CertificateInfo(derEncoded: bytes)
                #expect(try decoded.derEncoded == bytes, "round \(round): \(bytes.hexString) decoded but re-encodes differently")
            } catch {
                guard case .malformed = error else {
                    Issue.record("round \(round): \(error)")
                    continue
                }
            }
        }
    }

    @Test("a certificate with a high-bit serial: openssl's CMS names it with exactly these bytes, and they name it back")
    func opensslAgrees() async throws {
        let directory = try temporaryDirectory("certinfo")
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Info Root,O=Utility"),
            validity: try Validity("5y"), url: nil
        )
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let made = try await run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                       "-keyout", path("leaf.key"), "-subj", "/CN=00DB1234567890A0", "-out", path("leaf.csr")])
        try #require(made.status == 0, "\(made.stderr)")
        let csr = try CertificateSigningRequest(pemEncoded: try String(contentsOfFile: path("leaf.csr"), encoding: .utf8))
        let serial: [UInt8] = [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAB]
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"), serial: Certificate.SerialNumber(bytes: serial))
        try certificate.serializeAsPEM().pemString.write(toFile: path("leaf.pem"), atomically: true, encoding: .utf8)
        try Data("a metering record".utf8).write(to: URL(fileURLWithPath: path("message")))
        // A SignerInfo whose sid is the IssuerAndSerialNumber (openssl's default), without the certificate
        // itself, so the issuer and serial appear in the message only there.
        let signed = try await run("openssl", ["cms", "-sign", "-binary", "-noattr", "-nocerts", "-in", path("message"), "-signer", path("leaf.pem"),
                                         "-inkey", path("leaf.key"), "-outform", "DER", "-out", path("message.p7s")])
        try #require(signed.status == 0, "\(signed.stderr)")
        let cms = Array(try Data(contentsOf: URL(fileURLWithPath: path("message.p7s"))))
        let info = try CertificateInfo(certificate).derEncoded
        #expect(info.suffix(11) == [0x02, 0x09, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAB])
        let found = (0...(cms.count - info.count)).first { Array(cms[$0..<($0 + info.count)]) == info }
        #expect(found != nil, "openssl's SignerInfo does not carry \(info.hexString): \(cms.hexString)")
        let decoded = try CertificateInfo(derEncoded: info)
        #expect(decoded.names(certificate))
        #expect(decoded.serialHex == "80000000000000AB")
        #expect(decoded.issuer == authority.certificate.subject)
    }
}
