import ArgumentParser
import Foundation
import Signing
import VirtualCard

/// Puts a key and a certificate into a slot of the card's state.
struct VirtualCardProvision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Generate a slot's key with a self-signed certificate, or store a certificate for the slot's key.",
        discussion: """
            Creates the state if needed. Without --certificate: a new key in the slot and a self-signed certificate, \
            so OpenSC lists the key. With --certificate FILE (PEM or DER): that certificate replaces the slot's, \
            refused unless its public key is the slot's key. Run it before `virtual-card run`, or reinsert the card \
            (restart run) to see the change. TEST INSTRUMENT: the key is written to a plain file.
            """
    )

    @OptionGroup var state: VirtualCardStateOption

    @Option(help: ArgumentHelp("PIV slot: 9c (signature, PIN before every use) or 9a (authentication); also 9d, 9e.", valueName: "slot"))
    var slot: String

    @Option(name: .customLong("type"), help: ArgumentHelp("Key type: ec-p256 or ec-p384.", valueName: "type"))
    var keyType: String = "ec-p256"

    @Option(help: ArgumentHelp("Common name of the self-signed certificate.", valueName: "CN"))
    var subject: String = "Virtual PIV Card"

    @Option(help: ArgumentHelp("Certificate (PEM or DER) to store for the slot's existing key instead.", valueName: "file"))
    var certificate: String?

    @OptionGroup var pin: VirtualCardPINOption

    func run() async throws {
        guard let reference = PIVKeyReference(name: slot), reference != .cardManagement else {
            throw ProvisioningError.unsupportedSlot(slot)
        }
        let provisioner = CardProvisioner(store: state.store)
        if let certificate {
            guard let bytes = FileManager.default.contents(atPath: certificate) else {
                throw CLIError("cannot read \(certificate): no such file or no permission")
            }
            let result = try provisioner.storeCertificate(Array(bytes), path: certificate, slot: reference)
            print("virtual-card: slot \(reference.name): stored the certificate from \(certificate) for its \(result.algorithm) key (state \(state.directory))")
            return
        }
        guard let algorithm = KeyAlgorithm(name: keyType).flatMap(PIVAlgorithm.init(keyAlgorithm:)) else {
            throw ProvisioningError.unsupportedKeyType(keyType)
        }
        try provisioner.provisionKey(slot: reference, algorithm: algorithm, commonName: subject, pin: try pin.pin())
        print("virtual-card: slot \(reference.name): new \(algorithm) key, self-signed certificate CN=\(subject) (state \(state.directory); the key is a plain file)")
    }
}
