import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509

/// The virtual PIV card on the real path: pcscd with vpcd, OpenSC's PIV driver and PKCS#11 module, and
/// `gatewayctl token`. What a user sees: tool outputs and exit statuses.
extension PCSCTests {
    @Suite("gatewayctl dev virtual-card through pcscd and OpenSC")
    struct VirtualCard {
        static let openSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

        /// pcscd, a provisioned card (9C P-256 "Gateway Sign", 9A P-384) and the card running in vpcd's reader.
        final class Rig {
            let daemon: PCSCDaemon
            let directory: URL
            let state: URL
            var card: BackgroundProcess?

            init() async throws {
                daemon = try await PCSCDaemon.start()
                directory = try temporaryDirectory("virtual-card")
                state = directory.appendingPathComponent("state")
                for (slot, type, subject) in [("9c", "ec-p256", "Gateway Sign"), ("9a", "ec-p384", "Gateway Auth")] {
                    let provision = try await run(gatewayctlPath, ["dev", "virtual-card", "provision", "--state", state.path,
                                                             "--slot", slot, "--type", type, "--subject", subject])
                    try #require(provision.status == 0, "\(provision.stderr)")
                    #expect(provision.output.contains("slot \(slot): new \(type) key"), "\(provision.output)")
                }
                try await insert()
            }

            func insert() async throws {
                let card = try await BackgroundProcess(gatewayctlPath, ["dev", "virtual-card", "--vpcd", daemon.vpcdAddress, "--state", state.path],
                                                 environment: daemon.environment)
                self.card = card
                let line = try await card.waitForLine(containing: "inserted into vpcd")
                #expect(line == "virtual-card: inserted into vpcd at \(daemon.vpcdAddress) (state \(state.path))")
                try await waitForCard()
            }

            /// pcscd polls vpcd's readers for presence: the card is usable once a listing shows it, shortly after
            /// the connection.
            func waitForCard() async throws {
                try await daemon.waitForCard()
            }

            /// Takes the card out and waits until pcscd has seen it go: a card put back before that is the same card to
            /// pcscd, never restarted, and whatever runs next races pcscd's noticing (a loaded machine lost that race).
            func remove() async throws {
                if let card { #expect(await card.stop() == 0, "\(card.stderr)") }
                card = nil
                try await daemon.waitForCard(present: false)
            }

            func stop() async {
                if let card { #expect(await card.stop() == 0, "\(card.stderr)") }
                await daemon.stop()
            }

            /// A 0600 PIN file for `pin-source=file:`.
            func pinFile(_ pin: String) throws -> String {
                let url = directory.appendingPathComponent("pin-\(UUID().uuidString.prefix(6))")
                try pin.write(to: url, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
                return url.path
            }

            func uri(_ path: String = "", pin: String) throws -> String {
                "pkcs11:token=Gateway%20Auth\(path)?module-path=\(VirtualCard.openSC)&pin-source=file:\(try pinFile(pin))"
            }

            func pkcs11Tool(_ arguments: [String]) async throws -> ProcessResult {
                try await run("/usr/bin/pkcs11-tool", ["--module", VirtualCard.openSC] + arguments, environment: daemon.environment)
            }

            func pivTool(_ arguments: [String]) async throws -> ProcessResult {
                let key = directory.appendingPathComponent("admin.key")
                try "01:02:03:04:05:06:07:08:01:02:03:04:05:06:07:08".write(to: key, atomically: true, encoding: .utf8)
                return try await run("/usr/bin/piv-tool", arguments, environment: daemon.environment.merging(["PIV_EXT_AUTH_KEY": key.path]) { $1 })
            }

            /// The public key of the certificate OpenSC shows under `id`, as PEM for openssl.
            func certificatePublicKey(id: String) async throws -> String {
                let der = directory.appendingPathComponent("cert-\(id).der").path
                let read = try await pkcs11Tool(["--read-object", "--type", "cert", "--id", id, "-o", der])
                try #require(read.status == 0, "\(read.stderr)")
                let pem = directory.appendingPathComponent("pub-\(id).pem").path
                let key = try await run("/usr/bin/openssl", ["x509", "-inform", "DER", "-in", der, "-pubkey", "-noout", "-out", pem])
                try #require(key.status == 0, "\(key.stderr)")
                return pem
            }
        }

        @Test("OpenSC lists the token and both keys; 9C is the always-authenticate SIGN key")
        func listed() async throws {
            let rig = try await Rig()
            let slots = try await rig.pkcs11Tool(["-L"])
            #expect(slots.status == 0, "\(slots.stderr)")
            #expect(slots.output.contains("token label        : Gateway Auth"), "\(slots.output)")
            let objects = try await rig.pkcs11Tool(["-O", "--login", "--pin", "123456"])
            #expect(objects.status == 0, "\(objects.stderr)")
            #expect(objects.output.contains("label:      SIGN key\n  ID:         02"), "\(objects.output)")
            #expect(objects.output.contains("always authenticate"), "\(objects.output)")
            #expect(objects.output.contains("label:      PIV AUTH key\n  ID:         01"), "\(objects.output)")
            #expect(objects.output.contains("subject:    DN: CN=Gateway Sign"), "\(objects.output)")

            let keys = try await run(gatewayctlPath, ["token", "keys", try rig.uri(pin: "123456")])
            #expect(keys.status == 0, "\(keys.stderr)")
            #expect(keys.output.contains("SIGN key"), "\(keys.output)")
            #expect(keys.output.range(of: #"PIV AUTH key\s+01\s+ec-p384"#, options: .regularExpression) != nil, "\(keys.output)")
            await rig.stop()
        }

        @Test("signatures through OpenSC verify with openssl: 9C (PIN before each) and 9A, by gatewayctl and pkcs11-tool")
        func signatures() async throws {
            let rig = try await Rig()
            let message = rig.directory.appendingPathComponent("reading.bin")
            try Data("active energy 1234.5 kWh".utf8).write(to: message)
            for (id, hash) in [("02", "-sha256"), ("01", "-sha384")] {
                let signature = rig.directory.appendingPathComponent("sig-\(id).der").path
                for round in 0..<2 {
                    let sign = try await run(gatewayctlPath, ["token", "sign", try rig.uri(";id=%\(id);type=private", pin: "123456"),
                                                        "--in", message.path, "--out", signature])
                    #expect(sign.status == 0, "id \(id) round \(round): \(sign.stderr)")
                    let verify = try await run("/usr/bin/openssl", ["dgst", hash, "-verify", try rig.certificatePublicKey(id: id),
                                                              "-signature", signature, message.path])
                    #expect(verify.output.contains("Verified OK"), "id \(id): \(verify.output) \(verify.stderr)")
                }
            }
            let digest = rig.directory.appendingPathComponent("digest.bin")
            try Data(SHA256.hash(data: try Data(contentsOf: message))).write(to: digest)
            let raw = rig.directory.appendingPathComponent("tool.sig").path
            let tool = try await rig.pkcs11Tool(["--login", "--pin", "123456", "--sign", "-m", "ECDSA", "--id", "02",
                                           "--signature-format", "openssl", "-i", digest.path, "-o", raw])
            #expect(tool.status == 0, "\(tool.stderr)")
            let verify = try await run("/usr/bin/openssl", ["dgst", "-sha256", "-verify", try rig.certificatePublicKey(id: "02"), "-signature", raw, message.path])
            #expect(verify.output.contains("Verified OK"), "\(verify.output) \(verify.stderr) \(rig.daemon.log)")
            await rig.stop()
        }

        @Test("piv-tool with the AES-128 management key generates a key over APDUs and stores its certificate")
        func pivToolAdministration() async throws {
            let rig = try await Rig()
            let refused = try await rig.pivTool(["-s", "00:47:00:9C:05:AC:03:80:01:11"])
            #expect(refused.output.contains("SW1=0x69, SW2=0x82"), "without -A: \(refused.output) \(refused.stderr)")

            let generated = try await rig.pivTool(["-A", "A:9B:08", "-s", "00:47:00:9C:05:AC:03:80:01:11"])
            #expect(generated.status == 0, "\(generated.stderr)")
            #expect(generated.output.contains("SW1=0x90, SW2=0x00"), "\(generated.output)")
            // The answer is printed as hex rows with an ASCII column: 7F 49 43 86 41 04 || X || Y.
            let hex = generated.output.split(separator: "\n").drop { !$0.hasPrefix("Received") }.dropFirst()
                .flatMap { $0.prefix(48).split(separator: " ").compactMap { UInt8($0, radix: 16) } }
            try #require(hex.count >= 70 && hex.starts(with: [0x7F, 0x49, 0x43, 0x86, 0x41, 0x04]), "\(generated.output)")
            let publicKey = try P256.Signing.PublicKey(x963Representation: Array(hex[5..<70]))

            // A certificate for the new key from a throwaway CA, loaded with piv-tool.
            let caKey = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(publicKey),
                notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(3600),
                issuer: try DistinguishedName { CommonName("Test CA") }, subject: try DistinguishedName { CommonName("Generated Key") },
                signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: .init(caKey))
            let pem = rig.directory.appendingPathComponent("generated.pem")
            try certificate.serializeAsPEM().pemString.write(to: pem, atomically: true, encoding: .utf8)
            let load = try await rig.pivTool(["-A", "A:9B:08", "-C", "9C", "-i", pem.path])
            #expect(!load.stderr.contains("failed"), "\(load.stderr)")
            let objects = try await rig.pkcs11Tool(["-O"])
            #expect(objects.output.contains("subject:    DN: CN=Generated Key"), "\(objects.output)")

            // The generated key signs through OpenSC and the signature verifies against the loaded certificate.
            let message = rig.directory.appendingPathComponent("m.bin")
            try Data("generated".utf8).write(to: message)
            let signature = rig.directory.appendingPathComponent("m.sig").path
            let sign = try await run(gatewayctlPath, ["token", "sign", try rig.uri(";id=%02;type=private", pin: "123456"), "--in", message.path, "--out", signature])
            #expect(sign.status == 0, "\(sign.stderr)")
            let verify = try await run("/usr/bin/openssl", ["dgst", "-sha256", "-verify", try rig.certificatePublicKey(id: "02"), "-signature", signature, message.path])
            #expect(verify.output.contains("Verified OK"), "\(verify.output) \(verify.stderr)")
            await rig.stop()
        }

        @Test("wrong PINs: the last try is named, the third blocks the card, and it stays blocked after the card restarts")
        func pinBlocking() async throws {
            let rig = try await Rig()
            let wrong = try rig.uri(pin: "999999")
            let first = try await run(gatewayctlPath, ["token", "keys", wrong])
            #expect(first.status == 1 && first.stderr.contains("wrong PIN"), "\(first.stderr)")
            let second = try await run(gatewayctlPath, ["token", "keys", wrong])
            #expect(second.status == 1 && second.stderr.contains("ONE try left"), "\(second.stderr)")
            let third = try await run(gatewayctlPath, ["token", "keys", wrong])
            #expect(third.status == 1 && third.stderr.lowercased().contains("lock"), "\(third.stderr)")

            try await rig.remove()
            try await rig.insert()
            let right = try await run(gatewayctlPath, ["token", "keys", try rig.uri(pin: "123456")])
            #expect(right.status == 1 && right.stderr.lowercased().contains("lock"), "after restart: \(right.stderr)")
            let slots = try await rig.pkcs11Tool(["-L"])
            #expect(slots.output.contains("user PIN locked"), "\(slots.output)")
            await rig.stop()
        }

        @Test("the card reinserts itself after pcscd restarts")
        func pcscdRestart() async throws {
            let rig = try await Rig()
            try await rig.daemon.restart(signal: SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, rig.card?.stdoutLines.filter({ $0.contains("inserted into vpcd") }).count ?? 0 < 2 { usleep(50_000) }
            #expect(rig.card?.stdoutLines.contains { $0.contains("removed from vpcd") } == true, "\(rig.card?.stdoutLines ?? [])")
            #expect(rig.card?.stdoutLines.filter { $0.contains("inserted into vpcd") }.count == 2, "\(rig.card?.stdoutLines ?? [])")
            try await rig.waitForCard()
            let listing = try await run("/usr/bin/opensc-tool", ["-n"], environment: rig.daemon.environment)
            #expect(listing.output.contains("Personal Identity Verification Card"), "\(listing.output) \(listing.stderr)")
            await rig.stop()
        }

        @Test("provision --certificate refuses a certificate for another key, naming cause and fix")
        func certificateMismatch() async throws {
            let directory = try temporaryDirectory("virtual-card-provision")
            let state = directory.appendingPathComponent("state").path
            _ = try await run(gatewayctlPath, ["dev", "virtual-card", "provision", "--state", state, "--slot", "9c"])
            let other = P256.Signing.PrivateKey()
            let name = try DistinguishedName { CommonName("Other") }
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(other.publicKey),
                notValidBefore: Date(), notValidAfter: Date().addingTimeInterval(3600), issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: .init(other))
            let file = directory.appendingPathComponent("other.pem")
            try certificate.serializeAsPEM().pemString.write(to: file, atomically: true, encoding: .utf8)
            let result = try await run(gatewayctlPath, ["dev", "virtual-card", "provision", "--state", state, "--slot", "9c", "--certificate", file.path])
            #expect(result.status == 1)
            #expect(result.stderr == "gatewayctl: the certificate's public key is not slot 9c's key; give the certificate issued for that key, or provision a new key\n")
        }
    }
}
