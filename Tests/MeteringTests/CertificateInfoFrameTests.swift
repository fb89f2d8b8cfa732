import COSEM
import Foundation
import Metering
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// What a signed frame's other-information carries: the exact IssuerAndSerialNumber bytes for a published
/// certificate, and for this PKI's high-bit serials, through signing, verification and evidence files.
@Suite("certificate_info in signed frames and evidence")
struct CertificateInfoFrameTests {
    static let gatewayTitle = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEndTitle = try! SystemTitle(hex: "48454144454E4401")

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    static func gbcsCertificate() throws -> Certificate {
        let vector = repositoryRoot.appendingPathComponent("Tests/MeteringTests/Fixtures/gbcs-00db1234567890a0-ds.pem")
        return try Certificate(pemEncoded: try String(contentsOf: vector, encoding: .utf8))
    }

    /// A record for `transactionID`, whose low 16 bits are its sequence number.
    static func record(transactionID: UInt16) throws -> MeasurementRecord {
        try MeasurementRecord(
            measurementTime: COSEMDateTime(unixTime: UnixTime(seconds: 1_795_608_000))!, sequenceNumber: transactionID,
            meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Substation 7",
            counterValues: [CounterValue(obis: try OBISCode("1.0.1.8.0.255"), value: 1234.5, scaler: 0, unit: 30)],
            errorCode: 0, state: BitString(count: 32, bytes: [0, 0, 0, 0])!
        )
    }

    @Test("the GBCS signer certificate's certificate_info is exactly issuer Name then serial INTEGER, as the certificate encodes them")
    func gbcsBytes() async throws {
        let certificate = try Self.gbcsCertificate()
        // SEQUENCE { the certificate's issuer (CN=E357, PrintableString), INTEGER 30398236744D9DA0E57F8D74AE041FCD }
        let expected = Self.bytes("3023" + "300F310D300B0603550403130445333537" + "021030398236744D9DA0E57F8D74AE041FCD")
        let info = CertificateInfo(certificate)
        #expect(try info.derEncoded == expected)
        #expect(info.serialHex == "30398236744D9DA0E57F8D74AE041FCD")
        #expect(try CertificateInfo(derEncoded: expected).names(certificate))

        let frame = try await SignedRecord.sign(
            try Self.record(transactionID: 1), transactionID: 1, signer: try SoftwareSigner(generating: .ecdsa(.p256)), certificate: certificate,
            originator: Self.gatewayTitle, recipient: Self.headEndTitle
        )
        #expect(frame.otherInformation == expected)
    }

    @Test("a high-bit serial: the frame names it with DER's 00, verification reads it back, evidence carries the same bytes")
    func highBitSerial() async throws {
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: try temporaryDirectory("certinfo").appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Record Test Root"),
            validity: try Validity("5y"), url: nil
        )
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"),
                                                    serial: Certificate.SerialNumber(bytes: [0x80, 0x00, 0xFF]))
        let record = try Self.record(transactionID: 9)
        let frame = try await SignedRecord.sign(record, transactionID: 9, signer: key, certificate: certificate,
                                                originator: Self.gatewayTitle, recipient: Self.headEndTitle)
        #expect(frame.otherInformation.suffix(6) == [0x02, 0x04, 0x00, 0x80, 0x00, 0xFF])

        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate], crls: [crl]))
        let result = await verifier.verify(frame: frame.encoded, certificate: certificate)
        #expect(result.passed, "\(result.checks.filter { !$0.passed })")
        #expect(result.checks.first { $0.name == "certificate_info" }?.detail == "serial 8000FF of \(authority.certificate.subject)")

        let evidence = try SignedMeasurementEvidence(frame: frame, record: record, certificate: certificate).derEncoded()
        let parsed = try SignedMeasurementEvidence(derEncoded: evidence)
        #expect(try parsed.certificateInfo.derEncoded == frame.otherInformation)
        #expect(parsed.certificateInfo.serial == certificate.serial)
        let fromEvidence = await verifier.verify(evidence: evidence)
        #expect(fromEvidence.passed, "\(fromEvidence.checks.filter { !$0.passed })")
    }
}
