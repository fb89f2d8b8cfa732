import ArgumentParser
import Foundation
import PKI
import PKIStore

struct CACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "The Certificate Authority: a PKI directory whose CA key lives on a token.",
        discussion: "The CA key's PIN comes from GATEWAY_PIN or the key URI's pin-source, as for every token command.",
        subcommands: [CAInit.self, CAIssue.self, CAList.self, CAShow.self, CARevoke.self, CACRL.self]
    )
}

/// The PKI directory option every CA command takes.
struct PKIOption: ParsableArguments {
    @Option(name: .customLong("pki"), help: "PKI directory (configuration, CA certificate, database, CRL).")
    var path: String

    var directory: PKIDirectory { PKIDirectory(path: path) }

    /// The CA of the directory, with its key opened on its token.
    func open(_ tokenOptions: TokenOptions) async throws -> CertificateAuthority {
        try await openAuthority(directory, tokenOptions)
    }
}

/// The CA of `directory`, with its key opened on its token.
func openAuthority(_ directory: PKIDirectory, _ tokenOptions: TokenOptions) async throws -> CertificateAuthority {
    let configuration = try directory.configuration()
    return try CertificateAuthority(directory: directory, signer: try await openSigner(configuration.caKey, options: tokenOptions))
}
