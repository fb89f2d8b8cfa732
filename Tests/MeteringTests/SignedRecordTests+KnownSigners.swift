import COSEM
import Foundation
import Metering
import PKI
import PKIStore
import Signing
import Testing
import X509

/// A verifier keeps what it read of each signer's certificate (`KnownSigners`) and its chain's verdict
/// (`ValidationCache`) across frames: what it keeps must serve that very certificate alone.
extension SignedRecordTests {
    @Test("two CAs' certificates with one serial and one subject but two keys: each frame is checked with its own certificate's key")
    func knownSignersByCertificate() async throws {
        let second = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("second")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Record Test Root B"),
            validity: try Validity("5y"), url: nil
        )
        let serial = Certificate.SerialNumber(bytes: [0x3C, 0x00, 0x00, 0x07])
        var frames: [[UInt8]] = [], certificates: [Certificate] = []
        for (index, issuer) in [authority, second].enumerated() {
            let key = try SoftwareSigner(generating: .ecdsa(.p256))
            let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(gatewayTitle)"))
            let certificate = try await issuer.issue(csr, profile: .sign, validity: try Validity("1y"), serial: serial)
            let id = UInt64(index + 1)
            frames.append(try await SignedRecord.sign(try record(transactionID: id), transactionID: id, signer: key, certificate: certificate,
                                                      originator: gatewayTitle, recipient: headEndTitle).encoded)
            certificates.append(certificate)
        }
        let crls = try [authority, second].map { try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: $0.directory.crlPath)))) }
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate, second.certificate], crls: crls,
                                                                      cache: ValidationCache()))

        for round in 1...2 {
            for (frame, certificate) in zip(frames, certificates) {
                let result = await verifier.verify(frame: frame, certificate: certificate)
                #expect(result.passed, "round \(round): \(result.checks.filter { !$0.passed })")
            }
        }
        // The first CA's frame given the second CA's certificate (same serial, same subject): its key refuses it.
        let crossed = await verifier.verify(frame: frames[0], certificate: certificates[1])
        #expect(crossed.checks.first { $0.kind == .signature }?.passed == false)
        #expect(crossed.checks.first { $0.kind == .certificateInfo }?.passed == false)
    }
}
