import COSEM
import Foundation
import Gateway
import Logging
import Metering
import PKI
import PKIStore
import Signing
import Synchronization
import Testing
import TestSupport
import X509

/// A Central Directory in memory that can go down, for the gateway's request checks.
final class TestDirectory: CertificateSource, @unchecked Sendable {
    private let state = Mutex<(certificates: [CertificateSerial: Certificate], down: Bool)>(([:], false))
    func add(_ certificate: Certificate) { state.withLock { $0.certificates[CertificateSerial(certificate.serialNumber)] = certificate } }
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    func certificate(for info: CertificateInfo) async throws(CertificateLookupError) -> Certificate {
        let (certificate, down) = state.withLock { ($0.certificates[info.serial], $0.down) }
        if down { throw .unavailable(source: "the test directory", reason: "stopped") }
        guard let certificate else { throw .notFound(serial: info.serial, source: "the test directory") }
        return certificate
    }
}

/// The gateway's side of a signed request against the simulator (which counts the requests it serves): verified,
/// allowed and fresh requests are answered with the meter's value now; everything else is refused, signed, with the
/// right data-access-result, and the meter is not read.
@Suite("Signed requests at the gateway: verify, allow, fresh, then read the meter")
struct SignedRequestResponderTests {
    static let energy = AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 1, 8, 1, 255), attribute: 2)
    let fixture: PipelineFixture
    let directory = TestDirectory()
    let headEndKey: SoftwareSigner
    let headEndCertificate: Certificate
    let credentials: GatewayCredentials

    init() async throws {
        fixture = try await PipelineFixture()
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        headEndKey = key
        headEndCertificate = try await fixture.authority.issue(
            try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(PipelineFixture.headEnd)")),
            profile: .sign, validity: try Validity("1y"))
        credentials = try await fixture.credentials(signer: try SoftwareSigner(generating: .ecdsa(.p256)))
        directory.add(headEndCertificate)
        directory.add(credentials.signingCertificate)
    }

    func handler(allow: Set<String> = ["1.0.1.8.1.255"], skew: Duration = .seconds(300)) throws -> SignedRequestResponder {
        let crl = try ParsedCRL(derEncoded: Array(try Data(contentsOf: URL(fileURLWithPath: fixture.authority.directory.crlPath))))
        let anchors = [fixture.authority.certificate]
        return SignedRequestResponder(reader: fixture.reader, credentials: credentials, directory: directory,
                                      policy: RequestPolicy(allowed: [PipelineFixture.headEnd: allow], maxClockSkew: skew),
                                      outbox: fixture.outbox, logger: Logger(label: "request-test")) {
            CertificateValidator(trustAnchors: anchors, crls: [crl])
        }
    }

    func request(_ id: UInt64, key: (any Signer)? = nil, certificate: Certificate? = nil, attribute: AttributeDescriptor = energy,
                 at time: Date = Date()) async throws -> SignedRequest {
        try await SignedRequest.sign(GetRequestNormal(invokeIDAndPriority: SignedRequest.invokeID(for: id), attribute: attribute),
                                     transactionID: id, signer: key ?? headEndKey, certificate: certificate ?? headEndCertificate,
                                     originator: PipelineFixture.headEnd, recipient: PipelineFixture.gateway, at: time)
    }

    /// The answer, verified at the head-end with the gateway's certificate, and how many Modbus requests it cost.
    func answer(_ bytes: [UInt8], id: UInt64, handler: SignedRequestResponder? = nil) async throws -> (GetResponseNormal.Result?, Int) {
        let before = fixture.simulator.requestsServed
        let reply = try await (handler ?? self.handler()).handle(bytes)
        let served = fixture.simulator.requestsServed - before
        let verification = await ResponseVerifier(
            validator: CertificateValidator(trustAnchors: [fixture.authority.certificate], policy: { var p = CertificateValidator.Policy(); p.revocation = .none; return p }()),
            receiver: PipelineFixture.headEnd, expectedOriginator: PipelineFixture.gateway
        ).verify(frame: reply, certificates: directory, transactionID: id)
        #expect(verification.passed, "the answer does not verify: \(verification.checks.filter { !$0.passed })")
        return (verification.verified?.body.result, served)
    }

    @Test("a verified, allowed, fresh request is answered with the meter's value, read now, and verifies at the head-end")
    func answered() async throws {
        defer { fixture.simulator.stop() }
        let (result, served) = try await answer(try await request(1).encoded, id: 1)
        guard case .data(.float64(let value)) = result else {
            Issue.record("no value: \(String(describing: result))")
            return
        }
        #expect(value > 0)
        #expect(served == 1)
    }

    @Test("refused without reading the meter: altered, unknown signer, wrong profile, not allowed, replayed (also after a restart), stale")
    func refusals() async throws {
        defer { fixture.simulator.stop() }
        let handler = try handler()
        var altered = try await request(1).encoded
        altered[altered.count - 1] ^= 0x01
        #expect(try await answer(altered, id: 1, handler: handler) == (.dataAccessError(.readWriteDenied), 0))

        let stranger = try SoftwareSigner(generating: .ecdsa(.p256))
        let strangerCertificate = try await fixture.authority.issue(
            try await CertificateRequests.make(signer: stranger, subject: try SubjectName.parse("CN=\(PipelineFixture.headEnd)")),
            profile: .sign, validity: try Validity("1y"))  // issued, but the directory never heard of it
        #expect(try await answer(try await request(2, key: stranger, certificate: strangerCertificate).encoded, id: 2, handler: handler)
                == (.dataAccessError(.readWriteDenied), 0))

        let tlsKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let tlsCertificate = try await fixture.authority.issue(
            try await CertificateRequests.make(signer: tlsKey, subject: try SubjectName.parse("CN=\(PipelineFixture.headEnd)")),
            profile: .tls, validity: try Validity("1y"))
        directory.add(tlsCertificate)
        #expect(try await answer(try await request(3, key: tlsKey, certificate: tlsCertificate).encoded, id: 3, handler: handler)
                == (.dataAccessError(.readWriteDenied), 0))

        let voltage = AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 32, 7, 0, 255), attribute: 2)
        #expect(try await answer(try await request(4, attribute: voltage).encoded, id: 4, handler: handler) == (.dataAccessError(.readWriteDenied), 0))

        let stale = try await request(5, at: Date().addingTimeInterval(-3600))
        #expect(try await answer(stale.encoded, id: 5, handler: handler) == (.dataAccessError(.readWriteDenied), 0))

        // Answered once; the same request again, and an older id, are replays, also for a gateway started anew.
        let fresh = try await request(10)
        #expect(try await answer(fresh.encoded, id: 10, handler: handler).1 == 1)
        #expect(try await answer(fresh.encoded, id: 10, handler: handler) == (.dataAccessError(.readWriteDenied), 0))
        let reopened = try Outbox(path: fixture.outbox.path, limit: 10)
        let restarted = SignedRequestResponder(reader: fixture.reader, credentials: credentials, directory: directory,
                                               policy: handler.policy, outbox: reopened, logger: Logger(label: "restarted")) { [anchors = fixture.authority.certificate] in
            CertificateValidator(trustAnchors: [anchors], policy: { var p = CertificateValidator.Policy(); p.revocation = .none; return p }())
        }
        #expect(try await answer(try await request(9).encoded, id: 9, handler: restarted) == (.dataAccessError(.readWriteDenied), 0))
        #expect(try await answer(try await request(11).encoded, id: 11, handler: restarted).1 == 1)
    }

    @Test("the freshness window's edge: a request signed exactly max_clock_skew away is fresh, one second more is stale")
    func skewEdge() {
        let policy = RequestPolicy(allowed: [:], maxClockSkew: .seconds(300))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for (offset, fresh) in [(-300.0, true), (300, true), (-301, false), (301, false)] {
            let signedAt = MeasurementRecord.dateTime(now.addingTimeInterval(offset))
            #expect((policy.staleness(of: signedAt, at: now) == nil) == fresh, "signed \(offset) s from the gateway's clock")
        }
    }

    @Test("a requester whose certificate was revoked is refused read-write-denied, the meter not read")
    func revoked() async throws {
        defer { fixture.simulator.stop() }
        try await fixture.authority.revoke(serial: CertificateSerial(headEndCertificate.serialNumber), reason: .keyCompromise)
        // handler() reads the CRL now: the one that lists the revocation.
        #expect(try await answer(try await request(1).encoded, id: 1, handler: try handler()) == (.dataAccessError(.readWriteDenied), 0))
    }

    @Test("an object the map lacks is object-undefined; bytes that are no request get an exception-response")
    func undefinedAndUndecodable() async throws {
        defer { fixture.simulator.stop() }
        let handler = try handler(allow: ["*"])
        let missing = AttributeDescriptor(classID: 3, instance: OBISCode(1, 0, 99, 99, 0, 255), attribute: 2)
        #expect(try await answer(try await request(1, attribute: missing).encoded, id: 1, handler: handler) == (.dataAccessError(.objectUndefined), 0))
        let reply = await handler.handle([0xDF, 0x01, 0x02])
        #expect(reply.first == ExceptionResponse.tag)
    }

    @Test("the directory down: a requester whose certificate is not cached is refused temporary-failure, the meter not read")
    func directoryDown() async throws {
        defer { fixture.simulator.stop() }
        let handler = try handler()
        let bytes = try await request(1).encoded
        directory.setDown(true)
        let before = fixture.simulator.requestsServed
        let reply = await handler.handle(bytes)
        #expect(fixture.simulator.requestsServed == before)
        directory.setDown(false)
        let decoded = try SignedResponse(decoding: reply)
        #expect(decoded.body.result == .dataAccessError(.temporaryFailure))
    }

    @Test("the meter down: temporary-failure")
    func meterDown() async throws {
        fixture.simulator.stop()
        #expect(try await answer(try await request(1).encoded, id: 1).0 == .dataAccessError(.temporaryFailure))
    }
}
