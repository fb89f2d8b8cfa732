import ArgumentParser
import COSEM
import DaemonRuntime
import Foundation
import Metering
import PKI
import PKIService
import SwiftASN1
import Transport
import X509

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signed record: signature, certificate_info, originator, profile, chain and revocation.",
        discussion: "Prints the record's values and the verdict; exits 0 only when every check passes."
    )

    @Option(help: "The general-signing frame (bare APDU or with the TCP wrapper).")
    var frame: String?

    @Option(help: "An evidence file (DER) holding frame, record and certificate; replaces --frame and --cert.")
    var evidence: String?

    @Option(help: "The CA certificate(s) to trust (PEM).")
    var ca: String

    @Option(help: "The CA's CRL (DER or PEM). Without one, revocation cannot be checked and the verdict is negative.")
    var crl: [String] = []

    @Option(help: "The signer's certificate (PEM or DER); with --frame, this or --directory.")
    var cert: String?

    @Option(help: "pkid's Central Directory (http://host:port), to look the signer's certificate up by the serial the frame names.")
    var directory: String?

    @Option(help: "Signed-bytes convention the signer used: a or b.")
    var convention: Convention = .a

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        guard (frame == nil) != (evidence == nil) else { throw CLIError("give either --frame FILE (with --cert or --directory) or --evidence FILE") }
        let anchors = try CertificateFile.trustAnchors(at: ca, setting: "--ca")
        let crls = try crl.map { try PEMOrDER.crl(try readFile($0)) }
        let verifier = RecordVerifier(validator: CertificateValidator(trustAnchors: anchors, crls: crls), convention: convention.cosem)
        let result: RecordVerification
        if let evidence {
            result = await verifier.verify(evidence: try readFile(evidence))
        } else if let frame {
            let bytes = try WrapperFrame.apdu(ofPossiblyWrapped: try readFile(frame))
            if let cert {
                result = await verifier.verify(frame: bytes, certificates: FixedCertificateSource(try PEMOrDER.certificate(try readFile(cert))))
            } else if let directory {
                // The frame names its certificate (certificate_info); the Central Directory has it by serial.
                result = try await DirectoryClient(url: directory, trustRoots: anchors).using { await verifier.verify(frame: bytes, certificates: $0) }
            } else {
                throw CLIError("--frame needs the signer's certificate: --cert FILE or --directory http://host:port")
            }
        } else {
            throw CLIError("give --frame FILE or --evidence FILE")
        }
        FileHandle.standardOutput.write(json ? VerificationReport.json(result) : Data(VerificationReport.text(result).utf8))
        if !result.passed { throw ExitCode(1) }
    }
}
