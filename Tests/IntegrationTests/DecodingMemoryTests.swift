import Foundation
import Testing
import TestSupport

/// What a hostile frame costs the process that reads it, measured on the real executable.
@Suite("Decoding memory stays bounded")
struct DecodingMemoryTests {
    /// Peak resident memory (KiB) of one command, read by a fresh python3 whose only child it is.
    func peakKiB(_ arguments: [String]) async throws -> (status: Int, kib: Int) {
        let script = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let result = try await run("/usr/bin/python3", ["-c", script] + arguments)
        let fields = result.output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(fields.count == 2, "\(result.output) \(result.stderr)")
        return (fields[0], fields[1])
    }

    @Test("a 5 MB data-notification of null arrays: cosem decode refuses it within a small multiple of its size")
    func wideArrays() async throws {
        var bytes: [UInt8] = [0x0F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 80]
        for _ in 0 ..< 80 { bytes += [0x01, 0x82, 0xFF, 0xFF] + [UInt8](repeating: 0x00, count: 65_535) }
        let directory = try temporaryDirectory("wide")
        let file = directory.appendingPathComponent("wide.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let baseline = try await peakKiB([gatewayctlPath, "cosem", "decode", "00"])
        let wide = try await peakKiB([gatewayctlPath, "cosem", "decode", "--in", file])
        #expect(wide.status == 1, "the frame exceeds the value limit and is refused")
        let grown = wide.kib - baseline.kib
        // The input is 5 MB; before the limit, decoding and printing it took 729 MB.
        #expect(grown < 5 * bytes.count / 1024, "decoding grew the process by \(grown) KiB for \(bytes.count / 1024) KiB of input")
        let message = try await run(gatewayctlPath, ["cosem", "decode", "--in", file])
        #expect(message.stderr.hasPrefix("gatewayctl: more than 65536 values in all"), "\(message.stderr)")
    }
}
