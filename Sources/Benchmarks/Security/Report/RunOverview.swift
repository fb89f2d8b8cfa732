import Foundation

/// What was measured, when, on which machine and with which versions: the first thing a metrology reader checks,
/// since no figure means anything without them.
struct RunOverview {
    let results: SecurityResults

    init(_ results: SecurityResults) {
        self.results = results
    }

    /// The run's start, UTC, to the second: the same text for the same model wherever the page is made.
    var started: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: results.startedAt)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    var machineLine: String {
        let machine = results.machine
        return "\(machine.cpu), \(machine.cores) cores, \(Figure.fixed(machine.memoryGiB, 1)) GiB, \(machine.system), kernel \(machine.kernel)"
    }

    var paragraphs: [String] {
        [
            "This page reports one run of gatewayctl bench security\(results.quick ? " --quick (fewer readings and runs: a test's run, not a measurement to quote)" : ""), "
                + "started \(started), \(Figure.rate(results.seconds)) s in all. It times the whole chain on one machine over "
                + "loopback: simulated PAC3200 meters read over Modbus TCP, gatewayd building, signing on a PKCS#11 token "
                + "and sending DLMS/COSEM frames over mutual TLS, the head-end verifying and storing them, and pkid "
                + "serving the PKI. Configurations switch the security on step by step, from plain (no TLS, no "
                + "signature) to the product with signed requests.",
            "Times are milliseconds, rates per second; p50 is the median, p99 the 99th percentile. A dash (–) marks a "
                + "figure this run did not measure. Every chart has a table with its figures; results.json beside this "
                + "page holds every figure and the configuration of each run.",
            "Machine: \(machineLine).",
        ]
    }

    var versions: ReportTable {
        var table = ReportTable(caption: "Versions", header: ["program", "version"],
                                rows: results.versions.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
        table.textColumns = 2
        return table
    }

    var configurations: ReportTable {
        var table = ReportTable(caption: "Configurations", header: ["configuration", "what runs", "settings", "readings"],
                    rows: results.configurations.map { run in
                        [run.name, run.description,
                         run.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
                         String(run.readings)]
                    })
        table.textColumns = 3
        return table
    }
}
