import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure what security costs: throughput and latency of each stage, as ratios from one run.",
        subcommands: [BenchToken.self, BenchSigners.self, BenchMeter.self, BenchRecord.self, BenchChain.self, BenchVerify.self]
    )
}
