import COSEM
import Foundation
import HeadEnd
import Metering
import Modbus
import PKI
import PKIStore
import Signing
import TestSupport
import X509

/// A software CA in a temporary directory, a head-end identity (its acknowledgement key and certificate), gateways
/// with signing keys, and a reading store: what the head-end tests share. Made the way pkid and `gatewayctl ca`
/// make them (`CertificateAuthority.issue`), with software keys (the same code signs on a token).
final class HeadEndFixture: @unchecked Sendable {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    static let headEndTitle = try! SystemTitle(hex: "48454144454E4401")
    let headEndKey: SoftwareSigner
    let headEndCertificate: Certificate
    let acknowledgementSigner: AcknowledgementSigner

    init(_ name: String = "headend", url: String? = nil) async throws {
        scratch = try ScratchDirectory(name)
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Head-End Test Root"),
            validity: try Validity("5y"), url: url
        )
        headEndKey = try SoftwareSigner(generating: .ecdsa(.p256))
        headEndCertificate = try await Self.issue(authority, key: headEndKey, subject: "CN=\(Self.headEndTitle)", profile: .sign)
        acknowledgementSigner = try AcknowledgementSigner(signer: headEndKey, certificate: headEndCertificate, originator: Self.headEndTitle)
    }

    static func issue(_ authority: CertificateAuthority, key: any Signer, subject: String, profile: CertificateProfile,
                      validity: String = "1y", now: Date = Date()) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse(subject))
        return try await authority.issue(csr, profile: profile, validity: try Validity(validity),
                                         alternativeNames: profile == .tls ? GeneralName.names(dns: ["localhost"], ip: [[127, 0, 0, 1]]) : nil,
                                         now: now)
    }

    var storePath: String { scratch.path("readings.sqlite") }

    /// The CA's CRL as published now.
    func crl() throws -> ParsedCRL {
        try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
    }

    var directory: CertificateDatabase { authority.database }

    func processor(store: ReadingStore, certificates: (any CertificateSource)? = nil, crls: [ParsedCRL]? = nil,
                   report: @escaping @Sendable (FrameOutcome) -> Void = { _ in }) throws -> FrameProcessor {
        FrameProcessor(store: store, signer: acknowledgementSigner, certificates: certificates ?? directory,
                       revocation: FixedRevocationLists(try crls ?? [crl()]), trustAnchors: [authority.certificate], report: report)
    }

    /// A gateway: its signing key and certificate, and its TLS key and certificate.
    func gateway(_ hex: String) async throws -> TestGateway {
        let title = try SystemTitle(hex: hex)
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let certificate = try await Self.issue(authority, key: key, subject: "CN=\(title)", profile: .sign)
        let tlsKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let tlsCertificate = try await Self.issue(authority, key: tlsKey, subject: "CN=\(title)", profile: .tls)
        return TestGateway(title: title, key: key, certificate: certificate, tlsKey: tlsKey, tlsCertificate: tlsCertificate,
                           signer: try RecordSigner(signer: key, certificate: certificate, originator: title, recipient: Self.headEndTitle))
    }

    /// Checks an acknowledgement as the gateway does, with the head-end's certificate.
    func verifyAcknowledgement(_ bytes: [UInt8], to gateway: TestGateway, sent: Set<UInt64>,
                               headEnd certificate: Certificate? = nil) async throws -> AcknowledgementVerification {
        let verifier = AcknowledgementVerifier(validator: CertificateValidator(trustAnchors: [authority.certificate], crls: [try crl()]),
                                               headEnd: Self.headEndTitle, gateway: gateway.title)
        return await verifier.verify(frame: bytes, certificate: certificate ?? headEndCertificate, sent: sent)
    }
}

struct TestGateway: Sendable {
    let title: SystemTitle
    let key: SoftwareSigner
    let certificate: Certificate
    let tlsKey: SoftwareSigner
    let tlsCertificate: Certificate
    let signer: RecordSigner

    static let readingJSON = """
        {"time": "2026-11-25T12:00:00.250Z", "meter": "Siemens SENTRON PAC3200",
         "values": [
           {"obis": "1.0.32.7.0.255", "name": "voltage L1-N", "value": 230.25, "unit": "V", "scaler": 0, "valid": true},
           {"obis": "1.0.1.7.0.255", "name": "active power", "value": 1234.5, "unit": "W", "scaler": 0, "valid": true},
           {"obis": "1.0.1.8.1.255", "name": "active energy import T1", "value": 1234567.5, "unit": "Wh", "scaler": 0, "valid": true}],
         "status": {"limit_violations": 0, "device_status": 0, "error_code": 0, "conditions": []},
         "rtt_ms": [0.4, 0.3, 0.2], "errors": []}
        """

    static func map() throws -> RegisterMap {
        try RegisterMap(meter: "PAC3200", definitions: [
            RegisterDefinition(name: "voltage L1-N", address: 1, type: .float32, kind: .value, unit: "V", obis: "1.0.32.7.0.255"),
            RegisterDefinition(name: "active power", address: 65, type: .float32, kind: .value, unit: "W", obis: "1.0.1.7.0.255"),
            RegisterDefinition(name: "active energy import T1", address: 801, type: .float64, kind: .counter, unit: "Wh", obis: "1.0.1.8.1.255"),
        ])
    }

    func record(_ id: UInt64) throws -> MeasurementRecord {
        let map = try Self.map()
        let snapshot = try MeterSnapshot(try ReadingDocument.decode(Data(Self.readingJSON.utf8)), map: map)
        return try RecordBuilder(map: map, identity: .init(meterIdent: "PAC3200", meterNumber: "12345678", locationIdent: "Substation 7"))
            .record(of: snapshot, transactionID: id)
    }

    /// The signed frame of reading `id` (a general-signing APDU).
    func frame(_ id: UInt64) async throws -> [UInt8] {
        try await signer.sign(try record(id), transactionID: id).encoded
    }
}

/// A directory that cannot be reached (pkid down, no cached entry).
struct UnreachableDirectory: CertificateSource {
    func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        throw .unavailable(source: "the Central Directory", reason: "connection refused")
    }
}
