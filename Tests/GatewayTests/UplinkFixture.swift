import COSEM
import Foundation
import Gateway
import HeadEnd
import HTTPTypes
import HummingbirdCore
import Logging
import Metering
import Modbus
import PKI
import PKIStore
import Signing
import Synchronization
import TestSupport
import Transport
import X509

/// The gateway's uplink (`UplinkService`, in process) against the real head-end listener (`HeadEndServer`) over
/// loopback TLS, through a `TCPProxy` that counts and cuts connections. Software keys certified by a test CA whose CRL
/// a plain HTTP listener serves at `/crl`, as pkid does; the outbox is a real one holding signed readings.
final class UplinkFixture: @unchecked Sendable {
    static let gateway = Readings.gateway
    static let headEnd = Readings.headEnd
    let scratch: ScratchDirectory
    let authority: CertificateAuthority
    /// pkid's public side as far as the uplink needs it: the CRL.
    let pkid: HTTPServer
    let credentials: GatewayCredentials
    let outbox: Outbox
    /// The SQL statements run on the outbox's file, on any of its connections.
    let outboxStatements = Tally()
    let status = StatusBoard(path: nil)
    let acknowledgementSigner: AcknowledgementSigner
    let headEndPort: Int
    /// Between the gateway and the head-end: `accepted` counts the gateway's attempts, `cutAll` drops the connection.
    let proxy: TCPProxy
    private let deliveredIDs = Mutex<[UInt64]>([])

    init() async throws {
        scratch = try ScratchDirectory("uplink")
        let authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: scratch.path("pki")), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=Uplink Test Root"),
            validity: try Validity("5y"), url: nil
        )
        self.authority = authority
        pkid = try await HTTPServer(name: "pkid", at: .tcp(host: "127.0.0.1", port: 0), tls: nil) { _, _ in
            do {
                return Response(status: .ok, contentType: "application/pkix-crl", body: try await authority.currentCRL())
            } catch {
                return .text(.internalServerError, "\(error)")
            }
        }
        let signingKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let tlsKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let signingCertificate = try await Self.issue(authority, key: signingKey, title: Self.gateway.description, profile: .sign)
        credentials = try GatewayCredentials(
            recordSigner: try RecordSigner(signer: signingKey, certificate: signingCertificate, originator: Self.gateway, recipient: Self.headEnd),
            tlsKey: tlsKey, tlsCertificate: try await Self.issue(authority, key: tlsKey, title: Self.gateway.description, profile: .tls),
            trustAnchors: [authority.certificate]
        )
        let headEndKey = try SoftwareSigner(generating: .ecdsa(.p256))
        acknowledgementSigner = try AcknowledgementSigner(
            signer: headEndKey, certificate: try await Self.issue(authority, key: headEndKey, title: Self.headEnd.description, profile: .sign),
            originator: Self.headEnd
        )
        outbox = try Outbox(path: scratch.path("outbox.sqlite"), limit: 10_000) { [outboxStatements] _ in outboxStatements.add() }
        headEndPort = try LoopbackPort.free()
        proxy = try TCPProxy(targetPort: headEndPort)
    }

    deinit {
        proxy.stop()
    }

    static func issue(_ authority: CertificateAuthority, key: any Signer, title: String, profile: CertificateProfile) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: key, subject: try SubjectName.parse("CN=\(title)"))
        return try await authority.issue(csr, profile: profile, validity: try Validity("1y"))
    }

    /// A TLS key and a certificate of this CA for the head-end's port.
    func serverIdentity(title: String = UplinkFixture.headEnd.description, profile: CertificateProfile = .tls) async throws -> (key: SoftwareSigner, certificate: Certificate) {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        return (key, try await Self.issue(authority, key: key, title: title, profile: profile))
    }

    /// Takes and signs `count` readings into the outbox, as the poller and the signing stage do.
    func fill(_ count: Int) async throws {
        for _ in 0..<count {
            let reading = try await Readings.take(outbox, at: Date())
            let frame = try await credentials.recordSigner.sign(try reading.record(), transactionID: reading.transactionID)
            try await outbox.attachSignature(transactionID: reading.transactionID, frame: frame.encoded)
        }
    }

    // MARK: The head-end

    struct RunningHeadEnd {
        let server: HeadEndServer
        let task: Task<Void, Never>
        let store: ReadingStore
        /// Frames the head-end's processor was given: any frame the gateway wrote on a connection it accepted.
        let frames: Tally

        func stop() async {
            await server.shutdown(drain: .zero)
            await task.value
        }
    }

    /// The head-end on `headEndPort`, presenting `identity` on its TLS port; its frame processor judges revocation
    /// with `revocation` (an empty answer is a retry-later refusal).
    func startHeadEnd(identity: (key: SoftwareSigner, certificate: Certificate),
                      revocation: (any RevocationListSource)? = nil) async throws -> RunningHeadEnd {
        let crl = try ParsedCRL(derEncoded: try await authority.currentCRL())
        let store = try ReadingStore(path: scratch.path("readings.sqlite"))
        let frames = Tally()
        let processor = FrameProcessor(store: store, signer: acknowledgementSigner, certificates: authority.database,
                                       revocation: revocation ?? FixedRevocationLists([crl]), trustAnchors: [authority.certificate]) { _ in
            frames.add()
        }
        let tls = try TLSConfigurations.serverRequiringClientCertificate(chain: [identity.certificate], key: identity.key,
                                                                         clientCA: [authority.certificate])
        let check = GatewayCertificateCheck(trustAnchors: [authority.certificate], revocation: FixedRevocationLists([crl]))
        let server = try await HeadEndServer(host: "127.0.0.1", port: headEndPort, tls: tls, check: check, processor: processor)
        return RunningHeadEnd(server: server, task: Task { await server.run() }, store: store, frames: frames)
    }

    // MARK: The gateway's uplink

    /// The uplink to the head-end through the proxy, reconnecting at once after a failure (so a test sees many).
    /// Requests from the head-end look up their signer's certificate in `requestDirectory` (the CA's database if nil).
    func uplink(retryLaterPause: Duration = .seconds(5), concurrentRequests: Int = 4, requestDirectory: (any CertificateSource)? = nil,
                logger: Logger = Logger(label: "uplink-test")) throws -> UplinkService {
        var settings = UplinkSettings(host: "127.0.0.1", port: proxy.port, headEnd: Self.headEnd)
        settings.reconnectInitial = .milliseconds(5)
        settings.reconnectMaximum = .milliseconds(5)
        settings.retryLaterPause = retryLaterPause
        settings.concurrentRequests = concurrentRequests
        let crl = try CRLCache(url: "http://127.0.0.1:\(pkid.port)", refreshInterval: .seconds(3600))
        let reader = MeterReader(client: ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: 1)), map: try RegisterMap.builtInPAC3200())
        let anchors = [authority.certificate]
        let requests = SignedRequestResponder(reader: reader, credentials: credentials, directory: requestDirectory ?? authority.database,
                                              policy: RequestPolicy(allowed: [:]), outbox: outbox, logger: logger) {
            CertificateValidator(trustAnchors: anchors, crls: await crl.crls())
        }
        return UplinkService(settings: settings, outbox: outbox, credentials: credentials, directory: authority.database, crl: crl,
                             timing: TimingBook(), status: status, logger: logger, requests: requests) { [weak self] id, _ in
            self?.deliveredIDs.withLock { $0.append(id) }
        }
    }

    /// The ids the uplink reported delivered (acknowledged and out of the outbox), in order.
    var delivered: [UInt64] { deliveredIDs.withLock { $0 } }

    /// Waits up to `seconds` for `condition`, checking every 20 ms.
    func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// CRLs a test switches on and off: while off the head-end cannot tell whether a certificate is revoked, and refuses
/// each frame with retry-later.
final class SwitchableRevocationLists: RevocationListSource {
    private let lists: [ParsedCRL]
    private let available = Atomic<Bool>(false)

    init(_ lists: [ParsedCRL]) { self.lists = lists }

    func setAvailable(_ value: Bool) { available.store(value, ordering: .relaxed) }
    func crls() async -> [ParsedCRL] { available.load(ordering: .relaxed) ? lists : [] }
}

/// How many times something happened: frames reaching the head-end's processor, statements run on the outbox.
final class Tally: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}
