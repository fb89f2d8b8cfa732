import Foundation
import Testing
import TestSupport

extension PCSCTests {
    /// The whole chain with the gateway's two keys on a virtual PIV card, through the real pcscd and OpenSC: what a
    /// user sees when the card is pulled, when pcscd restarts, when another card is put in, and when the PIN blocks.
    /// "Nothing lost" is the head-end holding every id the gateway took, each once.
    @Suite("The chain with the gateway's keys on a PIV card: removal, pcscd restarts, another card, a blocked PIN")
    struct CardChain {
        /// How many "uplink connected" lines gatewayd has logged: each is a TLS handshake signed with the card's 9A key.
        func connects(_ gateway: BackgroundProcess) -> Int {
            Self.connects(in: gateway.stderr)
        }

        static func connects(in log: String) -> Int {
            log.components(separatedBy: "uplink connected").count - 1
        }

        /// pcscd, the chain with the gateway's keys on the card, headend and gatewayd running, three readings delivered.
        func runningChain(proxied: Bool = false) async throws -> (pcscd: PCSCDaemon, chain: ChainFixture, card: VirtualCardFixture, gateway: BackgroundProcess) {
            let pcscd = try await PCSCDaemon.start()
            do {
                let chain = try await ChainFixture(proxied: proxied, card: pcscd)
                let card = try #require(chain.card)
                try await chain.startHeadEnd()
                let gateway = try await chain.startGateway()
                try await chain.eventually(60, "three readings delivered with the card's keys") { chain.deliveredLines.count >= 3 }
                return (pcscd, chain, card, gateway)
            } catch {
                await pcscd.stop()
                throw error
            }
        }

        /// One number from gatewayd's outbox, read beside the running daemon (SQLite's WAL lets a reader in).
        func outbox(_ chain: ChainFixture, _ query: String) async throws -> Int {
            let result = try await run("/usr/bin/sqlite3", ["-readonly", chain.outboxPath, query])
            guard let number = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestSetupError("sqlite3 \(query): \(result.output) \(result.stderr)")
            }
            return number
        }

        func delivered(_ chain: ChainFixture) -> [UInt64] {
            chain.deliveredLines.compactMap { line in UInt64(line.dropFirst("delivered #".count).prefix { $0.isNumber }) }
        }

        @Test("the card out: polling goes on, nothing is signed or sent and the uplink stays closed, status says card removed; back: the backlog in order, TLS again with the card")
        func removal() async throws {
            let (pcscd, chain, card, gateway) = try await runningChain(proxied: true)
            let proxy = try #require(chain.proxy)
            let connectsBefore = connects(gateway)

            await card.remove()
            // The property, not the words: the uplink's connection (its TLS key is the card's) closes, and while the
            // card is out no connection is tried, nothing reaches the head-end and nothing is signed.
            try await chain.eventually(30, "the uplink closing when the card left") { proxy.openConnections == 0 }
            try await chain.eventually(15, "the status file saying card removed") { try chain.statusField("token") as? String == "card removed" }
            #expect(try chain.statusField("cardPresent") as? Bool == false)
            let attempts = proxy.accepted
            let stored = try await chain.headEndReadings()
            // Taken after the uplink closed, so after the card left: every one of these stays unsigned in the outbox.
            let takenAtRemoval = try await outbox(chain, "SELECT nextTransactionID - 1 FROM outboxState")
            try await chain.eventually(60, "ten readings taken with the card out (polling goes on)") { try chain.lastTaken() >= UInt64(takenAtRemoval + 10) }
            #expect(proxy.openConnections == 0 && proxy.accepted == attempts, "the uplink connected while the card was out")
            #expect(try await chain.headEndReadings() == stored, "readings reached the head-end while the card was out")
            let lastTaken = try await outbox(chain, "SELECT nextTransactionID - 1 FROM outboxState")
            let taken = lastTaken - takenAtRemoval
            // Polling goes on between the two reads: only the readings the first one counted are counted here.
            let unsigned = try await outbox(chain, "SELECT count(*) FROM reading WHERE transactionID > \(takenAtRemoval) AND transactionID <= \(lastTaken) AND frame IS NULL")
            #expect(taken >= 10 && unsigned == taken, "of \(taken) readings taken with the card out, \(taken - unsigned) were signed or sent")
            let status = try await chain.status()
            #expect(status["card"]?.ok == false && status["card"]?.detail.contains("card removed") == true, "\(status)")
            #expect(status["signing"]?.detail.hasPrefix("card removed") == true, "\(status)")
            #expect(await gateway.waitForStderr { $0.contains("card removed from reader \"\(PCSCDaemon.firstReader)\"") }, "\(gateway.stderr.suffix(2000))")

            try await card.insert()
            try await chain.expectEverythingDelivered(within: 90)
            #expect(await gateway.waitForStderr { $0.contains("card back in reader") }, "\(gateway.stderr.suffix(2000))")
            #expect(await gateway.waitForStderr { Self.connects(in: $0) > connectsBefore }, "TLS was not established again with the card's key")
            let ids = delivered(chain)
            #expect(ids == ids.sorted(), "the backlog was not delivered in order: \(ids)")
            try await chain.eventually(10, "the status file saying ready") { try chain.statusField("token") as? String == "ready" }
            #expect(await chain.stopGateway() == 0)
            #expect(!gateway.stderr.contains(chain.gatewayPIN), "the PIN reached the log")
            await pcscd.stop()
        }

        @Test("gatewayd started with the reader empty: polling runs, nothing is signed or sent, status and metrics say card removed; the card comes: logged in, keys checked, the backlog signed and delivered")
        func startWithoutCard() async throws {
            let pcscd = try await PCSCDaemon.start()
            let chain = try await ChainFixture(proxied: true, card: pcscd)
            let card = try #require(chain.card)
            let proxy = try #require(chain.proxy)
            await card.remove()
            try await pcscd.waitForCard(present: false)
            try await chain.startHeadEnd()
            let gateway = try await chain.startGateway(extraArguments: ["--metrics-listen", "127.0.0.1:0"])

            try await chain.eventually(60, "five readings taken without the card") { try chain.lastTaken() >= 5 }
            #expect(try chain.statusField("token") as? String == "card removed")
            #expect(try chain.statusField("cardPresent") as? Bool == false)
            let url = String(try await gateway.waitForLine(containing: "gatewayd metrics at ").split(separator: " ").last ?? "")
            let metrics = try await run("curl", ["-s", url]).output
            #expect(metrics.contains("gateway_card_present 0"), "\(metrics)")
            #expect(proxy.accepted == 0, "the uplink tried to connect without the card")
            #expect(chain.deliveredLines.isEmpty)
            #expect(try await outbox(chain, "SELECT count(*) FROM reading WHERE frame IS NOT NULL") == 0, "readings signed without the card")

            try await card.insert()
            try await chain.expectEverythingDelivered(within: 90)
            #expect(await gateway.waitForStderr { $0.contains("card back in reader") }, "\(gateway.stderr.suffix(2000))")
            let ids = delivered(chain)
            #expect(ids == ids.sorted(), "the backlog was not delivered in order: \(ids)")
            try await chain.eventually(10, "the status file saying ready") { try chain.statusField("token") as? String == "ready" }
            #expect(await chain.stopGateway() == 0)
            await pcscd.stop()
        }

        @Test("pcscd restarted (and killed) while gatewayd runs: nothing lost, signing and TLS come back by themselves")
        func pcscdRestart() async throws {
            let (pcscd, chain, _, gateway) = try await runningChain()

            for signal in [SIGTERM, SIGKILL] {
                let deliveredBefore = chain.deliveredLines.count
                try await pcscd.restart(signal: signal)
                try await chain.eventually(60, "readings delivered again after pcscd's restart (\(signal))") {
                    chain.deliveredLines.count > deliveredBefore + 5
                }
            }
            try await chain.expectEverythingDelivered(within: 60)
            let ids = delivered(chain)
            #expect(ids == ids.sorted(), "\(ids)")
            #expect(await gateway.waitForStderr { $0.contains("pcscd is not answering") || $0.contains("card removed from reader") }, "\(gateway.stderr.suffix(3000))")
            await pcscd.stop()
        }

        @Test("another card in the reader is refused with a line that says so; the gateway's own card is taken back")
        func differentCard() async throws {
            let (pcscd, chain, card, gateway) = try await runningChain()
            let stranger = chain.hsm.path("stranger-card")
            try await VirtualCardFixture.provision(state: stranger)

            await card.remove()
            try await chain.eventually(15, "card removed") { try chain.statusField("token") as? String == "card removed" }
            try await card.insert(state: stranger)
            try await chain.eventually(30, "the other card refused") { try chain.statusField("token") as? String == "stopped" }
            let reason = try chain.statusField("tokenReason") as? String ?? ""
            #expect(reason.contains("not the gateway's card") && reason.contains("insert the gateway's own card"), "\(reason)")
            #expect(await gateway.waitForStderr { $0.contains("not the gateway's card") }, "\(gateway.stderr.suffix(2000))")
            let deliveredWithStranger = chain.deliveredLines.count
            try await Task.sleep(for: .seconds(2))
            #expect(chain.deliveredLines.count == deliveredWithStranger, "readings went while a stranger card was in the reader")

            await card.remove()
            try await card.insert()
            try await chain.expectEverythingDelivered(within: 90)
            #expect(try chain.statusField("token") as? String == "ready")
            await pcscd.stop()
        }

        @Test("enroll keeps a certificate the PIV card will not take (exit 3, the file); a wrong PIN at start exits 78, which systemd does not restart")
        func enrollAndWrongPINAtStart() async throws {
            let pcscd = try await PCSCDaemon.start()
            let chain = try await ChainFixture(card: pcscd)
            let card = try #require(chain.card)

            let out = chain.hsm.path("again.pem")
            let enrolled = try await card.enroll(chain.pki, uri: card.signingKey + "?pin-source=file:\(chain.gatewayPINFile)",
                                           title: ChainFixture.gatewayTitle, profile: "sign", out: out)
            #expect(enrolled.status == 3, "\(enrolled.output) \(enrolled.stderr)")
            #expect(enrolled.output.contains("written to \(out), NOT stored on token"), "\(enrolled.output)")
            #expect(enrolled.stderr.contains("did not take the certificate") && enrolled.stderr.contains(out), "\(enrolled.stderr)")
            #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("-----BEGIN CERTIFICATE-----"))

            let config = try String(contentsOfFile: chain.gatewayConfig, encoding: .utf8)
            let wrong = chain.hsm.file("gateway-wrong-pin.yaml", Data(config.replacingOccurrences(
                of: chain.gatewayPINFile, with: try chain.hsm.pinFile("999999")).utf8))
            let started = try await run(gatewaydPath, ["--config", wrong], environment: chain.gatewayEnvironment)
            #expect(started.status == 78, "\(started.stderr)")
            let lines = started.stderr.split(separator: "\n").filter { $0.hasPrefix("gatewayd: ") }
            #expect(lines.count == 1 && lines[0].contains("wrong PIN"), "\(started.stderr)")
            await pcscd.stop()
        }

        @Test("a card whose PIN was blocked elsewhere: the gateway says so once, with the fix, stops trying, and keeps polling")
        func blockedPIN() async throws {
            let (pcscd, chain, card, gateway) = try await runningChain()

            // The card taken to the other reader, and three wrong PINs there: as a person with the wrong PIN would.
            await card.remove()
            try await chain.eventually(15, "card removed") { try chain.statusField("token") as? String == "card removed" }
            try await card.insert(reader: 1)
            let wrong = try chain.hsm.pinFile("999999")
            var answers: [String] = []
            for _ in 0..<3 {
                let tried = try await card.gatewayctl(["token", "sign", card.signingKey + "?pin-source=file:\(wrong)", "--in", chain.gatewayConfig])
                #expect(tried.status == 1)
                answers.append(tried.stderr)
            }
            // OpenSC reports the count only once it is low: nothing after the first, "one try left" after the second.
            #expect(answers[0].contains("wrong PIN"), "\(answers)")
            #expect(answers[1].contains("wrong PIN") && answers[1].contains("ONE try left"), "\(answers)")
            #expect(answers[2].contains("blocked"), "\(answers)")

            await card.remove()
            try await card.insert()
            try await chain.eventually(30, "signing stopped for the blocked PIN") { try chain.statusField("token") as? String == "stopped" }
            let reason = try chain.statusField("tokenReason") as? String ?? ""
            #expect(reason.contains("blocked") && reason.contains("PUK"), "\(reason)")
            // The status file can be written before the verdict's log line has come through the pipe.
            #expect(await gateway.waitForStderr { $0.contains("cannot be used") }, "\(gateway.stderr.suffix(2000))")
            let verdicts = gateway.stderr.components(separatedBy: "cannot be used").count - 1
            #expect(verdicts == 1, "\(gateway.stderr.suffix(2000))")
            let taken = try chain.lastTaken()
            try await Task.sleep(for: .seconds(3))
            #expect(gateway.stderr.components(separatedBy: "cannot be used").count - 1 == verdicts, "the gateway tried the blocked card again")
            #expect(try chain.lastTaken() > taken, "polling stopped")
            #expect(gateway.isRunning)
            // The block is the card's: the right PIN does not open it either, and it stays blocked.
            let right = try await card.gatewayctl(["token", "sign", card.signingKey + "?pin-source=file:\(chain.gatewayPINFile)", "--in", chain.gatewayConfig])
            #expect(right.status == 1 && right.stderr.contains("blocked"), "\(right.stderr)")
            await pcscd.stop()
        }
    }
}
