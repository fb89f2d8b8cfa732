/// The seed's list of what to time, answered by name, one section each, in sentences drawn from this run's figures:
/// a claim the run did not measure is not made, the section says "not measured in this run" instead.
struct SeedAnswers {
    /// The headings, exactly as the seed asks the questions.
    static let titles = ["Host ↔ crypto processor", "Host ↔ sensor", "Signing and verification",
                         "Mapping and encoding/decoding", "Optimisation"]
    static let notMeasured = "Not measured in this run."

    let figures: RunFigures

    init(_ results: SecurityResults) {
        figures = RunFigures(results)
    }

    var sections: [ReportSection] {
        [
            section(0, "crypto-processor", cryptoProcessor),
            section(1, "sensor", sensor),
            section(2, "signing", signing),
            section(3, "mapping", mapping),
            section(4, "optimisation", [], items: OptimisationAnswers(figures).items),
        ]
    }

    private func section(_ index: Int, _ anchor: String, _ paragraphs: [String], items: [String] = []) -> ReportSection {
        let said = paragraphs.isEmpty && items.isEmpty ? [Self.notMeasured] : paragraphs
        return ReportSection(anchor: anchor, title: Self.titles[index], paragraphs: said, items: items)
    }

    /// The token: its signature, the card's link beyond its on-card time, the commit after signing.
    var cryptoProcessor: [String] {
        var paragraphs: [String] = []
        if let reference = figures.referenceSigner {
            paragraphs.append("\(ReportNames.combination(reference)) signs in \(Figure.milliseconds(reference.signature.p50)) ms at "
                + "the median (\(Figure.milliseconds(reference.signature.p99)) ms at p99)." + signatureRange)
        }
        let skipped = figures.results.signers.filter { $0.skipped != nil }
        if !skipped.isEmpty {
            paragraphs.append("Not measured: " + skipped.map { "\(ReportNames.combination($0)) (\($0.skipped ?? ""))" }.joined(separator: "; ") + ".")
        }
        let links = figures.results.tokenLink.sorted { $0.cardDelay < $1.cardDelay }.filter { $0.link.isFinite }
        if let first = links.first {
            var sentence = "Through pcscd and OpenSC the virtual card adds \(Figure.milliseconds(first.link)) ms of link beyond its "
                + "on-card delay of \(Figure.setting(first.cardDelay)) ms (signature median \(Figure.milliseconds(first.signature.p50)) ms)"
            if links.count > 1 {
                sentence += "; at " + links.dropFirst().map { "\(Figure.setting($0.cardDelay)) ms on card the link is "
                    + "\(Figure.milliseconds($0.link)) ms" }.joined(separator: ", at ")
            }
            paragraphs.append(sentence + ".")
        }
        if let commit = figures.median("sign_commit", in: figures.product) {
            paragraphs.append("After signing, the gateway commits the signed frame durably in \(Figure.milliseconds(commit)) ms at the "
                + "median (product configuration).")
        }
        return paragraphs
    }

    /// " Over the 7 signer and algorithm combinations measured, the signature's median runs from 0.050 ms for … to …"
    private var signatureRange: String {
        let signers = figures.measuredSigners.sorted { $0.signature.p50 < $1.signature.p50 }
        guard signers.count > 1, let fastest = signers.first, let slowest = signers.last else { return "" }
        return " Over the \(signers.count) signer and algorithm combinations measured, the signature's median runs from "
            + "\(Figure.milliseconds(fastest.signature.p50)) ms for \(ReportNames.combination(fastest)) to "
            + "\(Figure.milliseconds(slowest.signature.p50)) ms for \(ReportNames.combination(slowest))."
    }

    /// The meter: the Modbus round trip and its share of a reading's time.
    var sensor: [String] {
        var paragraphs: [String] = []
        let runs = [figures.plain, figures.product].compactMap { $0 }
        let measured = runs.compactMap { run in figures.median("modbus", in: run).map { (run, $0) } }
        if !measured.isEmpty {
            var sentence = "The Modbus TCP round trip to the simulated PAC3200 takes " + measured.map { run, median in
                "\(Figure.milliseconds(median)) ms at the median (\(Figure.milliseconds(figures.p99("modbus", in: run))) ms at p99) in \(run.name)"
            }.joined(separator: " and ")
            if let product = figures.product, let modbus = figures.median("modbus", in: product),
               let endToEnd = figures.median(ReportStages.endToEnd, in: product) {
                sentence += "; in the product it is \(Figure.percent(modbus, of: endToEnd)) of the end-to-end median "
                    + "(\(Figure.milliseconds(endToEnd)) ms)"
            }
            paragraphs.append(sentence + ". The meter is simulated on the same machine over loopback, so this is the host's "
                + "side of the exchange (libmodbus, the poller, TCP), not a real meter's response time.")
        }
        if let most = figures.results.load.map(\.meters).max() {
            paragraphs.append("The load runs poll up to \(most) meters at one reading a second each through one gateway, one "
                + "poller per meter, all sharing one outbox.")
        }
        return paragraphs
    }

    /// The signature in the chain, the head-end's verification against openssl's, signed requests.
    var signing: [String] {
        var paragraphs: [String] = []
        if let product = figures.product, let signature = figures.median("signature", in: product) {
            var sentence = "In the product configuration the signature stage takes \(Figure.milliseconds(signature)) ms at the median"
            if let verify = figures.median("verify", in: product) {
                sentence += " and the head-end's verification \(Figure.milliseconds(verify)) ms"
            }
            paragraphs.append(sentence + ".")
        }
        for run in figures.results.verification {
            var sentence = "The head-end verifies \(ReportNames.algorithm(run.algorithm)) frames at \(Figure.rate(run.fullPerSecond)) a "
                + "second per core with every check, \(Figure.rate(run.signaturePerSecond)) for the signature alone"
            if let openssl = run.opensslPerSecond, let ratio = run.fullRatio {
                sentence += "; openssl verifies \(Figure.rate(openssl)) a second on one core, so the full check runs at "
                    + "\(Figure.ratio(ratio)) of openssl's rate"
            }
            paragraphs.append(sentence + ".")
        }
        let verifications = figures.measuredSigners.filter { $0.verification.p50.isFinite }.sorted { $0.verification.p50 < $1.verification.p50 }
        if verifications.count > 1, let fastest = verifications.first, let slowest = verifications.last {
            paragraphs.append("In the chain, the verification's median runs from \(Figure.milliseconds(fastest.verification.p50)) ms "
                + "for \(ReportNames.algorithm(fastest.algorithm)) to \(Figure.milliseconds(slowest.verification.p50)) ms "
                + "for \(ReportNames.algorithm(slowest.algorithm)).")
        }
        if let requests = figures.results.configurations.first(where: { $0.requestRoundTrip != nil }),
           let roundTrip = requests.requestRoundTrip, roundTrip.p50.isFinite {
            paragraphs.append("A signed request from the head-end to its verified answer takes \(Figure.milliseconds(roundTrip.p50)) ms "
                + "at the median (\(Figure.milliseconds(roundTrip.p99)) ms at p99) in \(requests.name).")
        }
        return paragraphs
    }

    /// Registers to a reading, the reading to a DLMS/COSEM frame, the frame decoded and stored at the head-end.
    var mapping: [String] {
        guard let product = figures.product else { return [] }
        var paragraphs: [String] = []
        let build = figures.median("build", in: product)
        let encode = figures.median("encode", in: product)
        if build != nil || encode != nil {
            var parts: [String] = []
            if let build { parts.append("mapping the meter's registers to a reading (build) takes \(Figure.milliseconds(build)) ms at the median") }
            if let encode { parts.append("encoding the reading as a DLMS/COSEM frame (encode) \(Figure.milliseconds(encode)) ms") }
            var sentence = "In the product configuration " + parts.joined(separator: ", and ")
            if let endToEnd = figures.median(ReportStages.endToEnd, in: product) {
                sentence += "; together \(Figure.percent((build ?? 0) + (encode ?? 0), of: endToEnd)) of the end-to-end median"
            }
            paragraphs.append(sentence + ".")
        }
        if let verify = figures.median("verify", in: product) {
            var sentence = "At the head-end, decoding and verifying a frame (verify) takes \(Figure.milliseconds(verify)) ms at the median"
            if let store = figures.median("store_commit", in: product) {
                sentence += ", storing it durably (store_commit) \(Figure.milliseconds(store)) ms"
            }
            paragraphs.append(sentence + ".")
        }
        return paragraphs
    }
}
