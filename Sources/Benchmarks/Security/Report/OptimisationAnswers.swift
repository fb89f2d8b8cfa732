/// "Optimisation" of the seed's list: what the product does to win time back, each with the figure of this run that
/// shows what it buys, or "not measured in this run" where the run has no such figure.
struct OptimisationAnswers {
    let figures: RunFigures

    init(_ figures: RunFigures) {
        self.figures = figures
    }

    var items: [String] {
        [tokenThread, overlap, sessions, caching, batches]
    }

    private static func unmeasured(_ what: String) -> String { "\(what): not measured in this run." }

    /// Signatures on a thread of the token's own, so no thread of the shared pool blocks in C_Sign.
    var tokenThread: String {
        let what = "The token's own thread"
        guard let product = figures.product, let signature = figures.median("signature", in: product) else { return Self.unmeasured(what) }
        var sentence = "\(what): each signature runs on a thread that holds the token's session, so the poller and the "
            + "uplink never wait behind C_Sign; the signature stage took \(Figure.milliseconds(signature)) ms at the median in "
            + "\(product.name)"
        if let modbus = figures.median("modbus", in: product) {
            sentence += " while the Modbus stage beside it took \(Figure.milliseconds(modbus)) ms"
        }
        return sentence + "."
    }

    /// Stages of different readings run at the same time; the end to end is then below the stages' sum.
    var overlap: String {
        let what = "Overlap of stages (the pipeline)"
        guard let product = figures.product, let endToEnd = figures.median(ReportStages.endToEnd, in: product) else {
            return Self.unmeasured(what)
        }
        let stages = ReportStages.stacked.compactMap { figures.median($0, in: product) }.reduce(0, +)
        var sentence = "\(what): in \(product.name) the stage medians add up to \(Figure.milliseconds(stages)) ms and the "
            + "end-to-end median is \(Figure.milliseconds(endToEnd)) ms"
        sentence += stages > endToEnd ? ", so overlapping stages win back \(Figure.milliseconds(stages - endToEnd)) ms"
            : ", so a reading waits \(Figure.milliseconds(endToEnd - stages)) ms between its stages"
        // A card that is the bottleneck (one signature a reading, the most meters, the slowest card): the rest of the
        // chain overlaps with its signatures if the gateway sustains close to one reading per card delay.
        let bottleneck = figures.results.load.filter { $0.batch == nil && $0.cardDelay > 0 && $0.sustained.isFinite }
            .max { ($0.meters, $0.cardDelay) < ($1.meters, $1.cardDelay) }
        if let bottleneck {
            sentence += "; one signature a reading on a \(Figure.setting(bottleneck.cardDelay)) ms card with "
                + "\(LoadSection.meters(bottleneck.meters)) sustained \(Figure.rate(bottleneck.sustained)) readings a second, "
                + "against \(Figure.rate(1000 / bottleneck.cardDelay)) for the card's signatures back to back"
        }
        return sentence + "."
    }

    /// The uplink's TLS connection and the token's PKCS#11 session kept from reading to reading.
    var sessions: String {
        let what = "Sessions"
        guard let tls = figures.configuration("tls"), let secured = figures.median("send_to_ack", in: tls),
              let plain = figures.median("send_to_ack", in: figures.plain) else { return Self.unmeasured(what) }
        return "\(what): the uplink keeps one mutual-TLS connection and the token one PKCS#11 session for all readings, so "
            + "neither a handshake nor a login is paid per reading; with TLS the send to acknowledgement takes "
            + "\(Figure.milliseconds(secured)) ms at the median against \(Figure.milliseconds(plain)) ms in plain "
            + "(\(Figure.difference(secured - plain)) ms)."
    }

    /// Certificate paths, CRLs and directory answers kept between frames, so a frame's check is mostly its signature.
    var caching: String {
        let what = "Caching of directory look-ups and certificate paths"
        guard let run = figures.referenceVerification, run.fullPerSecond > 0, run.signaturePerSecond > 0 else {
            return Self.unmeasured(what)
        }
        let beyond = 1_000_000 / run.fullPerSecond - 1_000_000 / run.signaturePerSecond
        return "\(what): with the verdict on the signer's certificate path cached (built again once a minute or when a "
            + "CRL changes), a \(ReportNames.algorithm(run.algorithm)) frame's "
            + "full check runs at \(Figure.rate(run.fullPerSecond)) a second against \(Figure.rate(run.signaturePerSecond)) for "
            + "the signature alone: the checks beyond the signature cost \(Figure.rate(beyond)) µs a frame."
    }

    /// One signature over a Merkle tree of readings, for cards too slow to sign each.
    var batches: String {
        let what = "Batch signatures"
        // The load point the goal names (150 ms, the most meters) if measured, else the most meters at the slowest card.
        let compared = Dictionary(grouping: figures.results.load) { "\($0.cardDelay)/\($0.meters)" }.values
            .filter { runs in runs.contains { $0.batch == nil } && runs.contains { $0.batch != nil } }
            .sorted { ($0[0].meters, $0[0].cardDelay == 150 ? 1 : 0, $0[0].cardDelay) > ($1[0].meters, $1[0].cardDelay == 150 ? 1 : 0, $1[0].cardDelay) }
        guard let runs = compared.first, let single = runs.first(where: { $0.batch == nil }) else { return Self.unmeasured(what) }
        let batched = runs.filter { $0.batch != nil }.sorted { ($0.batch ?? 0) < ($1.batch ?? 0) }
        return "\(what): at a \(Figure.setting(single.cardDelay)) ms card with \(LoadSection.meters(single.meters)) "
            + "(\(Figure.rate(single.offered)) readings a second offered), one signature a reading sustains "
            + "\(Figure.rate(single.sustained)) a second, backlog \(LoadSection.backlog(single)); "
            + batched.map { run in
                "\(LoadSection.batchLabel(run.batch)) sustains \(Figure.rate(run.sustained)) a second, backlog \(LoadSection.backlog(run))"
                    + (run.endToEnd.flatMap { $0.p99.finite }.map { ", end-to-end p99 \(Figure.milliseconds($0)) ms" } ?? "")
            }.joined(separator: "; ") + "."
    }
}
