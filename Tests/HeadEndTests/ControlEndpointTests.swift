#if canImport(Glibc)
import Glibc
#endif
import COSEM
import Foundation
import HeadEnd
import Metering
import NIOCore
import PKI
import Signing
import TestSupport
import Testing
import Transport
import X509

/// Who may command a gateway through the head-end (issue 17, item 9): the control endpoint on a real Unix socket in
/// front of a real head-end listener with a gateway connected over mutual TLS. Another local user cannot connect; a
/// browser-style request is refused and no signed request reaches the gateway; every request leaves an audit line
/// with the caller's uid and pid; a user past the rate limit gets 429.
@Suite("control endpoint: only the operator commands gateways")
struct ControlEndpointTests {
    let fixture: HeadEndFixture
    let logs = CapturedLogs()
    /// The socket's directory, under /tmp and open to every user, so that only the socket's own mode keeps another
    /// user out (the test run's directories are the test user's alone).
    let socketDirectory: String

    init() async throws {
        fixture = try await HeadEndFixture("control-endpoint")
        var template = Array("/tmp/headend-control-XXXXXX".utf8CString)
        socketDirectory = String(cString: try #require(mkdtemp(&template)))
        chmod(socketDirectory, 0o755)
    }

    /// The head-end's listener, its requester and the control socket in front of it.
    struct Running {
        let server: HeadEndServer
        let serverTask: Task<Void, Never>
        let control: HTTPServer
        let socket: String

        func stop() async {
            await control.stop()
            await server.shutdown(drain: .zero)
            await serverTask.value
        }
    }

    func start(rateLimit: ControlRateLimit = ControlRateLimit(perSecond: 100)) async throws -> Running {
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let serverKey = try SoftwareSigner(generating: .ecdsa(.p256))
        let serverCertificate = try await HeadEndFixture.issue(fixture.authority, key: serverKey, subject: "CN=headend", profile: .tls)
        let tls = try TLSConfigurations.serverRequiringClientCertificate(chain: [serverCertificate], key: serverKey,
                                                                         clientCA: [fixture.authority.certificate])
        let check = GatewayCertificateCheck(trustAnchors: [fixture.authority.certificate], revocation: FixedRevocationLists([try fixture.crl()]))
        let server = try await HeadEndServer(host: "127.0.0.1", port: 0, tls: tls, check: check, processor: processor, logger: logs.logger)
        let serverTask = Task { await server.run() }
        let crl = try fixture.crl()
        let anchors = [fixture.authority.certificate]
        let requester = HeadEndRequester(
            signer: try ExchangeSigner(signer: fixture.headEndKey, certificate: fixture.headEndCertificate, originator: HeadEndFixture.headEndTitle),
            router: server.router, numbering: processor.numbering, directory: fixture.directory, timeout: .seconds(2), logger: logs.logger
        ) { CertificateValidator(trustAnchors: anchors, crls: [crl]) }
        let endpoint = ControlEndpoint(requester: requester, rateLimit: rateLimit, logger: logs.logger)
        let socket = socketDirectory + "/control.sock"
        let control = try await ControlSocket.listen(path: socket, group: nil, mode: 0o660, logger: logs.logger, handler: endpoint.handle)
        return Running(server: server, serverTask: serverTask, control: control, socket: socket)
    }

    /// POSTs `{"gateway", "obis"}` to the control socket with `headers`; the status and the one-line answer.
    func post(_ socket: String, gateway: SystemTitle, obis: String, headers: [(String, String)] = [("Content-Type", "application/json")])
        async throws -> (status: UInt, body: String) {
        let body = Array("{\"gateway\": \"\(gateway)\", \"obis\": \"\(obis)\"}".utf8)
        let client = HTTPSClient()
        let response = try await client.request(.POST, "/requests", atSocket: socket, headers: headers, body: body)
        await client.shutdown()
        return (response.status.code, String(decoding: response.body, as: UTF8.self))
    }

    static let browserStyle: [[(String, String)]] = [
        [("Content-Type", "application/json"), ("Origin", "http://evil.example")],
        [("Content-Type", "text/plain")],
        [("Content-Type", "application/json"), ("Sec-Fetch-Site", "cross-site")],
        [],
    ]

    @Test("browser-style requests get 403 with the reason and no signed request reaches the gateway; the operator's does")
    func browserStyleRefused() async throws {
        let running = try await start()
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let gateway = try await fixture.gateway("00DB1234567890C0")
        let client = try await UplinkTestClient.connect(port: running.server.port, roots: [fixture.authority.certificate],
                                                        chain: [gateway.tlsCertificate], key: gateway.tlsKey)
        // A request that never reaches the gateway fails the test instead of hanging the run.
        let stuck = client.channel.channel
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            stuck.close(promise: nil)
        }
        defer { watchdog.cancel() }
        let firstRequest: [UInt8] = try await client.channel.executeThenClose { inbound, outbound in
            var frames = inbound.makeAsyncIterator()
            // A reading first: the head-end knows the gateway's connection from its first frame on.
            try await outbound.write(try WrapperFrame(source: 16, destination: 1, apdu: try await gateway.frame(1)))
            _ = try #require(try await frames.next())

            for headers in Self.browserStyle {
                let answer = try await post(running.socket, gateway: gateway.title, obis: "1.0.32.7.0.255", headers: headers)
                #expect(answer.status == 403, "\(headers): \(answer)")
                #expect(answer.body.split(separator: "\n").count == 1, "\(answer.body)")
            }
            // The operator's request: the first frame the gateway is sent after the refusals must be this one.
            async let operatorAnswer = post(running.socket, gateway: gateway.title, obis: "1.0.1.8.1.255")
            let frame = try #require(try await frames.next())
            #expect(try await operatorAnswer.status == 200)
            return frame.apdu
        }
        await running.stop()

        #expect(Self.contains(firstRequest, [1, 0, 1, 8, 1, 255]), "the operator's request for 1.0.1.8.1.255 reached the gateway")
        #expect(!Self.contains(firstRequest, [1, 0, 32, 7, 0, 255]), "a refused request reached the gateway")
        let refusals = logs.all.filter { $0.contains("control request from") && $0.contains("refused 403") }
        #expect(refusals.count == Self.browserStyle.count, "\(logs.all)")
        #expect(refusals.contains { $0.contains("an Origin header (http://evil.example)") }, "\(refusals)")
        #expect(refusals.contains { $0.contains("Content-Type text/plain is not application/json") }, "\(refusals)")
    }

    @Test("each request's audit line names the caller's uid, gid and pid as the kernel gives them, the gateway, the object and the outcome")
    func auditLine() async throws {
        let running = try await start()
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let absent = try SystemTitle(hex: "00DB1234567890C1")
        let answer = try await post(running.socket, gateway: absent, obis: "1.0.1.8.1.255")
        await running.stop()
        #expect(answer.status == 200 && answer.body.contains("not connected"), "\(answer)")
        let line = try #require(logs.all.first { $0.contains("control request from") }, "\(logs.all)")
        #expect(line.contains("control request from uid \(getuid()) gid \(getgid()) pid \(getpid()): gateway 00DB1234567890C1 obis 1.0.1.8.1.255: sent, no_answer"),
                "\(line)")
    }

    @Test("past its rate a user gets 429 before anything is signed; another user has a budget of its own")
    func rateLimit() async throws {
        // A clock that stands still: the budget is exactly the burst, whatever the machine's speed.
        let frozen = ContinuousClock.now
        let running = try await start(rateLimit: ControlRateLimit(perSecond: 2, now: { frozen }))
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let absent = try SystemTitle(hex: "00DB1234567890C2")
        var statuses: [UInt] = []
        for _ in 0..<4 { statuses.append(try await post(running.socket, gateway: absent, obis: "1.0.1.8.1.255").status) }
        #expect(statuses == [200, 200, 429, 429])
        let refused = try await post(running.socket, gateway: absent, obis: "1.0.1.8.1.255")
        #expect(refused.body == "more than 2 requests a second from this user; wait and ask again\n")

        // Another user, once the socket lets it in, is not held to the first user's count.
        chmod(running.socket, 0o666)
        let other = try await Self.curlAsNobody(running.socket)
        await running.stop()
        #expect(other.status == 0 && other.output == "200", "\(other.output) \(other.stderr)")
        #expect(logs.all.filter { $0.contains("refused 429") }.count == 3, "\(logs.all)")
        #expect(logs.all.contains { $0.contains("control request from uid 65534 ") }, "\(logs.all)")
    }

    @Test("another user cannot connect to the socket (mode 0660); headend request says so in one line")
    func otherUserRefused() async throws {
        let running = try await start()
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let refused = try await Self.curlAsNobody(running.socket)
        #expect(refused.status == 7 && refused.output == "000", "curl as nobody: \(refused.status) \(refused.output) \(refused.stderr)")

        let socket = running.socket
        let command = try await run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", HeadEndCommandTests.headendPath, "request",
                                                "--socket", socket, "--gateway", "00DB1234567890C3", "--obis", "1.0.1.8.1.255"])
        #expect(command.status == 1)
        #expect(command.stderr == "headend: the head-end's control socket \(socket) refuses this user (Permission denied): only headend's user and the members of its control.group may command gateways\n",
                "\(command.stderr)")

        // The positive control: the same user gets through once the mode admits it, so it was the mode that refused.
        chmod(socket, 0o666)
        let admitted = try await Self.curlAsNobody(socket)
        await running.stop()
        #expect(admitted.output == "200", "\(admitted.output) \(admitted.stderr)")
        #expect(!logs.all.contains { $0.contains("control request from uid 65534 ") && $0.contains("00DB1234567890C3") })
    }

    /// A well-formed request from the user nobody (uid 65534): curl's exit status and the HTTP status it got.
    static func curlAsNobody(_ socket: String) async throws -> ProcessResult {
        try await run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                  "--unix-socket", socket, "-H", "Content-Type: application/json",
                                  "-d", "{\"gateway\": \"00DB1234567890C4\", \"obis\": \"1.0.1.8.1.255\"}", "http://localhost/requests"])
    }

    static func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        return (0...(bytes.count - pattern.count)).contains { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }
}
