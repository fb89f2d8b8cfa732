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
    func expectEverythingDelivered(_ chain: ChainFixture, within seconds: Double = 60) throws {
        let taken = try chain.lastTaken()
        #expect(taken > 0)
        try chain.eventually(seconds, "every reading up to \(taken) stored at the head-end") {
            Set(try chain.headEndReadings()).isSuperset(of: 1...taken)
        }
        let held = try chain.headEndReadings()
        #expect(held.count == Set(held).count, "a reading stored twice: \(held)")
    }

    func ids(in lines: [String], prefix: String) -> [UInt64] {
        lines.compactMap { line in
            guard line.hasPrefix(prefix), let hash = line.firstIndex(of: "#") else { return nil }
            return UInt64(line[line.index(after: hash)...].prefix { $0.isNumber })
        }
    }

    @Test("readings flow end to end and verify; headend readings lists them; exported evidence verifies offline; status and SIGTERM")
    func flow() throws {
        let chain = try ChainFixture()
        let headEnd = try chain.startHeadEnd()
        let gateway = try chain.startGateway()
        try chain.eventually(60, "five readings delivered") { chain.deliveredLines.count >= 5 }

        let verified = headEnd.stdoutLines.filter { $0.hasPrefix("verified \(Self.gateway)") }
        #expect(verified.count >= 5)
        #expect(verified.first?.contains("signature ok") == true, "\(verified)")
        #expect(ids(in: verified, prefix: "verified").prefix(5) == [1, 2, 3, 4, 5])
        let delivered = chain.deliveredLines
        #expect(ids(in: delivered, prefix: "delivered").prefix(5) == [1, 2, 3, 4, 5])
        #expect(delivered[1].contains("modbus") && delivered[1].contains("signature") && delivered[1].contains("send_to_ack"), "\(delivered[1])")
        #expect(Set(try chain.headEndReadings()).isSuperset(of: 1...5))

        // The evidence of reading 1, exported at the head-end, verifies with the CA certificate and its CRL alone.
        let evidence = chain.hsm.path("evidence-1.der")
        let exported = try run(headendPath, ["export", "--store", chain.storePath, "--gateway", Self.gateway, "--transaction-id", "1", "--out", evidence],
                               environment: chain.hsm.environment)
        #expect(exported.status == 0, "\(exported.stderr)")
        let crl = chain.hsm.path("crl.der")
        #expect(try run("curl", ["-s", "-o", crl, "\(chain.pki.plainURL)/crl"]).status == 0)
        let checked = try chain.hsm.gatewayctl(["verify", "--evidence", evidence, "--ca", chain.pki.pki + "/ca.pem", "--crl", crl])
        #expect(checked.status == 0, "\(checked.output) \(checked.stderr)")

        let status = try chain.status()
        #expect(status["meter"]?.ok == true, "\(status)")
        #expect(status["token (signing key)"]?.ok == true, "\(status)")
        #expect(status["uplink"]?.detail.hasPrefix("connected") == true, "\(status)")
        #expect(status["outbox"]?.detail.contains("last delivered") == true, "\(status)")

        #expect(chain.stopGateway() == 0)
        #expect(gateway.stdoutLines.last?.hasPrefix("gatewayd stopped") == true, "\(gateway.stdoutLines.suffix(3))")
        #expect(!gateway.stderr.contains(chain.gatewayPIN), "the PIN reached the log")
    }

    @Test("the head-end down for a while, then back: nothing lost, the backlog arrives in order")
    func headEndOutage() throws {
        let chain = try ChainFixture()
        try chain.startHeadEnd()
        try chain.startGateway()
        try chain.eventually(60, "three readings delivered") { chain.deliveredLines.count >= 3 }
        chain.stopHeadEnd()
        let before = try chain.lastTaken()
        try chain.eventually(30, "ten readings taken while the head-end is down") { try chain.lastTaken() >= before + 10 }
        let status = try chain.status()
        #expect(status["uplink"]?.ok == false, "\(status)")
        #expect(status["last error"]?.detail.contains("uplink") == true, "\(status)")

        let back = try chain.startHeadEnd()
        try expectEverythingDelivered(chain)
        let arrived = ids(in: back.stdoutLines, prefix: "verified")
        #expect(arrived == arrived.sorted(), "the backlog arrived out of order: \(arrived)")
    }

    @Test("gatewayd killed with SIGKILL at random points and restarted: nothing lost, nothing stored twice")
    func gatewayKilled() throws {
        let chain = try ChainFixture(pollInterval: "100ms")
        try chain.startHeadEnd()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            try chain.startGateway()
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            _ = chain.stopGateway(signal: SIGKILL)
        }
        try chain.startGateway()
        try chain.eventually(30, "a reading delivered after the last restart") { !chain.deliveredLines.isEmpty }
        try expectEverythingDelivered(chain)
    }

    @Test("headend killed with SIGKILL mid-stream and restarted: nothing lost, nothing stored twice")
    func headEndKilled() throws {
        let chain = try ChainFixture(pollInterval: "100ms")
        try chain.startHeadEnd()
        try chain.startGateway()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            usleep(UInt32.random(in: 500_000...1_500_000, using: &generator))
            chain.stopHeadEnd(signal: SIGKILL)
            usleep(300_000)
            try chain.startHeadEnd()
        }
        try expectEverythingDelivered(chain)
    }

    @Test("the network cut mid-frame and mid-acknowledgement (a proxy drops the connection): each reading resent and stored once")
    func networkCuts() throws {
        let chain = try ChainFixture(proxied: true, pollInterval: "100ms")
        let proxy = try #require(chain.proxy)
        try chain.startHeadEnd()
        try chain.startGateway()
        try chain.eventually(60, "a first reading delivered") { !chain.deliveredLines.isEmpty }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            // Frames are a few hundred bytes, acknowledgements about two hundred: these cut inside one.
            proxy.cutAfter(bytes: Int.random(in: 5..<700, using: &generator), direction: round % 2 == 0 ? .toServer : .toClient)
            try chain.eventually(30, "cut \(round + 1)") { !proxy.cutPending }
        }
        #expect(proxy.cuts >= 6)
        try expectEverythingDelivered(chain)
    }

    @Test("the outbox limit reached while the head-end is away: the gateway says so loudly and loses nothing it holds")
    func outboxFull() throws {
        let chain = try ChainFixture(pollInterval: "100ms", outboxLimit: 5)
        let gateway = try chain.startGateway()
        try chain.eventually(30, "the outbox full") { try chain.status()["outbox"]?.detail.contains("FULL") == true }
        #expect(gateway.stderr.contains("outbox full"), "\(gateway.stderr.suffix(2000))")
        #expect(try chain.lastTaken() == 5)
        try chain.startHeadEnd()
        try chain.eventually(60, "more readings taken once there is room") { try chain.lastTaken() > 8 }
        try expectEverythingDelivered(chain)
    }

    @Test("the Central Directory down: cached certificates keep the stream flowing")
    func directoryDown() throws {
        let chain = try ChainFixture()
        try chain.startHeadEnd()
        try chain.startGateway()
        try chain.eventually(60, "three readings delivered") { chain.deliveredLines.count >= 3 }
        chain.pki.pkid.stop()
        let before = chain.deliveredLines.count
        try chain.eventually(30, "five more readings delivered with pkid stopped") { chain.deliveredLines.count >= before + 5 }
    }

    @Test("acknowledgements signed with another key are refused; the readings stay until a genuine acknowledgement comes")
    func forgedAcknowledgement() throws {
        let chain = try ChainFixture()
        // A key on the head-end's token certified for another system title: signatures verify, the signer is wrong.
        try ChainFixture.enroll(chain.pki, token: "headend", pin: chain.headEndPIN, title: "0102030405060708", key: "rogue-sign", profile: "sign")
        let rogue = try chain.startHeadEnd(extraArguments: ["--signing-key", "pkcs11:token=headend;object=rogue-sign?pin-source=file:\(chain.headEndPINFile)"])
        let gateway = try chain.startGateway()
        try chain.eventually(30, "readings verified at the head-end") { rogue.stdoutLines.filter { $0.hasPrefix("verified") }.count >= 2 }
        try chain.eventually(30, "the gateway rejecting the acknowledgements") { gateway.stderr.contains("acknowledgement rejected") }
        #expect(chain.deliveredLines.isEmpty, "\(chain.deliveredLines)")
        let status = try chain.status()
        #expect(status["outbox"]?.detail.contains("last delivered none yet") == true, "\(status)")

        try chain.startHeadEnd()
        try expectEverythingDelivered(chain)
        #expect(!chain.deliveredLines.isEmpty)
    }
}
