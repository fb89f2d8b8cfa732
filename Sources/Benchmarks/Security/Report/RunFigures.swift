/// The figures the prose quotes, looked up once: the plain and product configurations, a stage's median, the
/// reference signer. Every lookup answers nil for a figure the run did not measure (or measured as not a number),
/// and the prose then says so instead of printing a dash inside a sentence.
struct RunFigures {
    let results: SecurityResults

    init(_ results: SecurityResults) {
        self.results = results
    }

    func configuration(_ name: String) -> ConfigurationRun? { results.configurations.first { $0.name == name } }

    var plain: ConfigurationRun? { configuration("plain") }
    /// The product: signatures and TLS, as gatewayd runs by default.
    var product: ConfigurationRun? { configuration("product") ?? configuration("signatures+tls") }

    /// `stage`'s finite median in `run`.
    func median(_ stage: String, in run: ConfigurationRun?) -> Double? {
        run?.stage(stage)?.p50.finite
    }

    func p99(_ stage: String, in run: ConfigurationRun?) -> Double? {
        run?.stage(stage)?.p99.finite
    }

    /// Signer runs that were measured and have a finite signature median.
    var measuredSigners: [SignerRun] {
        results.signers.filter { $0.skipped == nil && $0.signature.p50.isFinite }
    }

    /// The signer the configurations use, SoftHSM with P-256, else the first measured.
    var referenceSigner: SignerRun? {
        measuredSigners.first { $0.signer == "softhsm" && $0.algorithm == "ec-p256" } ?? measuredSigners.first
    }

    /// The verification run for P-256, else the first.
    var referenceVerification: VerificationRun? {
        results.verification.first { $0.algorithm == "ec-p256" } ?? results.verification.first
    }
}

extension Double {
    /// The value, or nil when it is not a number or infinite.
    var finite: Double? { isFinite ? self : nil }
}
