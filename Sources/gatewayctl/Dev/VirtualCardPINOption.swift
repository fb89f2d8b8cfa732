import ArgumentParser
import Foundation
import VirtualCard

/// Where a new card's PIN comes from: a file, the environment, or the PIV default. Never the command line,
/// where every user of the machine could read it.
struct VirtualCardPINOption: ParsableArguments {
    static let environmentVariable = "VIRTUAL_CARD_PIN"

    @Option(name: .customLong("pin-file"), help: ArgumentHelp(
        "File holding the PIN the card gets when its state is created (else $VIRTUAL_CARD_PIN, else 123456).",
        valueName: "file"
    ))
    var pinFile: String?

    func pin() throws -> String {
        let pin: String
        if let pinFile {
            guard let text = try? String(contentsOfFile: pinFile, encoding: .utf8) else {
                throw CLIError("cannot read the PIN file \(pinFile); give a readable file holding 6 to 8 digits")
            }
            pin = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            pin = ProcessInfo.processInfo.environment[Self.environmentVariable] ?? CardState.defaultPIN
        }
        guard CardState.isValidPIN(pin) else { throw CardStateError.invalidPIN }
        return pin
    }
}

/// The state directory every virtual-card command names.
struct VirtualCardStateOption: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp(
        "Directory of the card's state (created if missing). Its keys are plain files: a test instrument.",
        valueName: "dir"
    ))
    var directory: String

    var store: CardStateStore { CardStateStore(directory: URL(fileURLWithPath: directory)) }
}
