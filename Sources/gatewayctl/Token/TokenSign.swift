import ArgumentParser
import Foundation
import PKCS11
import Signing

struct TokenSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a file on the token.",
        discussion: """
            The file is hashed with SHA-256 (P-256 and RSA keys), SHA-384 (P-384) or SHA-512 (P-521) and signed on \
            the token. The DER output verifies with `openssl dgst -sha256 -verify pub.pem -signature sig FILE`.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// DER ECDSA-Sig-Value, as openssl and X.509 use it.
        case der
        /// r‖s, as DLMS general-signing and CKM_ECDSA use it.
        case raw
    }

    enum RSAPadding: String, ExpressibleByArgument, CaseIterable {
        case pss, pkcs1
    }

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of the private key.")
    var uri: String

    @Option(name: .customLong("in"), help: "File to sign.")
    var input: String

    @Option(name: .customLong("out"), help: "Where to write the signature (default: standard output).")
    var output: String?

    @Option(help: "ECDSA signature encoding: der or raw.")
    var format: Format = .der

    @Option(name: .customLong("rsa-padding"), help: "RSA padding: pss or pkcs1.")
    var rsaPadding: RSAPadding = .pss

    func run() async throws {
        let uri = try PKCS11URI(argument: uri)
        let message = try readFile(input)
        let token = try await options.openToken(uri)
        let key = try await token.key(uri)
        let scheme: SignatureScheme = switch key.algorithm {
        case .ecdsa(let curve): .ecdsa(curve.matchingHash)
        case .rsa: rsaPadding == .pss ? .rsaPSS(.sha256) : .rsaPKCS1v15(.sha256)
        }
        let signature = try await key.sign(message, scheme: scheme)
        let bytes = format == .der ? try signature.derEncoded() : signature.bytes
        try writeOutput(bytes, to: output)
        await token.close()
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read \(path): no such file or no permission")
    }
    return Array(data)
}

func writeOutput(_ bytes: [UInt8], to path: String?) throws {
    if let path {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw CLIError("cannot write \(path); check that its directory exists and is writable")
        }
    } else {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
