import Foundation
import PKI
import PKIService
import Signing
import Testing
import X509

/// pkid's rule for its own TLS certificate: the token's is kept while this CA issued it and it has a day left;
/// otherwise a fresh one is issued, for localhost, 127.0.0.1 and the address pkid listens on.
@Suite("pkid's TLS certificate: kept while it serves, else issued afresh")
struct ServerCertificateTests {
    @Test("one this CA issued, valid a year: kept")
    func keepsItsOwn() async throws {
        let pki = try await LoopbackPKI("Server Certificate Root")
        let issued = try await ServerCertificate.issue(authority: pki.authority, key: try SoftwareSigner(generating: .ecdsa(.p256)), host: "127.0.0.1")
        #expect(ServerCertificate.isUsable(issued, authority: pki.authority))
        #expect(issued.subject == (try SubjectName.parse("CN=pkid")))
    }

    @Test("one with less than a day left: replaced; the day is the boundary")
    func expiring() async throws {
        let pki = try await LoopbackPKI("Server Certificate Root")
        let issued = try await ServerCertificate.issue(authority: pki.authority, key: try SoftwareSigner(generating: .ecdsa(.p256)), host: "127.0.0.1")
        let dayBefore = issued.notValidAfter.addingTimeInterval(-ServerCertificate.minimumRemaining)
        #expect(ServerCertificate.isUsable(issued, authority: pki.authority, at: dayBefore.addingTimeInterval(-60)))
        #expect(!ServerCertificate.isUsable(issued, authority: pki.authority, at: dayBefore.addingTimeInterval(60)))
    }

    @Test("one from another CA (a token from another PKI), even under the same CA name: replaced")
    func anotherCA() async throws {
        let ours = try await LoopbackPKI("Server Certificate Root")
        let theirs = try await LoopbackPKI("Server Certificate Root")
        let foreign = try await ServerCertificate.issue(authority: theirs.authority, key: try SoftwareSigner(generating: .ecdsa(.p256)), host: "127.0.0.1")
        #expect(!ServerCertificate.isUsable(foreign, authority: ours.authority), "same subject, another key: the signature decides")
        let named = try await LoopbackPKI("Another Root")
        let other = try await ServerCertificate.issue(authority: named.authority, key: try SoftwareSigner(generating: .ecdsa(.p256)), host: "127.0.0.1")
        #expect(!ServerCertificate.isUsable(other, authority: ours.authority))
    }

    @Test("names: localhost and 127.0.0.1 always, the listen address beside them as an IP or a DNS name, never twice")
    func alternativeNames() {
        let loopback = GeneralName.names(dns: ["localhost"], ip: [[127, 0, 0, 1]])
        #expect(ServerCertificate.alternativeNames(host: "127.0.0.1") == loopback)
        #expect(ServerCertificate.alternativeNames(host: "localhost") == loopback)
        #expect(ServerCertificate.alternativeNames(host: "10.1.2.3") == GeneralName.names(dns: ["localhost"], ip: [[127, 0, 0, 1], [10, 1, 2, 3]]))
        #expect(ServerCertificate.alternativeNames(host: "pki.example") == GeneralName.names(dns: ["localhost", "pki.example"], ip: [[127, 0, 0, 1]]))
        #expect(ServerCertificate.alternativeNames(host: "10.1.2") == GeneralName.names(dns: ["localhost", "10.1.2"], ip: [[127, 0, 0, 1]]))
    }

    @Test("the issued certificate carries the names of the address it serves")
    func issuedNames() async throws {
        let pki = try await LoopbackPKI("Server Certificate Root")
        let issued = try await ServerCertificate.issue(authority: pki.authority, key: try SoftwareSigner(generating: .ecdsa(.p256)), host: "10.1.2.3")
        let names = try #require(try issued.extensions.subjectAlternativeNames)
        #expect(Array(names) == ServerCertificate.alternativeNames(host: "10.1.2.3"))
    }
}
