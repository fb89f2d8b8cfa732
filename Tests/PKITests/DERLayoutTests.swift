import Foundation
import PKI
import Signing
import SwiftASN1
import Testing
import X509

/// The bytes pkid publishes, pinned: a CRL, OCSP responses, the certs-only PKCS#7 of EST and the CRL distribution
/// points extension, each built from one fixed CA certificate (made once by openssl) and fixed times, serials and
/// requests (openssl's own `ocsp -reqout`). ECDSA draws its signature at random, so a signed structure is pinned
/// up to its signature value: the signed part and the algorithm byte for byte, the signature a BIT STRING without
/// unused bits; DER's definite minimal lengths then fix every header around them.
@Suite("DER layouts: CRL, OCSP response, certs-only PKCS#7 and CRL distribution points, byte for byte")
struct DERLayoutTests {
    static let caPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBoTCCAUegAwIBAgIUZYaQZiLOAMjzsEWgI/rYhHmKOaAwCgYIKoZIzj0EAwIw
        JjERMA8GA1UEAwwIUGluIFJvb3QxETAPBgNVBAoMCE1ldGVyaW5nMB4XDTI2MTIw
        NzE2MTc1NVoXDTM2MTIwNDE2MTc1NVowJjERMA8GA1UEAwwIUGluIFJvb3QxETAP
        BgNVBAoMCE1ldGVyaW5nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwgfeYcWj
        L7nM4hfdvEA7sd9e6nUmzGUs6qE84lkdsSbOQzjbJaRuWs3jsaPTOxM3lhG5y3cl
        kPmCOPOcZjzYa6NTMFEwHQYDVR0OBBYEFBCg5jpfQOPxJu2zQRDC5FKx9YF+MB8G
        A1UdIwQYMBaAFBCg5jpfQOPxJu2zQRDC5FKx9YF+MA8GA1UdEwEB/wQFMAMBAf8w
        CgYIKoZIzj0EAwIDSAAwRQIhAKMTs5ElAd29S6MWxrXJ5oUGJffygWC458P+8CHM
        DexOAiAhMh07AoMNKCgmKihT4ewnasghRMyGcgXYrMb181jFWg==
        -----END CERTIFICATE-----
        """

    /// `openssl ocsp -issuer ca.pem -serial 0x1234 -serial 0x80 -serial 0x99 -reqout`: SHA-1 CertIDs and a nonce.
    static let requestWithNonce = [UInt8](hexDigits: """
        3081e83081e53081bd303d303b300906052b0e03021a050004149853719bfe3cc34f75c1f22f26a8970a18fed2c8041410a0e63a5f40e3
        f126edb34110c2e452b1f5817e02021234303d303b300906052b0e03021a050004149853719bfe3cc34f75c1f22f26a8970a18fed2c804
        1410a0e63a5f40e3f126edb34110c2e452b1f5817e02020080303d303b300906052b0e03021a050004149853719bfe3cc34f75c1f22f26
        a8970a18fed2c8041410a0e63a5f40e3f126edb34110c2e452b1f5817e02020099a2233021301f06092b0601050507300102041204109c
        b57a0a0d646c17e9eebb26be1c9010
        """)!

    /// `openssl ocsp -sha256 -issuer ca.pem -serial 0x80 -no_nonce -reqout`: a SHA-256 CertID with NULL parameters.
    static let sha256Request = [UInt8](hexDigits: """
        305f305d305b30593057300d060960864801650304020105000420eececef51475375770c7911e1723ac34a00650b33614ef875419c234fb
        306480042092e2bdef559052668d056baa6de04eb8978c1ac446d4dbb201649b690bfdcf0f02020080
        """)!

    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
    static let revokedAt = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01 00:00:00 UTC

    let ca: Certificate
    let key: SignerPrivateKey

    init() throws {
        ca = try Certificate(pemEncoded: Self.caPEM)
        key = try SignerPrivateKey(try SoftwareSigner(generating: .ecdsa(.p256)))
    }

    /// A CA whose every answer is fixed: 1234 revoked for key compromise, 80 revoked unspecified or good, the
    /// rest never issued; `failing` stands for a database that does not answer.
    struct FixedAuthority: OCSPAuthority {
        let certificate: Certificate
        let signingKey: SignerPrivateKey
        var eightyRevoked = false
        var failing = false

        func revocationState(of serial: CertificateSerial) async throws -> OCSPRevocationState? {
            if failing { throw PKIError.malformed("the database is gone") }
            switch serial.description {
            case "1234": return .revoked(at: DERLayoutTests.revokedAt, reason: .keyCompromise)
            case "80": return eightyRevoked ? .revoked(at: DERLayoutTests.revokedAt, reason: .unspecified) : .good
            default: return nil
            }
        }
    }

    /// The signed part and the algorithm of a SEQUENCE { signed, AlgorithmIdentifier, BIT STRING }.
    static func unsigned(_ der: some Collection<UInt8>) throws -> (signed: String, algorithm: String) {
        let root = try DER.parse(Array(der))
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw PKIError.malformed("not a SEQUENCE")
        }
        let parts = Array(children)
        try #require(parts.count == 3)
        let signature = try ASN1BitString(derEncoded: parts[2])
        #expect(signature.paddingBits == 0)
        #expect(!signature.bytes.isEmpty)
        return (parts[0].encodedBytes.hexString, parts[1].encodedBytes.hexString)
    }

    /// Hex written across lines, as one upper-case string.
    static func hex(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    /// The status, the response type and the BasicOCSPResponse of a DER OCSPResponse.
    static func basic(_ response: [UInt8]) throws -> (status: String, type: String, basic: ArraySlice<UInt8>) {
        let root = try DER.parse(response)
        guard case .constructed(let children) = root.content else { throw PKIError.malformed("not constructed") }
        let parts = Array(children)
        try #require(parts.count == 2)
        guard case .constructed(let explicit) = parts[1].content, let bytesNode = explicit.first(where: { _ in true }),
              case .constructed(let responseBytes) = bytesNode.content else { throw PKIError.malformed("no responseBytes") }
        let fields = Array(responseBytes)
        try #require(fields.count == 2)
        let octets = try ASN1OctetString(derEncoded: fields[1])
        return (parts[0].encodedBytes.hexString, fields[0].encodedBytes.hexString, octets.bytes)
    }

    @Test("a CRL with two entries (a high-bit serial with its reason, one unspecified), number 300, nextUpdate in 2051")
    func crl() async throws {
        let der = try await CertificateRevocationList.build(
            issuer: ca, key: key, number: 300, thisUpdate: Self.now, nextUpdate: Date(timeIntervalSince1970: 2_556_144_000),
            entries: [
                .init(serial: try CertificateSerial(parsing: "80"), date: Self.revokedAt, reason: .keyCompromise),
                .init(serial: try CertificateSerial(parsing: "1234"), date: Self.revokedAt, reason: .unspecified),
            ]
        )
        let (tbs, algorithm) = try Self.unsigned(der)
        #expect(tbs == Self.hex("""
            3081C3020101300A06082A8648CE3D04030230263111300F06035504030C0850696E20526F6F743111300F060355040A0C084D6574657269
            6E67170D3236303130313030303030305A180F32303531303130313030303030305A3038302102020080170D323531323031303030303030
            5A300C300A0603551D1504030A0101301302021234170D3235313230313030303030305AA030302E301F0603551D2304183016801410A0E6
            3A5F40E3F126EDB34110C2E452B1F5817E300B0603551D1404040202012C
            """))
        #expect(algorithm == "300A06082A8648CE3D040302")
    }

    @Test("an empty CRL, and the RSA algorithm identifier with its NULL parameters")
    func emptyRSACRL() async throws {
        let rsa = try SignerPrivateKey(try SoftwareSigner(generating: .rsa(bits: 2048)))
        let der = try await CertificateRevocationList.build(
            issuer: ca, key: rsa, number: 1, thisUpdate: Self.now, nextUpdate: Self.now.addingTimeInterval(86400), entries: []
        )
        let (tbs, algorithm) = try Self.unsigned(der)
        #expect(tbs == Self.hex("""
            308189020101300D06092A864886F70D01010B050030263111300F06035504030C0850696E20526F6F743111300F060355040A0C084D6574
            6572696E67170D3236303130313030303030305A170D3236303130323030303030305AA02F302D301F0603551D2304183016801410A0E63A
            5F40E3F126EDB34110C2E452B1F5817E300A0603551D140403020101
            """))
        #expect(algorithm == "300D06092A864886F70D01010B0500")
    }

    @Test("OCSP: revoked with a reason, good and unknown in one response, the nonce echoed")
    func ocspWithNonce() async throws {
        let responder = OCSPResponder(authority: FixedAuthority(certificate: ca, signingKey: key))
        let response = await responder.respond(to: Self.requestWithNonce, now: Self.now)
        let (status, type, basic) = try Self.basic(response)
        let (data, algorithm) = try Self.unsigned(basic)
        #expect(status == "0A0100")
        #expect(type == "06092B0601050507300101")
        #expect(data == Self.hex("""
            30820197A216041410A0E63A5F40E3F126EDB34110C2E452B1F5817E180F32303236303130313030303030305A308201453079303B300906
            052B0E03021A050004149853719BFE3CC34F75C1F22F26A8970A18FED2C8041410A0E63A5F40E3F126EDB34110C2E452B1F5817E02021234
            A116180F32303235313230313030303030305AA0030A0101180F32303236303130313030303030305AA011180F3230323630313032303030
            3030305A3063303B300906052B0E03021A050004149853719BFE3CC34F75C1F22F26A8970A18FED2C8041410A0E63A5F40E3F126EDB34110
            C2E452B1F5817E020200808000180F32303236303130313030303030305AA011180F32303236303130323030303030305A3063303B300906
            052B0E03021A050004149853719BFE3CC34F75C1F22F26A8970A18FED2C8041410A0E63A5F40E3F126EDB34110C2E452B1F5817E02020099
            8200180F32303236303130313030303030305AA011180F32303236303130323030303030305AA1233021301F06092B060105050730010204
            1204109CB57A0A0D646C17E9EEBB26BE1C9010
            """))
        #expect(algorithm == "300A06082A8648CE3D040302")
    }

    @Test("OCSP: a SHA-256 CertID revoked without a reason, no nonce")
    func ocspSHA256() async throws {
        let responder = OCSPResponder(authority: FixedAuthority(certificate: ca, signingKey: key, eightyRevoked: true))
        let response = await responder.respond(to: Self.sha256Request, now: Self.now)
        let (status, type, basic) = try Self.basic(response)
        let (data, algorithm) = try Self.unsigned(basic)
        #expect(status == "0A0100")
        #expect(type == "06092B0601050507300101")
        #expect(data == Self.hex("""
            3081BFA216041410A0E63A5F40E3F126EDB34110C2E452B1F5817E180F32303236303130313030303030305A3081933081903057300D0609
            60864801650304020105000420EECECEF51475375770C7911E1723AC34A00650B33614EF875419C234FB306480042092E2BDEF559052668D
            056BAA6DE04EB8978C1AC446D4DBB201649B690BFDCF0F02020080A111180F32303235313230313030303030305A180F3230323630313031
            3030303030305AA011180F32303236303130323030303030305A
            """))
        #expect(algorithm == "300A06082A8648CE3D040302")
    }

    @Test("OCSP: malformedRequest and internalError are a bare status")
    func ocspStatuses() async throws {
        let failing = OCSPResponder(authority: FixedAuthority(certificate: ca, signingKey: key, failing: true))
        #expect((await failing.respond(to: Self.sha256Request, now: Self.now)).hexString == "30030A0102")
        #expect((await failing.respond(to: [0x30, 0x00], now: Self.now)).hexString == "30030A0101")
    }

    @Test("certs-only PKCS#7 around one and two certificates, read back in order")
    func certsOnly() throws {
        let certificate = try derBytes(ca).hexString
        let expected = [
            1: "308201D006092A864886F70D010702A08201C1308201BD0201013100300B06092A864886F70D010701A08201A5<CA>3100",
            2: "3082037506092A864886F70D010702A0820366308203620201013100300B06092A864886F70D010701A082034A<CA><CA>3100",
        ]
        for certificates in [[ca], [ca, ca]] {
            let der = try CertsOnlyPKCS7.encode(certificates).hexString
            #expect(der.replacingOccurrences(of: certificate, with: "<CA>") == expected[certificates.count])
            #expect(try CertsOnlyPKCS7.decode(try CertsOnlyPKCS7.encode(certificates)) == certificates)
        }
    }

    @Test("a CA certificate's extensions: CRL distribution points with the publication URL")
    func distributionPoints() throws {
        let extensions = try CertificateProfile.sign.extensions(
            subjectKey: ca.publicKey, issuerKey: ca.publicKey, publication: .init(baseURL: "http://127.0.0.1:8443/")
        )
        let points = try #require(extensions.first { $0.oid == [2, 5, 29, 31] })
        #expect(points.value.hexString == "3021301FA01DA01B8619687474703A2F2F3132372E302E302E313A383434332F63726C")
        #expect(try derBytes(points).hexString == "302A0603551D1F04233021301FA01DA01B8619687474703A2F2F3132372E302E302E313A383434332F63726C")
    }

    @Test("what is written reads back through the same types to the same bytes: CRL, OCSP request and response, PKCS#7")
    func roundTrips() async throws {
        let crl = try await CertificateRevocationList.build(
            issuer: ca, key: key, number: 7, thisUpdate: Self.now, nextUpdate: Self.now.addingTimeInterval(86400),
            entries: [.init(serial: try CertificateSerial(parsing: "80"), date: Self.revokedAt, reason: .superseded)]
        )
        let list = try CertificateList(derEncoded: try DER.parse(crl))
        #expect(try derBytes(list) == crl)
        #expect(try list.tbsCertList.revokedCertificates.map { try $0.reason } == [.superseded])

        let request = try OCSPRequest(derEncoded: try DER.parse(Self.requestWithNonce))
        #expect(try derBytes(request) == Self.requestWithNonce)
        let responder = OCSPResponder(authority: FixedAuthority(certificate: ca, signingKey: key))
        let bytes = await responder.respond(to: Self.requestWithNonce, now: Self.now)
        let response = try OCSPResponse(derEncoded: try DER.parse(bytes))
        #expect(try derBytes(response) == bytes)
        let data = try #require(response.responseBytes).basicResponse.responseData
        #expect(data.responses.map(\.certStatus) == [
            .revoked(OCSPRevokedInfo(revocationTime: try GeneralizedTime(Self.revokedAt), revocationReason: .keyCompromise)), .good, .unknown,
        ])
        #expect(data.responses.map(\.certID) == request.tbsRequest.requestList.map(\.certID))
        #expect(data.responseExtensions?[oid: [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]] == request.tbsRequest.requestExtensions?[oid: [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]])

        let points = try CRLDistributionPoints(try #require(try CertificateProfile.sign.extensions(
            subjectKey: ca.publicKey, issuerKey: ca.publicKey, publication: .init(baseURL: "http://127.0.0.1:8443")
        ).first { $0.oid == CRLDistributionPoints.extensionOID }))
        #expect(points == CRLDistributionPoints(uri: "http://127.0.0.1:8443/crl"))
    }
}
