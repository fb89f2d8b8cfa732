import ArgumentParser
import COSEM
import DaemonRuntime
import Foundation
import HeadEnd
import Metering

/// Where a query command finds the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "The daemon's configuration file; its store: key names the store.")
    var config: String?

    @Option(help: "The reading store (SQLite); instead of --config.")
    var store: String?

    func open() throws -> ReadingStore {
        let path = try storePath(config: config, store: store)
        guard FileManager.default.fileExists(atPath: path) else { throw SettingsError("no reading store at \(path)") }
        return try ReadingStore(path: path)
    }
}

struct Readings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List stored readings: gateway, transaction id, meter number, measured-at, verdict.")

    @OptionGroup var location: StoreOptions

    @Option(help: "Only this gateway's readings (its system title, 16 hex digits).")
    var gateway: String?

    @Option(help: "Only readings measured at or after this time (ISO 8601, e.g. 2026-11-25T12:00:00Z).")
    var since: String?

    @Flag(help: "A JSON array instead of lines.")
    var json = false

    func run() async throws {
        try await oneLineErrors {
            let title = try gateway.map { text throws -> SystemTitle in
                guard let title = try? SystemTitle(hex: text) else { throw SettingsError("--gateway \(text) is not a system title (16 hex digits)") }
                return title
            }
            let from = try since.map { text throws -> Date in
                guard let date = ISO8601DateFormatter().date(from: text) else { throw SettingsError("--since \(text) is not an ISO 8601 time, e.g. 2026-11-25T12:00:00Z") }
                return date
            }
            let skew = try maxClockSkew(config: location.config)
            let readings = try await location.open().readings(gateway: title, since: from)
            if json {
                say(try ReadingReport.json(readings, maxClockSkew: skew))
            } else {
                for reading in readings { say(ReadingReport.line(reading, maxClockSkew: skew)) }
            }
        }
    }
}

struct Summary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per gateway: readings stored, highest transaction id, ids missing, refusals; and totals.")

    @OptionGroup var location: StoreOptions

    @Flag(help: "JSON instead of lines.")
    var json = false

    func run() async throws {
        try await oneLineErrors {
            let summary = try await location.open().summary(maxClockSkew: try maxClockSkew(config: location.config))
            if json {
                say(try ReadingReport.json(summary))
            } else {
                for line in ReadingReport.lines(summary) { say(line) }
            }
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a stored reading's evidence file (DER), which `gatewayctl verify --evidence FILE --ca CA --crl CRL` checks offline.")

    @OptionGroup var location: StoreOptions

    @Option(help: "The gateway's system title (16 hex digits).")
    var gateway: String

    @Option(name: .customLong("transaction-id"), help: "The reading's transaction id.")
    var transactionID: UInt64

    @Option(help: "Where to write the evidence file.")
    var out: String

    func run() async throws {
        try await oneLineErrors {
            guard let title = try? SystemTitle(hex: gateway) else { throw SettingsError("--gateway \(gateway) is not a system title (16 hex digits)") }
            guard let reading = try await location.open().reading(gateway: title, transactionID: transactionID) else {
                throw SettingsError("the store holds no reading #\(transactionID) of \(title)")
            }
            let bytes = try reading.evidence().derEncoded()
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw SettingsError("cannot write \(out)") }
            say("wrote the evidence of \(title) #\(transactionID) to \(out) (\(bytes.count) bytes)")
        }
    }
}
