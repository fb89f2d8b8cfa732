import COSEM
import Foundation
import Metering
import Modbus
import PKI
import PKIStore
import Signing
import TestSupport
import Testing
import X509

/// What a verifier prints for frames a signer controls: every value a Double can hold, and every byte changed.
@Suite("Verification reports: anything a signer sends prints, never a crash")
struct VerificationReportTests {
    @Test("extreme values print in text and JSON; each changed byte of a frame or an evidence file reports INVALID")
    func extremesAndMutations() async throws {
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: try temporaryDirectory("report").appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Report Root"),
            validity: try Validity("5y"), url: nil
        )
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=00DB1234567890A0"))
        let certificate = try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
        let signer = try RecordSigner(signer: key, certificate: certificate, originator: try SystemTitle(hex: "00DB1234567890A0"),
                                      recipient: try SystemTitle(hex: "48454144454E4401"))
        let obis = try OBISCode("1.0.1.8.0.255")
        let extremes: [Double?] = [1e19, -1e300, .greatestFiniteMagnitude, 5e-324, .nan, .infinity, -.infinity, -0.0, nil]
        let record = try MeasurementRecord(
            measurementTime: MeasurementRecord.dateTime(Date()), sequenceNumber: 9, meterIdent: "PAC3200", meterNumber: "1",
            locationIdent: "", counterValues: extremes.map { CounterValue(obis: obis, value: $0, unit: 30) }, errorCode: 0,
            state: BitString([Bool](repeating: false, count: 32))
        )
        let frame = try await signer.sign(record, transactionID: 9)
        let evidence = try SignedMeasurementEvidence(frame: frame, record: record, certificate: certificate, convention: .a).derEncoded()
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate], crls: [crl]))

        let valid = await verifier.verify(frame: frame.encoded, certificate: certificate)
        #expect(valid.passed, "\(valid.checks.filter { !$0.passed })")
        let text = VerificationReport.text(valid)
        for printed in ["10000000000000000000.0", "NaN", "inf", "-inf", "not read", "verdict: VALID"] {
            #expect(text.contains(printed), "\(printed) missing from\n\(text)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: VerificationReport.json(valid)) as? [String: Any])
        #expect(json["verdict"] as? String == "valid")

        for (name, bytes) in [("frame", frame.encoded), ("evidence", evidence)] {
            for index in bytes.indices {
                var changed = bytes
                changed[index] ^= 0x01
                let result = name == "frame" ? await verifier.verify(frame: changed, certificate: certificate)
                                             : await verifier.verify(evidence: changed)
                #expect(!result.passed, "\(name) byte \(index) changed and still verified")
                #expect(VerificationReport.text(result).hasSuffix("\n"))
                #expect(!VerificationReport.json(result).isEmpty)
            }
        }
    }
}
