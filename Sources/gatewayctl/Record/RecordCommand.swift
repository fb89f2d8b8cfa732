import ArgumentParser
import COSEM
import Foundation
import Metering
import Modbus
import PKI
import SwiftASN1
import X509

struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Signed measurement records: a meter reading signed on the token as a DLMS general-signing frame.",
        subcommands: [RecordSign.self]
    )
}

enum Convention: String, ExpressibleByArgument, CaseIterable {
    case a, b
    var cosem: GeneralSigning.SignedBytesConvention { self == .a ? .a : .b }
}

struct RecordSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Turn a reading (the JSON of `gatewayctl meter read --json`) into a signed general-signing APDU."
    )

    @OptionGroup var options: TokenOptions

    @Option(help: "URI of the signing key on the token.")
    var key: String

    @Option(help: "The key's sign-profile certificate (PEM or DER).")
    var cert: String

    @Option(help: "The reading, as `gatewayctl meter read --json` prints it.")
    var reading: String

    @Option(name: .customLong("system-title"), help: "The gateway's system title (originator), 16 hex digits.")
    var systemTitle: String

    @Option(help: "The head-end's system title (recipient).")
    var recipient: String = "0000000000000000"

    @Option(name: .customLong("transaction-id"), help: "Transaction id; default: the next from --counter.")
    var transactionID: UInt64?

    @Option(help: "Persistent transaction counter file.")
    var counter: String = NSString(string: "~/.local/state/gateway/transaction-counter").expandingTildeInPath

    @Option(name: .customLong("meter-ident"), help: "meter_ident of the record.")
    var meterIdent: String = "Siemens SENTRON PAC3200"

    @Option(name: .customLong("meter-number"), help: "meter_number of the record.")
    var meterNumber: String = "0"

    @Option(help: "location_ident of the record.")
    var location: String = ""

    @Option(help: "Signed-bytes convention: a (content length included, default) or b.")
    var convention: Convention = .a

    @Flag(help: "Add the IEC 62056-4-7 TCP wrapper (client wPort 1, server wPort 1).")
    var wrapped = false

    @Option(name: .customLong("out"), help: "Where to write the frame (default: standard output).")
    var output: String?

    @Option(help: "Also write the DER evidence file (record, signature, signed frame, certificate) here.")
    var evidence: String?

    @OptionGroup var map: MapOption

    func run() async throws {
        let registerMap = try map.load()
        let snapshot: MeterSnapshot
        do {
            snapshot = try MeterSnapshot(try ReadingDocument.decode(Data(try readFile(reading))), map: registerMap)
        } catch let error as ReadingDocumentError {
            throw CLIError("\(reading): \(error)")
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(reading) is not a reading in the JSON of `gatewayctl meter read --json` (\(error))")
        }
        let certificate = try PEMOrDER.certificate(try readFile(cert))
        let signer = try RecordSigner(
            signer: try await openSigner(key, options: options), certificate: certificate,
            originator: try SystemTitle(hex: systemTitle), recipient: try SystemTitle(hex: recipient), convention: convention.cosem
        )
        let builder = try RecordBuilder(map: registerMap, identity: .init(meterIdent: meterIdent, meterNumber: meterNumber, locationIdent: location))
        let id = try transactionID ?? TransactionCounter(path: counter).next()
        let record = try builder.record(of: snapshot, transactionID: id)
        let frame = try await signer.sign(record, transactionID: id)
        let bytes = wrapped ? try WrapperFrame(source: 1, destination: 1, apdu: frame.encoded).encoded : frame.encoded
        try writeOutput(bytes, to: output)
        if let evidence {
            let file = SignedMeasurementEvidence(frame: frame, record: record, certificate: certificate, convention: convention.cosem)
            try writeOutput(try file.derEncoded(), to: evidence)
        }
        if let output {
            FileHandle.standardError.write(Data("signed transaction \(id) (\(record.counterValues.count) values, \(frame.signature.count)-byte signature) into \(output)\n".utf8))
        }
    }
}

