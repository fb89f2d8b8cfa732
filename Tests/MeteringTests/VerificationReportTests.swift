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
        let lines = text.split(separator: "\n").map(String.init)
        for printed in ["10000000000000000000.0", "NaN", "inf", "-inf", "not read"] {
            #expect(lines.contains { $0.hasPrefix("1.0.1.8.0.255  \(printed)  ") || ($0.hasPrefix("1.0.1.8.0.255  \(printed) ") && $0.hasSuffix(" Wh")) },
                    "\(printed) missing from\n\(text)")
        }
        #expect(text.hasSuffix("verdict: VALID\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: VerificationReport.json(valid)) as? [String: Any])
        #expect(json["verdict"] as? String == "valid")

        // The untouched evidence verifies too, NaN and all: a record holding NaN must equal itself read back.
        let untouchedEvidence = await verifier.verify(evidence: evidence)
        #expect(untouchedEvidence.passed, "\(untouchedEvidence.checks.filter { !$0.passed })")

        // A certificate whose signature BIT STRING claims an unused bit (0x00 → 0x01) once verified: DER lets the
        // last bit be padding when it is zero, so take a certificate whose signature ends in an even byte.
        var even = certificate
        while try derBytes(even).last! & 1 == 1 { even = try await authority.issue(csr, profile: .sign, validity: try Validity("1y")) }
        let evenSigner = try RecordSigner(signer: key, certificate: even, originator: try SystemTitle(hex: "00DB1234567890A0"),
                                          recipient: try SystemTitle(hex: "48454144454E4401"))
        let evenFrame = try await evenSigner.sign(record, transactionID: 9)
        let evenEvidence = try SignedMeasurementEvidence(frame: evenFrame, record: record, certificate: even, convention: .a).derEncoded()
        let evenDER = try derBytes(even)
        let start = try #require(evenEvidence.indices.first { evenEvidence[$0...].starts(with: evenDER) }, "the evidence does not hold the certificate's DER")
        #expect(await verifier.verify(evidence: evenEvidence).passed)
        var padded = evenEvidence
        padded[start + Self.signatureBitStringContent(in: evenDER)] = 0x01
        #expect(!(await verifier.verify(evidence: padded)).passed, "a certificate with a padded signature verified")

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

    /// The offset of the certificate's signature BIT STRING's first content byte (its unused-bits count): the last
    /// element of the certificate's outer SEQUENCE.
    static func signatureBitStringContent(in der: [UInt8]) -> Int {
        func length(at offset: Int) -> (header: Int, length: Int) {
            let first = Int(der[offset + 1])
            guard first & 0x80 != 0 else { return (2, first) }
            let count = first & 0x7F
            return (2 + count, (0..<count).reduce(0) { $0 << 8 | Int(der[offset + 2 + $1]) })
        }
        let outer = length(at: 0)
        var offset = outer.header
        for _ in 0..<2 {  // tbsCertificate, signatureAlgorithm
            let element = length(at: offset)
            offset += element.header + element.length
        }
        return offset + length(at: offset).header
    }
}
