import ArgumentParser
import COSEM
import DaemonRuntime
import Foundation
import Gateway
import PKCS11
import PKI
import PKIService
import SwiftASN1
import Transport
import X509

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Get a certificate for a token key from pkid (EST), and renew it.",
        subcommands: [EnrollNew.self, EnrollRenew.self],
        defaultSubcommand: EnrollNew.self
    )
}

/// What both enrollment commands share: where pkid is and which CA to trust for its TLS certificate.
struct ESTOptions: ParsableArguments {
    @Option(help: "pkid's HTTPS URL, e.g. https://127.0.0.1:8443.")
    var url: String

    @Option(help: "The CA certificate (PEM) that pkid's TLS certificate chains to.")
    var ca: String

    @Option(name: .customLong("out"), help: "Also write the new certificate (PEM) here. A token that does not take certificates (a PIV card through OpenSC) gets none: the file is then the only copy and the exit status is 3.")
    var output: String?

    /// `body` with an EST client for pkid, shut down when `body` is done.
    func withClient<Result>(_ body: (ESTClient) async throws -> Result) async throws -> Result {
        try await ESTClient(url: url, trustRoots: try CertificateFile.trustAnchors(at: ca, setting: "--ca")).using(body)
    }

    /// Stores the issued certificate on the token and in `--out`. The one-time secret is spent by now, so a
    /// certificate the token will not take (OpenSC's PIV driver writes no objects through PKCS#11) is never lost:
    /// it goes to `--out`, or to a file named after its serial in the current directory, and the line says how to
    /// put it on the card with the card's own tool.
    func store(_ certificate: Certificate, on key: TokenKey) async throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let pem = Array(try certificate.serializeAsPEM().pemString.utf8) + [0x0A]
        if let output { try writeOutput(pem, to: output) }
        let formatter = ISO8601DateFormatter()
        let issued = "certificate \(serialHex(certificate)) for \(certificate.subject), valid until \(formatter.string(from: certificate.notValidAfter))"
        do {
            try await key.token.importCertificate(serializer.serializedBytes, for: key.uri)
        } catch {
            let file = output ?? "certificate-\(serialHex(certificate)).pem"
            if output == nil { try writeOutput(pem, to: file) }
            FileHandle.standardError.write(Data("gatewayctl: token \"\(key.token.label)\" did not take the certificate (\(error)); it is saved in \(file): store it with the card's own tool (docs/smartcards.md) or give gatewayd certificates.signing/tls: \(file)\n".utf8))
            print("\(issued), written to \(file), NOT stored on token \"\(key.token.label)\"")
            throw ExitCode(3)
        }
        print("\(issued), stored on token \"\(key.token.label)\"")
    }
}

struct EnrollNew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Enroll: make a CSR on the token, present the RA's one-time secret, store the certificate on the token."
    )

    @OptionGroup var est: ESTOptions
    @OptionGroup var options: TokenOptions

    @Option(name: .customLong("secret-env"), help: "Environment variable holding the enrollment secret (never on the command line).")
    var secretEnv: String

    @Option(help: "URI of the key on the token.")
    var key: String

    @Option(name: .customLong("system-title"), help: "The device's system title (16 hex digits), the certificate's CN.")
    var systemTitle: String

    @Option(help: "Profile: sign or tls.")
    var profile: String

    func run() async throws {
        guard let profile = CertificateProfile(rawValue: profile), profile != .ca else { throw CLIError("unknown profile \(profile); use sign or tls") }
        guard let secret = ProcessInfo.processInfo.environment[secretEnv], !secret.isEmpty else {
            throw CLIError("environment variable \(secretEnv) holds no enrollment secret; export the secret `gatewayctl ra register` printed")
        }
        let title = try SystemTitle(hex: systemTitle.uppercased())
        let signer = try await openSigner(key, options: options)
        let csr = try await CertificateRequests.make(signer: signer, subject: try SubjectName.parse("CN=\(title)"))
        let certificate = try await est.withClient {
            try await $0.simpleEnroll(csr, systemTitle: title.description, secret: secret, profile: profile)
        }
        guard certificate.publicKey == csr.publicKey else { throw CLIError("pkid answered with a certificate for another key") }
        try await est.store(certificate, on: signer)
    }
}

struct EnrollRenew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Re-enroll with the current certificate once 70 % of its lifetime has passed (IEC 62351-9), or at once with --force."
    )

    @OptionGroup var est: ESTOptions
    @OptionGroup var options: TokenOptions

    @Option(help: "URI of the key on the token (its certificate is the current one).")
    var key: String

    @Flag(help: "Renew now, whatever the certificate's age.")
    var force = false

    func run() async throws {
        let signer = try await openSigner(key, options: options)
        let current = try Certificate(derEncoded: try await signer.token.certificate(signer.uri))
        let rule = RenewalRule()
        guard force || rule.isDue(current, at: Date()) else {
            print("certificate \(serialHex(current)) is not due for renewal until \(ISO8601DateFormatter().string(from: rule.due(current))) (\(rule.percent) of its lifetime); use --force to renew now")
            return
        }
        let csr = try await CertificateRequests.make(signer: signer, subject: current.subject)
        let renewed = try await est.withClient { try await $0.simpleReenroll(csr, current: current, key: signer) }
        try await est.store(renewed, on: signer)
    }
}
