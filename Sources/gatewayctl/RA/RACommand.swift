import ArgumentParser
import COSEM
import Foundation
import PKI
import PKIStore

struct RACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ra",
        abstract: "The Registration Authority: register devices before they may enroll.",
        subcommands: [RARegister.self]
    )
}

struct RARegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Record an expected device and print its one-time enrollment secret (stored only as a hash)."
    )

    @OptionGroup var pki: PKIOption

    @Option(name: .customLong("system-title"), help: "The device's system title, 16 hex digits.")
    var systemTitle: String

    @Option(help: "Profile the device may enroll for: sign or tls.")
    var profile: String

    @Option(name: .customLong("meter-number"), help: "The meter's number, for the record.")
    var meterNumber: String?

    @Option(help: "How long the secret stays valid, e.g. 24h.")
    var expires: String = "24h"

    func run() async throws {
        guard let profile = CertificateProfile(rawValue: profile), profile != .ca else { throw CLIError("unknown profile \(profile); use sign or tls") }
        let title = try SystemTitle(hex: systemTitle.uppercased())
        let validity = try Validity(expires)
        let (registration, secret) = try await RegistrationAuthority.register(
            in: try pki.directory.openDatabase(), systemTitle: title, profile: profile, meterNumber: meterNumber, validFor: validity.seconds
        )
        print("registered \(registration.systemTitle) for a \(profile) certificate until \(ISO8601DateFormatter().string(from: registration.expiresAt))")
        print("enrollment secret (shown once): \(secret)")
    }
}
