import ArgumentParser
import Foundation
import PKCS11
import PKI
import PKIStore
import Signing

struct CAInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a CA in a PKI directory, its key generated on the token (or an existing key used)."
    )

    @OptionGroup var pki: PKIOption
    @OptionGroup var options: TokenOptions

    @Option(help: "URI of the CA key; generated on the token if no such key exists.")
    var key: String

    @Option(help: "Key type when the key is generated: ec-p256, ec-p384 or rsa-3072.")
    var type: String = "ec-p256"

    @Option(help: "Subject of the CA certificate, e.g. \"CN=Metering Root CA,O=Utility\".")
    var subject: String

    @Option(help: "Lifetime, e.g. 10y.")
    var validity: String = "10y"

    @Option(help: "Base URL where pkid publishes the CRL and OCSP (written into issued certificates).")
    var url: String?

    @Option(help: "PKI directory of the parent CA, for a subordinate CA.")
    var parent: String?

    func run() async throws {
        let subject = try SubjectName.parse(subject)
        let validity = try Validity(validity)
        guard !pki.directory.exists else { throw PKIError.alreadyInitialised(pki.path) }
        let uri = try PKCS11URI(argument: key)
        let token = try await options.openToken(uri)
        let signer: TokenKey
        do {
            signer = try await token.key(uri)
        } catch PKCS11Error.objectNotFound {
            guard let algorithm = KeyAlgorithm(name: type), [.ecdsa(.p256), .ecdsa(.p384), .rsa(bits: 3072)].contains(algorithm) else {
                throw CLIError("CA key type must be ec-p256, ec-p384 or rsa-3072, not \(type)")
            }
            signer = try await token.generateKeyPair(uri, algorithm: algorithm)
            print("generated \(algorithm) CA key \(signer.uri)")
        }
        var parentCA: CertificateAuthority?
        if let parent { parentCA = try await openAuthority(PKIDirectory(path: parent), options) }
        var stored = uri
        stored.pinValue = nil
        let authority = try await CertificateAuthority.create(
            directory: pki.directory, keyURI: stored.uriString, signer: signer, subject: subject, validity: validity,
            url: url, parent: parentCA
        )
        let certificate = authority.certificate
        print("\(parentCA == nil ? "root" : "subordinate") CA \(certificate.subject)")
        print("serial \(serialHex(certificate)), valid until \(ISO8601DateFormatter().string(from: certificate.notValidAfter))")
        print("wrote \(pki.path)/pki.json, ca.pem, chain.pem, pki.sqlite, crl.der")
    }
}
