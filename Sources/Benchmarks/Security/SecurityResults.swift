import Foundation

/// Everything `gatewayctl bench security` measured in one run, as `results.json` holds it: the report's page and its
/// summary are drawn from this alone, so a reader can recompute any figure they show.
///
/// Times are milliseconds, rates per second. A figure that could not be measured in this run (a signer the machine
/// lacks, a phase the quick run leaves out) is absent, never zero.
public struct SecurityResults: Codable, Sendable {
    public var machine: MachineFacts
    /// Program names to their versions: the product, swift, openssl, SoftHSM, OpenSC, pcsc-lite.
    public var versions: [String: String]
    /// True for `--quick`: fewer readings per run and fewer runs, for tests.
    public var quick: Bool
    public var startedAt: Date
    /// The whole bench's wall time.
    public var seconds: Double
    /// The security switched on step by step, one signer (SoftHSM, P-256), one meter.
    public var configurations: [ConfigurationRun]
    /// Signers and algorithms in the product's configuration: signing at the gateway, verifying at the head-end.
    public var signers: [SignerRun]
    /// Slow cards under load: sustained readings per second against card latency, with and without batching.
    public var load: [LoadRun]
    /// The card's link (APDUs through pcscd and OpenSC) told apart from its time on the card.
    public var tokenLink: [TokenLinkRun]
    /// The head-end's verification rate per core next to openssl's in the same run.
    public var verification: [VerificationRun]
    public var goals: [Goal]

    public init(machine: MachineFacts, versions: [String: String], quick: Bool, startedAt: Date, seconds: Double,
                configurations: [ConfigurationRun] = [], signers: [SignerRun] = [], load: [LoadRun] = [],
                tokenLink: [TokenLinkRun] = [], verification: [VerificationRun] = [], goals: [Goal] = []) {
        self.machine = machine
        self.versions = versions
        self.quick = quick
        self.startedAt = startedAt
        self.seconds = seconds
        self.configurations = configurations
        self.signers = signers
        self.load = load
        self.tokenLink = tokenLink
        self.verification = verification
        self.goals = goals
    }
}

/// The machine a run was measured on.
public struct MachineFacts: Codable, Sendable {
    public var cpu: String
    public var cores: Int
    public var memoryGiB: Double
    public var kernel: String
    public var system: String

    public init(cpu: String, cores: Int, memoryGiB: Double, kernel: String, system: String) {
        self.cpu = cpu
        self.cores = cores
        self.memoryGiB = memoryGiB
        self.kernel = kernel
        self.system = system
    }
}

/// One stage's latency over a run's readings.
public struct StageFigure: Codable, Sendable, Hashable {
    /// `StageTimes.Stage`'s name (`modbus`, `build`, `outbox_commit`, `encode`, `signature`, `sign_commit`,
    /// `send_to_ack`, `deliver_commit`, `end_to_end`), or a stage of the harness's own (`verify`, `store_commit`).
    public var stage: String
    public var p50: Double
    public var p99: Double
    public var mean: Double

    public init(stage: String, p50: Double, p99: Double, mean: Double) {
        self.stage = stage
        self.p50 = p50
        self.p99 = p99
        self.mean = mean
    }
}

/// One configuration of the chain at one reading at a time.
public struct ConfigurationRun: Codable, Sendable {
    /// `plain`, `tls`, `signatures`, `signatures+tls`, `product`, `product+requests`.
    public var name: String
    /// What runs: which pieces, the harness or the daemons.
    public var description: String
    /// Everything that shaped the run (signer, algorithm, meters, poll interval, batch), for results.json.
    public var settings: [String: String]
    public var readings: Int
    /// Stage by stage, in pipeline order; `end_to_end` last.
    public var stages: [StageFigure]
    /// End-to-end milliseconds at the 1st, 2nd, ... 100th percentile: the CDF's points.
    public var endToEndPercentiles: [Double]
    /// Signed request round trips (only `product+requests`): the head-end's request to the verified answer.
    public var requestRoundTrip: StageFigure?

    public init(name: String, description: String, settings: [String: String], readings: Int, stages: [StageFigure],
                endToEndPercentiles: [Double], requestRoundTrip: StageFigure? = nil) {
        self.name = name
        self.description = description
        self.settings = settings
        self.readings = readings
        self.stages = stages
        self.endToEndPercentiles = endToEndPercentiles
        self.requestRoundTrip = requestRoundTrip
    }

    /// The figure of `stage`, if the run had it.
    public func stage(_ name: String) -> StageFigure? { stages.first { $0.stage == name } }
}

/// One signer and algorithm: its signature at the gateway, its verification at the head-end, and the reading's way
/// end to end in the product's configuration.
public struct SignerRun: Codable, Sendable {
    /// `software`, `softhsm`, `card`.
    public var signer: String
    /// `ec-p256`, `ec-p384`, `rsa-2048-pkcs1`, `rsa-2048-pss`, `rsa-3072-pkcs1`, `ec-brainpoolP256r1`.
    public var algorithm: String
    public var signature: StageFigure
    public var verification: StageFigure
    public var endToEnd: StageFigure?
    /// Why a combination was not measured (the token lacks the mechanism); the figures are then empty.
    public var skipped: String?

    public init(signer: String, algorithm: String, signature: StageFigure, verification: StageFigure,
                endToEnd: StageFigure? = nil, skipped: String? = nil) {
        self.signer = signer
        self.algorithm = algorithm
        self.signature = signature
        self.verification = verification
        self.endToEnd = endToEnd
        self.skipped = skipped
    }
}

/// One load point: a card signing in `cardDelay` ms, `meters` meters at one reading a second each.
public struct LoadRun: Codable, Sendable {
    public var cardDelay: Double
    /// Frames per batch signature; nil: one signature a reading.
    public var batch: Int?
    public var meters: Int
    /// Readings a second offered (the meters' polls).
    public var offered: Double
    /// Readings a second delivered and acknowledged, over the measured window.
    public var sustained: Double
    /// Readings taken but not yet acknowledged, at the window's start and end.
    public var backlogStart: Int
    public var backlogEnd: Int
    /// End to end over the readings delivered in the window.
    public var endToEnd: StageFigure?
    public var seconds: Double

    public init(cardDelay: Double, batch: Int?, meters: Int, offered: Double, sustained: Double, backlogStart: Int,
                backlogEnd: Int, endToEnd: StageFigure?, seconds: Double) {
        self.cardDelay = cardDelay
        self.batch = batch
        self.meters = meters
        self.offered = offered
        self.sustained = sustained
        self.backlogStart = backlogStart
        self.backlogEnd = backlogEnd
        self.endToEnd = endToEnd
        self.seconds = seconds
    }

    /// The backlog grew by more than a tenth of what was offered in the window: the gateway does not keep up.
    public var backlogGrows: Bool { Double(backlogEnd - backlogStart) > max(2, offered * seconds * 0.1) }
}

/// The virtual card at one configured on-card delay: what a signature took through pcscd and OpenSC.
public struct TokenLinkRun: Codable, Sendable {
    /// The delay the virtual card adds per signature, the stand-in for a real card's on-card time.
    public var cardDelay: Double
    public var signature: StageFigure
    /// The signature's time beyond the card's own delay (p50 − delay): APDUs, pcscd, OpenSC, PKCS#11.
    public var link: Double
    /// Signatures the same run made on SoftHSM, for scale.
    public var softhsm: StageFigure?

    public init(cardDelay: Double, signature: StageFigure, link: Double, softhsm: StageFigure? = nil) {
        self.cardDelay = cardDelay
        self.signature = signature
        self.link = link
        self.softhsm = softhsm
    }
}

/// The head-end's verifications of one algorithm, per core.
public struct VerificationRun: Codable, Sendable {
    public var algorithm: String
    /// Every check the head-end makes (frame, certificate info, originator, signature, chain and CRL, content).
    public var fullPerSecond: Double
    /// The signature check alone.
    public var signaturePerSecond: Double
    /// `openssl speed` verify/s in the same run, one core; nil where openssl has no counterpart.
    public var opensslPerSecond: Double?

    public init(algorithm: String, fullPerSecond: Double, signaturePerSecond: Double, opensslPerSecond: Double?) {
        self.algorithm = algorithm
        self.fullPerSecond = fullPerSecond
        self.signaturePerSecond = signaturePerSecond
        self.opensslPerSecond = opensslPerSecond
    }

    public var fullRatio: Double? { opensslPerSecond.flatMap { $0 > 0 ? fullPerSecond / $0 : nil } }
}

/// One of the goals: what was asked, what this run measured, and whether it holds.
public struct Goal: Codable, Sendable {
    public var name: String
    public var target: String
    public var measured: String
    /// nil: this run could not measure it (the quick run leaves out the phase).
    public var met: Bool?

    public init(name: String, target: String, measured: String, met: Bool?) {
        self.name = name
        self.target = target
        self.measured = measured
        self.met = met
    }
}

// Equality, synthesised here (it can only be in the declaring file): results.json must read back to the model it was
// written from, and the report's test checks exactly that.
extension SecurityResults: Equatable {}
extension MachineFacts: Equatable {}
extension ConfigurationRun: Equatable {}
extension SignerRun: Equatable {}
extension LoadRun: Equatable {}
extension TokenLinkRun: Equatable {}
extension VerificationRun: Equatable {}
extension Goal: Equatable {}
