import ArgumentParser
import Foundation
import Modbus

struct MeterRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read one snapshot from the meter and print it (table, or JSON for the signing commands)."
    )

    @OptionGroup var connection: MeterConnectionOptions
    @OptionGroup var map: MapOption

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let map = try map.load()
        let reader = try connection.reader(map: map)
        let snapshot = await reader.poll()
        await reader.client.close()
        if snapshot.isEmpty, let error = snapshot.errors.first { throw error }

        if json {
            FileHandle.standardOutput.write(try ReadingDocument(snapshot, meter: map.meter).json())
            print()
        } else {
            printSnapshot(snapshot, meter: map.meter, endpoint: reader.client.endpoint)
        }
        if let error = snapshot.errors.first {
            // Part of the snapshot was read and printed; the failure still makes the command fail.
            throw error
        }
    }
}

func printSnapshot(_ snapshot: MeterSnapshot, meter: String, endpoint: ModbusEndpoint) {
    print("\(meter) at \(endpoint), \(ReadingDocument.formatter.string(from: snapshot.time))")
    printTable(
        header: ["OBIS", "NAME", "VALUE", "UNIT", "VALID"],
        rows: snapshot.readings.map { value in
            [value.obis ?? "-", value.name, ValueFormat.reading(value.value), value.unit, value.problem.map { "no: \($0)" } ?? "yes"]
        }
    )
    let status = snapshot.status
    let hex = { (word: UInt32?) in word.map { "0x" + String($0, radix: 16, uppercase: true) } ?? "unread" }
    let conditions = status.errorCode.names
    print("status: limit violations \(hex(status.limitViolations)), device status \(hex(status.deviceStatus)), error code 0x\(String(status.errorCode.rawValue, radix: 16, uppercase: true))\(conditions.isEmpty ? "" : " (" + conditions.joined(separator: ", ") + ")")")
    let trips = snapshot.requests.map { request in
        "\(request.range): " + (request.roundTrip.map { ValueFormat.fixed(Double($0 / .microseconds(1)) / 1000, decimals: 2) + " ms" } ?? "failed")
    }
    print("requests: \(snapshot.requests.count) (\(trips.joined(separator: "; ")))")
}
