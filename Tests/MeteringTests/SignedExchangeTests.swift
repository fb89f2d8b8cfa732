import COSEM
import Foundation
import Metering
import PKI
import PKIStore
import Signing
import Testing
import TestSupport
import X509

/// Signed requests and responses (issue 11's wire format): the head-end's get-request and the gateway's get-response,
/// each a general-signing frame verified through the Central Directory. Software keys and a software CA; the same
/// code signs on a token.
@Suite("Signed requests and responses: codec, sign, verify, refusals")
struct SignedExchangeTests {
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    static let gateway = try! SystemTitle(hex: "00DB1234567890A0")
    static let headEnd = try! SystemTitle(hex: "48454144454E4401")
    static let energy = AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 1, 8, 0, 255), attribute: 2)

    init() async throws {
        scratch = try ScratchDirectory("exchange")
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Exchange Test Root"),
            validity: try Validity("5y"), url: nil
        )
    }

    func identity(_ title: SystemTitle, _ algorithm: KeyAlgorithm = .ecdsa(.p256), profile: CertificateProfile = .sign) async throws -> (SoftwareSigner, Certificate) {
        let key = try SoftwareSigner(generating: algorithm)
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(title)"))
        return (key, try await authority.issue(csr, profile: profile, validity: try Validity("1y")))
    }

    func validator() throws -> CertificateValidator {
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: authority.directory.crlPath))))
        return CertificateValidator(trustAnchors: [authority.certificate], crls: [crl])
    }

    var directory: CertificateDatabase { authority.database }

    @Test("a request verifies at the gateway and its response at the head-end, with RSA, P-256 and P-384 keys",
          arguments: [KeyAlgorithm.ecdsa(.p256), .ecdsa(.p384), .rsa(bits: 2048)])
    func roundTrip(_ algorithm: KeyAlgorithm) async throws {
        let (headEndKey, headEndCertificate) = try await identity(Self.headEnd, algorithm)
        let (gatewayKey, gatewayCertificate) = try await identity(Self.gateway)
        let requester = try ExchangeSigner(signer: headEndKey, certificate: headEndCertificate, originator: Self.headEnd)
        let request = try await requester.request(Self.energy, to: Self.gateway, transactionID: 1_000_001)
        #expect(try SignedRequest(decoding: request.encoded) == request)

        let atGateway = await RequestVerifier(validator: try validator(), receiver: Self.gateway)
            .verify(frame: request.encoded, certificates: directory)
        #expect(atGateway.passed, "\(atGateway.failure.map { "\($0.name): \($0.detail)" } ?? "")")
        #expect(atGateway.verified?.body.attribute == Self.energy)
        #expect(atGateway.verified?.transactionID == 1_000_001)

        let answerer = try ExchangeSigner(signer: gatewayKey, certificate: gatewayCertificate, originator: Self.gateway)
        let response = try await answerer.response(.data(.doubleLongUnsigned(12_345_678)), answering: request)
        #expect(response.transactionID == request.transactionID && response.recipient == Self.headEnd)
        let atHeadEnd = await ResponseVerifier(validator: try validator(), receiver: Self.headEnd, expectedOriginator: Self.gateway)
            .verify(frame: response.encoded, certificates: directory, transactionID: 1_000_001)
        #expect(atHeadEnd.passed, "\(atHeadEnd.failure.map { "\($0.name): \($0.detail)" } ?? "")")
        #expect(atHeadEnd.verified?.body.result == .data(.doubleLongUnsigned(12_345_678)))
    }

    @Test("refused: a changed byte, an unknown serial, a revoked or tls certificate, a claimed title, another recipient, another transaction")
    func refusals() async throws {
        let (headEndKey, headEndCertificate) = try await identity(Self.headEnd)
        let requester = try ExchangeSigner(signer: headEndKey, certificate: headEndCertificate, originator: Self.headEnd)
        let verifier = RequestVerifier(validator: try validator(), receiver: Self.gateway)
        func failed(_ bytes: [UInt8]) async throws -> ExchangeCheckKind? {
            await RequestVerifier(validator: try validator(), receiver: Self.gateway).verify(frame: bytes, certificates: directory).failure?.kind
        }

        let request = try await requester.request(Self.energy, to: Self.gateway, transactionID: 7)
        var altered = request.encoded
        altered[altered.count - 80] ^= 0x01  // inside the content or certificate_info, before the signature
        #expect(try await failed(altered) != nil)
        var signature = request.encoded
        signature[signature.count - 1] ^= 0x01
        #expect(try await failed(signature) == .signature)

        // Signed by a key whose certificate the directory does not hold (another CA's).
        let other = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("other")), keyURI: "software", signer: try SoftwareSigner(generating: .ecdsa(.p256)),
            subject: try SubjectName.parse("CN=Other Root"), validity: try Validity("1y"), url: nil)
        let stranger = try SoftwareSigner(generating: .ecdsa(.p256))
        let strangerCertificate = try await other.issue(try await CertificateRequests.make(signer: stranger, subject: try SubjectName.parse("CN=\(Self.headEnd)")),
                                                        profile: .sign, validity: try Validity("1y"))
        let unknown = try await SignedRequest.sign(request.body, transactionID: 8, signer: stranger, certificate: strangerCertificate,
                                                   originator: Self.headEnd, recipient: Self.gateway)
        let unknownVerification = await verifier.verify(frame: unknown.encoded, certificates: directory)
        #expect(unknownVerification.failure?.kind == .certificate && !unknownVerification.isRetryable)

        // A tls certificate signs nothing.
        let (tlsKey, tlsCertificate) = try await identity(Self.headEnd, profile: .tls)
        let tls = try await SignedRequest.sign(request.body, transactionID: 9, signer: tlsKey, certificate: tlsCertificate,
                                               originator: Self.headEnd, recipient: Self.gateway)
        #expect(try await failed(tls.encoded) == .certificate)

        // Claiming another system title than the certificate's.
        let claimed = try await SignedRequest.sign(request.body, transactionID: 10, signer: headEndKey, certificate: headEndCertificate,
                                                   originator: try SystemTitle(hex: "0102030405060708"), recipient: Self.gateway)
        #expect(try await failed(claimed.encoded) == .originator)

        // For another gateway.
        let elsewhere = try await requester.request(Self.energy, to: try SystemTitle(hex: "00DB1234567890FF"), transactionID: 11)
        #expect(try await failed(elsewhere.encoded) == .recipient)

        // Revoked after signing: refused with the reason.
        try await authority.revoke(serial: CertificateSerial(headEndCertificate.serialNumber), reason: .keyCompromise)
        let afterRevocation = await RequestVerifier(validator: try validator(), receiver: Self.gateway).verify(frame: request.encoded, certificates: directory)
        guard case .revoked = afterRevocation.certificateFailure else {
            Issue.record("a revoked requester passed: \(afterRevocation.checks)")
            return
        }

        // A response for another transaction.
        let (gatewayKey, gatewayCertificate) = try await identity(Self.gateway)
        let response = try await ExchangeSigner(signer: gatewayKey, certificate: gatewayCertificate, originator: Self.gateway)
            .response(.dataAccessError(.readWriteDenied), answering: request)
        let mismatched = await ResponseVerifier(validator: try validator(), receiver: Self.headEnd, expectedOriginator: Self.gateway)
            .verify(frame: response.encoded, certificates: directory, transactionID: 8)
        #expect(mismatched.failure?.kind == .transaction)
    }

    @Test("every truncation and every appended byte is a typed error, never a crash")
    func hostileBytes() async throws {
        let (headEndKey, headEndCertificate) = try await identity(Self.headEnd)
        let request = try await ExchangeSigner(signer: headEndKey, certificate: headEndCertificate, originator: Self.headEnd)
            .request(Self.energy, to: Self.gateway, transactionID: 3)
        let bytes = request.encoded
        for length in 0..<bytes.count {
            #expect(throws: ExchangeError.self) { try SignedRequest(decoding: Array(bytes.prefix(length))) }
        }
        #expect(throws: ExchangeError.self) { try SignedRequest(decoding: bytes + [0]) }
        #expect(throws: ExchangeError.self) { try SignedResponse(decoding: bytes) }
        #expect(throws: ExchangeError.self) { try SignedRequest(decoding: [UInt8](repeating: 0xDF, count: 5000)) }
    }

    @Test("OpenSSL alone verifies a request and a response from the bytes docs/records.md's layout names")
    func openSSL() async throws {
        let (headEndKey, headEndCertificate) = try await identity(Self.headEnd)
        let (gatewayKey, gatewayCertificate) = try await identity(Self.gateway)
        let request = try await ExchangeSigner(signer: headEndKey, certificate: headEndCertificate, originator: Self.headEnd)
            .request(Self.energy, to: Self.gateway, transactionID: 42)
        let response = try await ExchangeSigner(signer: gatewayKey, certificate: gatewayCertificate, originator: Self.gateway)
            .response(.data(.doubleLongUnsigned(99)), answering: request)
        for (name, frame, certificate) in [("request", request.frame, headEndCertificate), ("response", response.frame, gatewayCertificate)] {
            // Convention A, per docs/records.md: transaction-id, originator, recipient and date-time each with their length
            // byte, other-information and content with their lengths, in frame order (GeneralSigning.signedBytes).
            let data = scratch.path("\(name).signed"), signature = scratch.path("\(name).sig"), pem = scratch.path("\(name).pem")
            var signed: [UInt8] = []
            // BER lengths, written here rather than taken from the codec under test.
            func length(_ count: Int) -> [UInt8] {
                count < 0x80 ? [UInt8(count)] : count < 0x100 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
            }
            for field in [frame.transactionID, frame.originatorSystemTitle, frame.recipientSystemTitle, frame.dateTime?.bytes ?? [],
                          frame.otherInformation, frame.content] {
                signed += length(field.count) + field
            }
            #expect(signed == frame.signedBytes(.a))
            try Data(signed).write(to: URL(fileURLWithPath: data))
            let der = try Signature(scheme: .ecdsa(.sha256), bytes: frame.signature).derEncoded()
            try Data(der).write(to: URL(fileURLWithPath: signature))
            try certificate.serializeAsPEM().pemString.write(toFile: pem, atomically: true, encoding: .utf8)
            let key = try await run("openssl", ["x509", "-in", pem, "-pubkey", "-noout"])
            try key.output.write(toFile: pem + ".pub", atomically: true, encoding: .utf8)
            let verified = try await run("openssl", ["dgst", "-sha256", "-verify", pem + ".pub", "-signature", signature, data])
            #expect(verified.output.contains("Verified OK"), "\(name): \(verified.output) \(verified.stderr)")
        }
    }
}
