import ArgumentParser
import COSEM
import Foundation

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

    func run() async throws {
        var bytes: [UInt8]
        if let input {
            bytes = try readFile(input)
        } else if let hex {
            let digits = hex.filter { !$0.isWhitespace }
            guard digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else { throw CLIError("\"\(hex)\" is not hex") }
            bytes = stride(from: 0, to: digits.count, by: 2).map { UInt8(digits.dropFirst($0).prefix(2), radix: 16)! }
        } else {
            throw CLIError("give the APDU in hex or --in FILE")
        }
        if bytes.count >= 8, bytes[0] == 0x00, bytes[1] == 0x01, let frame = try? WrapperFrame(decoding: bytes) {
            print("wrapper: version 1, source wPort \(frame.source), destination wPort \(frame.destination), \(frame.apdu.count) bytes")
            bytes = frame.apdu
        }
        print(TreePrinter.render(try APDU(decoding: bytes)), terminator: "")
    }
}
