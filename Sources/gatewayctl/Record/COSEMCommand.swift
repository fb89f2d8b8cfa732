import ArgumentParser
import COSEM
import Foundation
import Signing

struct COSEMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosem",
        abstract: "DLMS/COSEM tools.",
        subcommands: [COSEMDecode.self]
    )
}

struct COSEMDecode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Print any supported APDU (or TCP-wrapped frame) as a readable tree."
    )

    @Argument(help: "The APDU in hex.")
    var hex: String?

    @Option(name: .customLong("in"), help: "Read the APDU (binary) from a file instead.")
    var input: String?

    @Option(name: .customLong("max-values"), help: "Most values the APDU's Data may hold in all (bounds memory).")
    var maxValues: Int = DecodingLimits.default.maxValues

    func run() async throws {
        var bytes: [UInt8]
        if let input {
            bytes = try readFile(input)
        } else if let hex {
            guard let parsed = [UInt8](hexDigits: hex) else { throw CLIError("\"\(hex)\" is not hex; give an even number of hex digits") }
            bytes = parsed
        } else {
            throw CLIError("give the APDU in hex or --in FILE")
        }
        if bytes.count >= 8, bytes[0] == 0x00, bytes[1] == 0x01, let frame = try? WrapperFrame(decoding: bytes) {
            print("wrapper: version 1, source wPort \(frame.source), destination wPort \(frame.destination), \(frame.apdu.count) bytes")
            bytes = frame.apdu
        }
        var limits = DecodingLimits.default
        limits.maxValues = maxValues
        print(TreePrinter.render(try APDU(decoding: bytes, limits: limits)), terminator: "")
    }
}
