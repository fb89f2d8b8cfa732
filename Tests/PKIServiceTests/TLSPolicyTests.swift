import Foundation
import NIOSSL
import PKI
import Signing
import Synchronization
import Testing
import Transport
import X509

/// The project's TLS settings on loopback, with real handshakes: the head-end's listener that requires a client
/// certificate, and the clients' refusal of servers below TLS 1.2 or without ECDHE and AEAD.
@Suite("TLS configurations")
struct TLSPolicyTests {
    /// Counts requests that reached the handler: a refused handshake must leave it at zero.
    final class Served: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    static func greeter(_ served: Served) -> HTTPServer.Handler {
        { _, context in
            served.add()
            return .text(.ok, "hello \(context.clientCertificate.map { "\($0.subject)" } ?? "stranger")")
        }
    }

    @Test("a listener requiring client certificates refuses a client without one in the handshake and accepts one from its CA")
    func requiredClientCertificate() async throws {
        let pki = try await LoopbackPKI("Mutual Root")
        let server = try await pki.tlsIdentity("head-end")
        let gateway = try await pki.tlsIdentity("00DB1234567890A0")
        let stranger = try await LoopbackPKI("Other Root").tlsIdentity("00DB1234567890FF")
        let served = Served()
        let tls = try TLSConfigurations.serverRequiringClientCertificate(chain: [server.certificate], key: server.key, clientCA: [pki.root])
        let listener = try await HTTPServer(name: "mutual", at: .tcp(host: "127.0.0.1", port: 0), tls: tls, handler: Self.greeter(served))

        let client = HTTPSClient(timeouts: .patient)
        func request(_ configuration: TLSConfiguration) async -> Result<HTTPSClient.Response, HTTPClientError> {
            do throws(HTTPClientError) {
                return .success(try await client.request(.GET, "/", at: HostAndPort(host: "127.0.0.1", port: listener.port), tls: configuration))
            } catch { return .failure(error) }
        }

        let anonymous = await request(try TLSConfigurations.client(trustRoots: [pki.root]))
        guard case .failure(.tlsFailed(_, _, let reason)) = anonymous else {
            Issue.record("a client without a certificate got \(anonymous)")
            return
        }
        #expect(reason.contains("CERTIFICATE_REQUIRED") || reason.contains("HANDSHAKE_FAILURE"), "\(reason)")

        var tls12 = try TLSConfigurations.client(trustRoots: [pki.root])
        tls12.maximumTLSVersion = .tlsv12
        guard case .failure(.tlsFailed) = await request(tls12) else {
            Issue.record("a TLS 1.2 client without a certificate was not refused in the handshake")
            return
        }

        let foreign = await request(try TLSConfigurations.client(trustRoots: [pki.root], chain: [stranger.certificate], key: stranger.key))
        guard case .failure(.tlsFailed) = foreign else {
            Issue.record("a client with a certificate from another CA got \(foreign)")
            return
        }
        #expect(served.value == 0)

        let accepted = await request(try TLSConfigurations.client(trustRoots: [pki.root], chain: [gateway.certificate], key: gateway.key))
        guard case .success(let response) = accepted else {
            Issue.record("a client with a certificate from the trusted CA got \(accepted)")
            return
        }
        #expect(response.status == .ok)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello CN=00DB1234567890A0\n")
        #expect(served.value == 1)
        await client.shutdown()
        await listener.stop()
    }

    @Test("pkid's listener asks for a client certificate but serves clients without one")
    func optionalClientCertificate() async throws {
        let pki = try await LoopbackPKI("Optional Root")
        let server = try await pki.tlsIdentity("pkid")
        let served = Served()
        let tls = try TLSConfigurations.server(chain: [server.certificate], key: server.key, clientCA: [pki.root])
        let listener = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: tls, handler: Self.greeter(served))
        let client = HTTPSClient(timeouts: .patient)
        let response = try await client.request(.GET, "/", at: HostAndPort(host: "127.0.0.1", port: listener.port),
                                                tls: try TLSConfigurations.client(trustRoots: [pki.root]))
        await client.shutdown()
        #expect(String(decoding: response.body, as: UTF8.self) == "hello stranger\n")
        await listener.stop()
    }

    @Test("the directory and EST clients refuse a server that offers only TLS 1.1, or TLS 1.2 without an AEAD cipher")
    func clientsRefuseWeakServers() async throws {
        let pki = try await LoopbackPKI("Weak Server Root")
        let server = try await pki.tlsIdentity("weak")
        let served = Served()
        var old = try TLSConfigurations.server(chain: [server.certificate], key: server.key)
        old.minimumTLSVersion = .tlsv1
        old.maximumTLSVersion = .tlsv11
        old.cipherSuites = "ECDHE-ECDSA-AES128-SHA"
        var cbc = try TLSConfigurations.server(chain: [server.certificate], key: server.key)
        cbc.maximumTLSVersion = .tlsv12
        cbc.cipherSuiteValues = [.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]
        var strong = try TLSConfigurations.server(chain: [server.certificate], key: server.key)
        strong.maximumTLSVersion = .tlsv12

        let serial = try CertificateSerial(parsing: "0A")
        for (name, configuration, refused) in [("TLS 1.1", old, true), ("TLS 1.2 CBC", cbc, true), ("TLS 1.2 GCM", strong, false)] {
            let listener = try await HTTPServer(at: .tcp(host: "127.0.0.1", port: 0), tls: configuration, handler: Self.greeter(served))
            let url = "https://127.0.0.1:\(listener.port)"
            do throws(DirectoryError) {
                _ = try await DirectoryClient(url: url, trustRoots: [pki.root], timeouts: .patient).certificate(serial: serial)
                Issue.record("the directory lookup of serial 0A succeeded against a greeter")
            } catch {
                switch error {
                case .unreachable(_, .tlsFailed): #expect(refused, "\(name): \(error)")
                case .malformedAnswer: #expect(!refused, "\(name) was refused: \(error)")
                default: Issue.record("\(name): \(error)")
                }
            }
            do {
                _ = try await ESTClient(url: url, trustRoots: [pki.root], timeouts: .patient).cacerts()
                Issue.record("EST cacerts succeeded against a greeter")
            } catch let error as ESTError {
                if case .unreachable(_, let reason) = error {
                    #expect(refused && reason.hasPrefix("TLS handshake failed"), "\(name): \(error)")
                } else {
                    #expect(!refused, "\(name): \(error)")
                }
            }
            await listener.stop()
        }
        #expect(served.value == 2)  // the GCM server, once per client
    }
}
