import COSEM
import ConfigFiles
import Foundation
import Metering
import Modbus
import PKI
import PKIStore
import Signing
import X509

/// What the head-end verifies, made without a token or pkid: a software CA in a scratch directory (its certificate
/// and CRL), and real measurement-record frames signed by a software key under a certificate it issued.
struct VerifyFixture {
    let validator: CertificateValidator
    private let authority: CertificateAuthority
    private let builder: RecordBuilder
    private let snapshot: MeterSnapshot
    static let gateway = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEnd = try! SystemTitle(hex: "48454144454E4401")

    /// Creates the CA under `directory` (which must not exist yet; the caller removes it).
    init(directory: String) async throws {
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory), keyURI: "software", signer: try SoftwareSigner(generating: .ecdsa(.p256)),
            subject: try SubjectName.parse("CN=Verify Bench Root"), validity: try Validity("1y"), url: nil
        )
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        // As the head-end: the certificate path is built once and cached, not for each frame (`FrameProcessor`).
        validator = CertificateValidator(trustAnchors: [authority.certificate], crls: [crl], cache: ValidationCache())
        let map = try RegisterMap.builtInPAC3200()
        builder = try RecordBuilder(map: map, identity: .init(meterIdent: "Siemens SENTRON PAC3200", meterNumber: "12345678", locationIdent: "bench"))
        snapshot = RecordBench.fullSnapshot(map: map)
    }

    /// A record signer with a fresh software key of `algorithm` and a signing certificate for it.
    func signer(_ algorithm: KeyAlgorithm) async throws -> RecordSigner {
        let key = try SoftwareSigner(generating: algorithm)
        let request = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(Self.gateway)"))
        let certificate = try await authority.issue(request, profile: .sign, validity: try Validity("1y"))
        return try RecordSigner(signer: key, certificate: certificate, originator: Self.gateway, recipient: Self.headEnd)
    }

    /// `count` frames signed one by one, transaction ids 1…count.
    func frames(_ count: Int, signer: RecordSigner) async throws -> [GeneralSigning] {
        var frames: [GeneralSigning] = []
        for id in 1...UInt64(max(1, count)) {
            frames.append(try await signer.sign(try builder.record(of: snapshot, transactionID: id), transactionID: id))
        }
        return frames
    }

    /// `size` frames under one batch signature (`BatchSignature`), as a gateway with a slow card sends them.
    func batch(_ size: Int, signer: RecordSigner) async throws -> [[UInt8]] {
        let readings = try (1...UInt64(max(2, size))).map { id in
            (dataNotification: try builder.record(of: snapshot, transactionID: id).encodedDataNotification(transactionID: id), transactionID: id)
        }
        return try await signer.sign(batch: readings).map(\.bytes)
    }
}
