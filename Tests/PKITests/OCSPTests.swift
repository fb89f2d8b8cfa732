import Foundation
import PKI
import PKIStore
import Signing
import SwiftASN1
import TestSupport
import Testing
import X509

/// The OCSP responder checked with the real `openssl ocsp`: openssl builds the requests, and what it prints
/// about the responses (verification, status lines, nonce checks) is what is asserted.
@Suite("OCSP responder: openssl's requests answered, verified and read back by openssl")
struct OCSPTests {
    /// This test's files, removed when Swift Testing drops the suite instance after the test.
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }
    let authority: CertificateAuthority
    let responder: OCSPResponder
    let leaf: Certificate
    let caPath: String
    let leafPath: String

    static let malformed: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x01]

    init() async throws {
        scratch = try ScratchDirectory("ocsp")
        let directory = scratch.url
        authority = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("pki").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=OCSP Root"),
            validity: try Validity("5y"), url: nil
        )
        responder = OCSPResponder(authority: authority)
        leaf = try await Self.issue(by: authority, title: "00DB1234567890A0")
        caPath = try Self.write(authority.certificate, to: directory.appendingPathComponent("ca.pem").path)
        leafPath = try Self.write(leaf, to: directory.appendingPathComponent("leaf.pem").path)
    }

    static func issue(by authority: CertificateAuthority, title: String) async throws -> Certificate {
        let csr = try await CertificateRequests.make(signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=\(title)"))
        return try await authority.issue(csr, profile: .sign, validity: try Validity("1y"))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func write(_ certificate: Certificate, to path: String) throws -> String {
        try certificate.serializeAsPEM().pemString.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func write(_ certificate: Certificate, _ name: String) throws -> String { try Self.write(certificate, to: path(name)) }

    func openssl(_ arguments: [String]) async throws -> ProcessResult {
        try await run("openssl", ["ocsp"] + arguments)
    }

    /// A request made by `openssl ocsp ... -reqout`.
    func request(_ name: String, _ arguments: [String]) async throws -> [UInt8] {
        let result = try await openssl(arguments + ["-reqout", path(name)])
        #expect(result.status == 0, "openssl ocsp -reqout failed: \(result.stderr)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// The responder's answer to `request`, written to `name` for openssl.
    func respond(_ request: [UInt8], _ name: String, now: Date = Date()) async throws -> String {
        let response = await responder.respond(to: request, now: now)
        try Data(response).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func lines(_ result: ProcessResult) -> [String] {
        result.output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// A time as openssl prints it: `Mar  1 12:00:00 2025 GMT`.
    func opensslTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return months[c.month! - 1] + String(format: " %2d %02d:%02d:%02d %d GMT", c.day!, c.hour!, c.minute!, c.second!, c.year!)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.hexString }

    @Test("good, then revoked with its reason and time after the CA revokes it; openssl verifies the CA's signature")
    func goodThenRevoked() async throws {
        let request = try await request("req.der", ["-issuer", caPath, "-cert", leafPath, "-no_nonce"])
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let response = try await respond(request, "resp.der", now: now)
        let check = ["-respin", response, "-issuer", caPath, "-CAfile", caPath, "-cert", leafPath, "-no_nonce"]

        let good = try await openssl(check)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("Response verify OK"), "\(good.stderr)")
        #expect(lines(good) == [
            "\(leafPath): good", "This Update: \(opensslTime(now))", "Next Update: \(opensslTime(now.addingTimeInterval(86400)))",
        ])

        let text = try await openssl(check + ["-resp_text"])
        #expect(text.output.contains("OCSP Response Status: successful (0x0)"))
        #expect(text.output.contains("Response Type: Basic OCSP Response"))
        #expect(text.output.contains("Cert Status: good"))
        #expect(text.output.contains("Signature Algorithm: ecdsa-with-SHA256"))
        // Responder Id: byKey, the SHA-1 of the CA's subjectPublicKey bits, which openssl prints as the CA's
        // subject key identifier (the CA profile computes it the same way, RFC 5280 §4.2.1.2 method 1).
        let ski = try #require(try authority.certificate.extensions.subjectKeyIdentifier)
        #expect(text.output.contains("Responder Id: \(Self.hex(ski.keyIdentifier))"))
        #expect(text.output.contains("Serial Number: \(Self.hex(leaf.serialNumber.bytes))"))

        let revokedAt = now.addingTimeInterval(-60)
        try await authority.revoke(serial: Self.hex(leaf.serialNumber.bytes), reason: .keyCompromise, now: revokedAt)
        let revoked = try await openssl(["-respin", try await respond(request, "resp-revoked.der", now: now)] + check.dropFirst(2))
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stderr.contains("Response verify OK"), "\(revoked.stderr)")
        #expect(lines(revoked) == [
            "\(leafPath): revoked", "This Update: \(opensslTime(now))", "Next Update: \(opensslTime(now.addingTimeInterval(86400)))",
            "Reason: keyCompromise", "Revocation Time: \(opensslTime(revokedAt))",
        ])
    }

    @Test("a certificate revoked without a reason is revoked without a reason line")
    func revokedUnspecified() async throws {
        try await authority.revoke(serial: Self.hex(leaf.serialNumber.bytes), reason: .unspecified)
        let response = try await respond(try request("req.der", ["-issuer", caPath, "-cert", leafPath, "-no_nonce"]), "resp.der")
        let result = try await openssl(["-respin", response, "-issuer", caPath, "-CAfile", caPath, "-cert", leafPath, "-no_nonce"])
        #expect(result.stderr.contains("Response verify OK"), "\(result.stderr)")
        #expect(lines(result).first == "\(leafPath): revoked")
        #expect(!result.output.contains("Reason:"))
        #expect(result.output.contains("Revocation Time:"))
    }

    @Test("CertIDs with SHA-256 are answered too")
    func sha256CertID() async throws {
        let request = try await request("req.der", ["-sha256", "-issuer", caPath, "-cert", leafPath, "-no_nonce"])
        let response = try await respond(request, "resp.der")
        let result = try await openssl(["-respin", response, "-sha256", "-issuer", caPath, "-VAfile", caPath, "-cert", leafPath, "-no_nonce", "-resp_text"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Response verify OK"), "\(result.stderr)")
        #expect(result.output.contains("Hash Algorithm: sha256"))
        #expect(result.output.contains("\(leafPath): good"))
    }

    @Test("another CA's certificate and a serial this CA never issued are unknown, in one signed response")
    func unknown() async throws {
        let other = try await CertificateAuthority.create(
            directory: PKIDirectory(path: directory.appendingPathComponent("other").path), keyURI: "software",
            signer: try SoftwareSigner(generating: .ecdsa(.p256)), subject: try SubjectName.parse("CN=OCSP Root"),
            validity: try Validity("5y"), url: nil
        )
        let otherPath = try write(other.certificate, "other.pem")
        let foreignPath = try write(try await Self.issue(by: other, title: "00DB1234567890B0"), "foreign.pem")

        // Same subject Name, another key: the key hash does not match.
        let foreign = try await respond(try request("foreign-req.der", ["-issuer", otherPath, "-cert", foreignPath, "-no_nonce"]), "foreign-resp.der")
        let result = try await openssl(["-respin", foreign, "-issuer", otherPath, "-cert", foreignPath, "-VAfile", caPath, "-no_nonce"])
        #expect(result.stderr.contains("Response verify OK"), "\(result.stderr)")
        #expect(lines(result).first == "\(foreignPath): unknown")

        // This CA, a known and an unknown serial.
        let mixed = try await respond(
            try request("mixed-req.der", ["-issuer", caPath, "-cert", leafPath, "-serial", "0x1234", "-no_nonce"]), "mixed-resp.der"
        )
        let both = try await openssl(["-respin", mixed, "-issuer", caPath, "-CAfile", caPath, "-cert", leafPath, "-serial", "0x1234", "-no_nonce"])
        #expect(both.stderr.contains("Response verify OK"), "\(both.stderr)")
        let statusLines = lines(both).filter { $0.contains(": good") || $0.contains(": unknown") || $0.contains(": revoked") }
        #expect(statusLines == ["\(leafPath): good", "0x1234: unknown"])
    }

    @Test("the request's nonce is echoed: openssl checks it against the request it sent")
    func nonce() async throws {
        let request = try await request("req.der", ["-issuer", caPath, "-cert", leafPath])
        let requestText = try await openssl(["-reqin", path("req.der"), "-req_text"])
        #expect(requestText.output.contains("OCSP Nonce:"))
        let response = try await respond(request, "resp.der")

        let checked = try await openssl(["-reqin", path("req.der"), "-respin", response, "-issuer", caPath, "-CAfile", caPath, "-resp_text"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stderr.contains("Response verify OK"), "\(checked.stderr)")
        #expect(!checked.stderr.contains("Nonce"), "\(checked.stderr)")
        #expect(!checked.stderr.contains("WARNING"), "\(checked.stderr)")
        #expect(checked.output.contains("Cert Status: good"))
        // The same nonce bytes in request and response.
        func nonceLine(_ text: String) -> String? {
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return lines.firstIndex(of: "OCSP Nonce:").map { lines[$0 + 1] }
        }
        #expect(nonceLine(requestText.output) != nil)
        #expect(nonceLine(checked.output) == nonceLine(requestText.output))

        // Another request's nonce does not match; a response without a nonce is flagged.
        _ = try await self.request("req2.der", ["-issuer", caPath, "-cert", leafPath])
        let mismatch = try await openssl(["-reqin", path("req2.der"), "-respin", response, "-issuer", caPath, "-CAfile", caPath])
        #expect(mismatch.stderr.contains("Nonce Verify error"), "\(mismatch.stderr)")
        let withoutNonce = try await respond(try self.request("req3.der", ["-issuer", caPath, "-cert", leafPath, "-no_nonce"]), "resp3.der")
        let missing = try await openssl(["-reqin", path("req.der"), "-respin", withoutNonce, "-issuer", caPath, "-CAfile", caPath])
        #expect(missing.stderr.contains("WARNING: no nonce in response"), "\(missing.stderr)")
    }

    @Test("truncated and mutated requests get malformedRequest or a well-formed answer, never a crash")
    func malformedRequests() async throws {
        let request = try await request("req.der", ["-issuer", caPath, "-cert", leafPath])
        for length in 0..<request.count {
            let response = await responder.respond(to: Array(request.prefix(length)))
            #expect(response == Self.malformed, "prefix of \(length) bytes")
        }
        #expect(await responder.respond(to: request + [0x00]) == Self.malformed)
        #expect(await responder.respond(to: [0x30, 0x80] + request + [0x00, 0x00]) == Self.malformed)  // BER indefinite length
        #expect(await responder.respond(to: Array(repeating: 0x30, count: 200) + [0x00]) == Self.malformed)

        // openssl reads the malformed status as such.
        try Data(Self.malformed).write(to: URL(fileURLWithPath: path("malformed.der")))
        let read = try await openssl(["-respin", path("malformed.der"), "-issuer", caPath, "-cert", leafPath, "-no_nonce"])
        #expect(read.output == "Responder Error: malformedrequest (1)\n")

        var generator = SplitMix64(seed: 0x0C5B)
        var malformedCount = 0
        for round in 0..<400 {
            var mutated = request
            for _ in 0...(round % 3) {
                let index = Int(generator.next() % UInt64(mutated.count))
                switch generator.next() % 4 {
                case 0: mutated[index] ^= UInt8(1 << (generator.next() % 8))
                case 1: mutated[index] = UInt8(truncatingIfNeeded: generator.next())
                case 2: mutated.remove(at: index)
                default: mutated.insert(UInt8(truncatingIfNeeded: generator.next()), at: index)
                }
            }
            let response = await responder.respond(to: mutated)
            if response == Self.malformed {
                malformedCount += 1
                continue
            }
            // A mutation that left a well-formed request (a hash or serial byte changed, say) is answered.
            let root = try DER.parse(response)
            guard case .constructed(let fields) = root.content, let status = fields.first(where: { _ in true }) else {
                Issue.record("round \(round): not an OCSPResponse")
                continue
            }
            #expect(status.encodedBytes.elementsEqual([0x0A, 0x01, 0x00]), "round \(round): status \(Array(status.encodedBytes))")
        }
        #expect(malformedCount > 300, "only \(malformedCount) of 400 mutations were malformed")
    }
}

