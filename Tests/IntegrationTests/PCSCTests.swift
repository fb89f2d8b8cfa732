import Foundation
import TestSupport
import Testing

/// Every test that needs pcscd, nested under one serialized suite: a test process runs one pcscd at a time
/// (`PCSCDaemon`), and `make test` runs this suite in a process of its own.
@Suite("PC/SC: pcscd, vpcd, the virtual PIV card and OpenSC", .serialized)
struct PCSCTests {}

extension PCSCTests {
    @Suite("pcscd fixture")
    struct Fixture {
        @Test("the test's pcscd shows vpcd's two readers to OpenSC, empty, and again after a restart")
        func readersListed() async throws {
            let daemon = try await PCSCDaemon.start()
            for round in 0..<2 {
                let listing = try await run("/usr/bin/opensc-tool", ["--list-readers"], environment: daemon.environment)
                #expect(listing.status == 0, "round \(round): \(listing.stderr)")
                #expect(listing.output.contains(PCSCDaemon.firstReader), "round \(round): \(listing.output)")
                #expect(listing.output.contains(PCSCDaemon.secondReader), "round \(round): \(listing.output)")
                try await daemon.restart(signal: round == 0 ? SIGKILL : SIGTERM)
            }
            await daemon.stop()
        }
    }
}
