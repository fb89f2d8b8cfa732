import ArgumentParser

/// Development instruments: things that stand in for hardware in tests, demos and benchmarks.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Test instruments that stand in for hardware (never for production).",
        discussion: """
            WARNING: these are test instruments. `virtual-card` is NOT a token: its private keys are plain files \
            in its state directory. Never use it for keys that protect anything.
            """,
        subcommands: [VirtualCardCommand.self]
    )
}
