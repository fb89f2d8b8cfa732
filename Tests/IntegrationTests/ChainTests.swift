import Foundation
import Testing
import TestSupport

/// The chain end to end with real processes: every reading the gateway takes reaches the head-end's store exactly
/// once, whatever is killed or cut in between. "Nothing lost" is checked as a user would: the head-end's
/// `readings` hold every transaction id from 1 to the last one the gateway took, each once.
@Suite("The whole chain: gatewayd → headend over mutual TLS, exactly once", .serialized)
struct ChainTests {
    static let gateway = ChainFixture.gatewayTitle

    /// Waits until the head-end holds every id the gateway took up to now, and checks each is there once.
    func expectEverythingDelivered(_ chain: ChainFixture, within seconds: Double = 60) async throws {
        try await chain.expectEverythingDelivered(within: seconds)
    }

    /// A running chain whose head-end has gone away after three deliveries, with `backlog` readings taken since.
    func chainWithBacklog(_ backlog: UInt64) async throws -> ChainFixture {
        let chain = try await ChainFixture()
        try await chain.startHeadEnd()
        try await chain.startGateway()
        try await chain.eventually(60, "three readings delivered") { chain.deliveredLines.count >= 3 }
        await chain.stopHeadEnd()
        let before = try chain.lastTaken()
        try await chain.eventually(30, "\(backlog) readings taken while the head-end is down") { try chain.lastTaken() >= before + backlog }
        return chain
    }

    /// Starts gatewayd and kills it with SIGKILL at a random point, `times` times over.
    func killGatewayAtRandomPoints(_ chain: ChainFixture, times: Int) async throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<times {
            try await chain.startGateway()
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            _ = await chain.stopGateway(signal: SIGKILL)
        }
    }

    func ids(in lines: [String], prefix: String) -> [UInt64] {
        lines.compactMap { line in
            guard line.hasPrefix(prefix), let hash = line.firstIndex(of: "#") else { return nil }
            return UInt64(line[line.index(after: hash)...].prefix { $0.isNumber })
        }
    }

    @Test("readings flow end to end and verify; headend readings lists them; exported evidence verifies offline; status and SIGTERM")
    func flow() async throws {
        let chain = try await ChainFixture()
        let headEnd = try await chain.startHeadEnd()
        let gateway = try await chain.startGateway(extraArguments: ["--metrics-listen", "127.0.0.1:0"])
        try await chain.eventually(60, "five readings delivered") { chain.deliveredLines.count >= 5 }

        // Prometheus text: the stage histograms and the state gauges.
        let metricsLine = try await gateway.waitForLine(containing: "gatewayd metrics at ")
        let url = String(metricsLine.split(separator: " ").last ?? "")
        let metrics = try await run("curl", ["-s", url]).output
        for expected in ["gateway_stage_seconds_bucket{stage=\"signature\"", "gateway_stage_seconds_count{stage=\"end_to_end\"}",
                         "gateway_outbox_readings{state=\"signed\"}", "gateway_uplink_connected 1", "gateway_token_ready 1",
                         "gateway_readings_delivered_total", "gateway_meter_reachable{meter=\"12345678\"} 1",
                         "gateway_readings_taken_total{meter=\"12345678\"}"] {
            #expect(metrics.contains(expected), "\(expected) missing from /metrics")
        }

        let verified = headEnd.stdoutLines.filter { $0.hasPrefix("verified \(Self.gateway)") }
        #expect(verified.count >= 5)
        #expect(verified.first?.contains("signature ok") == true, "\(verified)")
        #expect(ids(in: verified, prefix: "verified").prefix(5) == [1, 2, 3, 4, 5])
        let delivered = chain.deliveredLines
        #expect(ids(in: delivered, prefix: "delivered").prefix(5) == [1, 2, 3, 4, 5])
        #expect(delivered[1].contains("modbus") && delivered[1].contains("signature") && delivered[1].contains("send_to_ack"), "\(delivered[1])")
        #expect(Set(try await chain.headEndReadings()).isSuperset(of: 1...5))

        // The evidence of reading 1, exported at the head-end, verifies with the CA certificate and its CRL alone.
        let evidence = chain.hsm.path("evidence-1.der")
        let exported = try await run(headendPath, ["export", "--store", chain.storePath, "--gateway", Self.gateway, "--transaction-id", "1", "--out", evidence],
                               environment: chain.hsm.environment)
        #expect(exported.status == 0, "\(exported.stderr)")
        let crl = chain.hsm.path("crl.der")
        #expect(try await run("curl", ["-s", "-o", crl, "\(chain.pki.plainURL)/crl"]).status == 0)
        let checked = try await chain.hsm.gatewayctl(["verify", "--evidence", evidence, "--ca", chain.pki.pki + "/ca.pem", "--crl", crl])
        #expect(checked.status == 0, "\(checked.output) \(checked.stderr)")

        let status = try await chain.status()
        #expect(status["meter"]?.ok == true, "\(status)")
        #expect(status["token (signing key)"]?.ok == true, "\(status)")
        #expect(status["uplink"]?.detail.hasPrefix("connected") == true, "\(status)")
        #expect(status["outbox"]?.detail.contains("last delivered") == true, "\(status)")

        #expect(await chain.stopGateway() == 0)
        #expect(gateway.stdoutLines.last?.hasPrefix("gatewayd stopped") == true, "\(gateway.stdoutLines.suffix(3))")
        #expect(!gateway.stderr.contains(chain.gatewayPIN), "the PIN reached the log")
    }

    @Test("the head-end down for a while, then back: nothing lost, the backlog arrives in order")
    func headEndOutage() async throws {
        let chain = try await chainWithBacklog(10)
        let status = try await chain.status()
        #expect(status["uplink"]?.ok == false, "\(status)")
        #expect(status["last error"]?.detail.contains("uplink") == true, "\(status)")

        let back = try await chain.startHeadEnd()
        try await expectEverythingDelivered(chain)
        let arrived = ids(in: back.stdoutLines, prefix: "verified")
        #expect(arrived == arrived.sorted(), "the backlog arrived out of order: \(arrived)")
    }

    @Test("gatewayd killed with SIGKILL at random points and restarted: nothing lost, nothing stored twice")
    func gatewayKilled() async throws {
        let chain = try await ChainFixture(pollInterval: "100ms")
        try await chain.startHeadEnd()
        try await killGatewayAtRandomPoints(chain, times: 4)
        try await chain.startGateway()
        try await chain.eventually(30, "a reading delivered after the last restart") { !chain.deliveredLines.isEmpty }
        try await expectEverythingDelivered(chain)
    }

    @Test("three meters on one gateway, gatewayd killed with SIGKILL and restarted: each meter's every reading stored once, named by its meter")
    func severalMetersKilled() async throws {
        let chain = try await ChainFixture(pollInterval: "100ms", meters: 3)
        try await chain.startHeadEnd()
        try await killGatewayAtRandomPoints(chain, times: 3)
        let gateway = try await chain.startGateway()
        #expect(gateway.stdoutLines.contains { $0.contains("meters M1 at 127.0.0.1:\(chain.meterPorts[0]), M2 at") }, "\(gateway.stdoutLines)")
        try await chain.eventually(30, "a reading delivered after the last restart") { !chain.deliveredLines.isEmpty }
        try await expectEverythingDelivered(chain)

        let readings = try await chain.headEndReadingsWithMeters()
        #expect(Set(readings.map(\.meter)) == Set(chain.meterNumbers), "\(readings.prefix(6))")
        for meter in chain.meterNumbers {
            // One transaction sequence for the gateway; within it, each meter's times strictly increase: a reading
            // of a meter stored twice, under two ids, would repeat a time.
            let times = readings.filter { $0.meter == meter }.map(\.measuredAt)
            #expect(times.count >= 2 && zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(meter): \(times)")
        }
        let meters = try #require(try chain.statusField("meters") as? [[String: Any]])
        #expect(meters.compactMap { $0["number"] as? String } == chain.meterNumbers)
        #expect(meters.allSatisfy { $0["state"] as? String == "reachable" }, "\(meters)")
    }

    @Test("batch signatures: three meters, gatewayd killed with SIGKILL mid-run; each reading stored once, and a batch frame's evidence verifies offline alone")
    func batchSignaturesKilled() async throws {
        let chain = try await ChainFixture(pollInterval: "100ms", meters: 3, gatewaySettings: "signing: { batch: { max_frames: 16, max_wait: 300ms } }")
        try await chain.startHeadEnd()
        // Killed after it has signed a batch or while it waits for one: either way its readings are whole.
        try await killGatewayAtRandomPoints(chain, times: 3)
        let gateway = try await chain.startGateway()
        #expect(await gateway.waitForStderr { $0.contains("batch signatures: one token signature for up to 16 readings") }, "\(gateway.stderr.suffix(2000))")
        try await chain.eventually(30, "a reading delivered after the last restart") { chain.deliveredLines.count >= 6 }
        try await expectEverythingDelivered(chain)
        let readings = try await chain.headEndReadingsWithMeters()
        #expect(Set(readings.map(\.meter)) == Set(chain.meterNumbers))

        // A reading the last run signed in a batch (30 readings a second, so none waits 300 ms alone): its evidence
        // carries the proof and verifies with the CA and the CRL.
        let id = try #require(ids(in: chain.deliveredLines, prefix: "delivered").dropFirst(2).first)
        let evidence = chain.hsm.path("evidence-batch.der")
        let exported = try await run(headendPath, ["export", "--store", chain.storePath, "--gateway", Self.gateway, "--transaction-id", "\(id)",
                                                   "--out", evidence], environment: chain.hsm.environment)
        #expect(exported.status == 0, "\(exported.stderr)")
        let crl = chain.hsm.path("crl.der")
        #expect(try await run("curl", ["-s", "-o", crl, "\(chain.pki.plainURL)/crl"]).status == 0)
        let checked = try await chain.hsm.gatewayctl(["verify", "--evidence", evidence, "--ca", chain.pki.pki + "/ca.pem", "--crl", crl])
        #expect(checked.status == 0, "\(checked.output) \(checked.stderr)")
        #expect(checked.output.contains("batch root") && checked.output.contains(" of "), "\(checked.output)")
    }

    @Test("headend killed with SIGKILL mid-stream and restarted: nothing lost, nothing stored twice")
    func headEndKilled() async throws {
        let chain = try await ChainFixture(pollInterval: "100ms")
        try await chain.startHeadEnd()
        try await chain.startGateway()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            usleep(UInt32.random(in: 500_000...1_500_000, using: &generator))
            await chain.stopHeadEnd(signal: SIGKILL)
            usleep(300_000)
            try await chain.startHeadEnd()
        }
        try await expectEverythingDelivered(chain)
    }

    @Test("the network cut mid-frame and mid-acknowledgement (a proxy drops the connection): each reading resent and stored once")
    func networkCuts() async throws {
        let chain = try await ChainFixture(proxied: true, pollInterval: "100ms")
        let proxy = try #require(chain.proxy)
        try await chain.startHeadEnd()
        try await chain.startGateway()
        try await chain.eventually(60, "a first reading delivered") { !chain.deliveredLines.isEmpty }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            // Frames are a few hundred bytes, acknowledgements about two hundred: these cut inside one.
            proxy.cutAfter(bytes: Int.random(in: 5..<700, using: &generator), direction: round % 2 == 0 ? .toServer : .toClient)
            try await chain.eventually(30, "cut \(round + 1)") { !proxy.cutPending }
        }
        #expect(proxy.cuts >= 6)
        try await expectEverythingDelivered(chain)
    }

    @Test("the outbox limit reached while the head-end is away: the gateway says so loudly and loses nothing it holds")
    func outboxFull() async throws {
        let chain = try await ChainFixture(pollInterval: "100ms", outboxLimit: 5)
        let gateway = try await chain.startGateway()
        try await chain.eventually(30, "the gateway saying the outbox is full") { gateway.stderr.contains("polls are not being stored: the outbox is full") }
        #expect(try await chain.status()["outbox"]?.detail.contains("FULL") == true)
        usleep(1_500_000)  // several refused polls, and the status file written since
        #expect(try chain.lastTaken() == 5)
        try await chain.startHeadEnd()
        try await chain.eventually(60, "more readings taken once there is room") { try chain.lastTaken() > 8 }
        try await expectEverythingDelivered(chain)
    }

    @Test("the Central Directory down: cached certificates keep the stream flowing")
    func directoryDown() async throws {
        let chain = try await ChainFixture()
        try await chain.startHeadEnd()
        try await chain.startGateway()
        try await chain.eventually(60, "three readings delivered") { chain.deliveredLines.count >= 3 }
        await chain.pki.pkid.stop()
        let before = chain.deliveredLines.count
        try await chain.eventually(30, "five more readings delivered with pkid stopped") { chain.deliveredLines.count >= before + 5 }
    }

    @Test("a head-end signing with another key gets no reading (its answer to the ledger query is refused); the readings go once the genuine one is back")
    func forgedAcknowledgement() async throws {
        let chain = try await ChainFixture()
        // Someone else's key, certified as the head-end by a CA of their own: its signed answers name a certificate
        // the Central Directory does not hold and no trusted CA issued.
        let hsm = chain.hsm
        let rogueKey = "pkcs11:token=headend;object=rogue-sign"
        #expect(try await hsm.gatewayctl(["token", "keygen", rogueKey, "--type", "ec-p256"], pin: chain.headEndPIN).status == 0)
        #expect(try await hsm.gatewayctl(["ca", "init", "--pki", hsm.path("rogue-pki"), "--key", "pkcs11:token=headend;object=rogue-ca",
                                    "--subject", "CN=Rogue Root", "--url", "http://127.0.0.1:1"], pin: chain.headEndPIN).status == 0)
        let csr = hsm.path("rogue.csr"), certificate = hsm.path("rogue.pem")
        #expect(try await hsm.gatewayctl(["token", "csr", rogueKey, "--subject", "CN=\(ChainFixture.headEndTitle)", "--out", csr], pin: chain.headEndPIN).status == 0)
        #expect(try await hsm.gatewayctl(["ca", "issue", "--pki", hsm.path("rogue-pki"), "--csr", csr, "--profile", "sign", "--out", certificate],
                                   pin: chain.headEndPIN).status == 0)
        let rogue = try await chain.startHeadEnd(config: chain.headEndConfig(signingKey: "rogue-sign", signingCertificate: certificate))
        let gateway = try await chain.startGateway()
        // The gateway sends no reading before a signed answer to its ledger query verifies, and this one cannot.
        try await chain.eventually(30, "the gateway refusing the rogue head-end's answer") {
            gateway.stderr.contains("answer to the ledger query is refused (certificate")
        }
        #expect(!rogue.stdoutLines.contains { $0.hasPrefix("verified") }, "\(rogue.stdoutLines)")
        #expect(chain.deliveredLines.isEmpty, "\(chain.deliveredLines)")
        let status = try await chain.status()
        #expect(status["outbox"]?.detail.contains("last delivered none yet") == true, "\(status)")

        // The genuine head-end answers with its own key: now the readings go and leave the gateway's outbox.
        try await chain.startHeadEnd()
        try await chain.eventually(30, "the held readings delivered with genuine acknowledgements") { chain.deliveredLines.count >= 2 }
        try await expectEverythingDelivered(chain)
    }

    @Test("a signed request from the head-end travels down the gateway's uplink and comes back answered, signed and verified",
          arguments: ["ec-p256", "ec-p384", "rsa-2048"])
    func signedRequest(headEndKey: String) async throws {
        let chain = try await ChainFixture(headEndKeyType: headEndKey)
        try await chain.startHeadEnd()
        let gateway = try await chain.startGateway()
        try await chain.eventually(60, "a reading delivered (the uplink is up)") { !chain.deliveredLines.isEmpty }

        let answered = try await chain.request(obis: "1.0.1.8.1.255")
        #expect(answered.status == 0, "\(answered.outcome)")
        #expect(answered.outcome["verified"] as? Bool == true)
        #expect((answered.outcome["number"] as? Double ?? 0) > 0, "\(answered.outcome)")

        // Not on the gateway's allow-list: answered, signed, and refused.
        let denied = try await chain.request(obis: "1.0.32.7.0.255")
        #expect(denied.status == 1)
        #expect(denied.outcome["verified"] as? Bool == true)
        #expect((denied.outcome["value"] as? String ?? "").contains("read-write-denied"), "\(denied.outcome)")
        #expect(await gateway.waitForStderr { $0.contains("may not read 1.0.32.7.0.255") }, "\(gateway.stderr.suffix(2000))")

        // A gateway that is not connected: no answer, one line saying why.
        let absent = try await run(headendPath, ["request", "--socket", try chain.controlSocket(), "--gateway", "00DB1234567890FF", "--obis", "1.0.1.8.1.255"],
                             environment: chain.hsm.environment)
        #expect(absent.status == 1 && absent.stdout.isEmpty)
        #expect(absent.stderr.hasPrefix("headend: gateway 00DB1234567890FF is not connected"), "\(absent.stderr)")

        // Readings went on meanwhile.
        let before = chain.deliveredLines.count
        try await chain.eventually(30, "more readings delivered after the requests") { chain.deliveredLines.count > before }

        // The Central Directory stopped: both ends hold the other's certificate from the stream, so requests go on.
        await chain.pki.pkid.stop()
        let cached = try await chain.request(obis: "1.0.1.8.1.255")
        #expect(cached.status == 0 && cached.outcome["verified"] as? Bool == true, "\(cached.outcome)")
    }
}
