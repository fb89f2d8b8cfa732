import COSEM
import Foundation
import Metering
import Signing
import TestSupport
import Testing

/// Batch signatures with real software keys: every frame of a batch verifies alone, any change to a proof is
/// refused, a batch of one is today's signature, and a verifier that knows only single signatures refuses a proof.
@Suite("Batch signatures: Merkle proofs in general-signing's signature field")
struct BatchProofTests {
    static let algorithms: [KeyAlgorithm] = [.ecdsa(.p256), .ecdsa(.p384), .rsa(bits: 2048)]

    /// `count` distinct messages standing in for frames' signed bytes.
    static func messages(_ count: Int, batch: UInt8 = 0) -> [[UInt8]] {
        (0..<count).map { [0x08, batch] + Array("reading \($0)".utf8) }
    }

    /// The fields of `messages` signed as a frame is signed today, and how many times the key was asked.
    static func sign(_ messages: [[UInt8]], with key: SoftwareSigner) async throws -> (fields: [[UInt8]], signatures: Int) {
        var signatures = 0
        let fields = try await BatchSignature.fields(for: messages, algorithm: key.algorithm) { bytes in
            signatures += 1
            return try await key.sign(bytes, scheme: SignedRecord.scheme(for: key.algorithm)).bytes
        }
        return (fields, signatures)
    }

    static func refuses(_ field: [UInt8], over message: [UInt8], by key: SoftwareSigner) -> Bool {
        (try? BatchSignature.verify(field, over: message, by: key.publicKey)) == nil
    }

    @Test("every index of trees of 1, 2, 3, 7 and 64 frames verifies alone, after one signature per tree", arguments: algorithms)
    func everyIndexVerifiesAlone(_ algorithm: KeyAlgorithm) async throws {
        let key = try SoftwareSigner(generating: algorithm)
        for size in [1, 2, 3, 7, 64] {
            let messages = Self.messages(size)
            let (fields, signatures) = try await Self.sign(messages, with: key)
            #expect(fields.count == size && signatures == 1)
            for (index, field) in fields.enumerated() {
                switch try BatchSignature.verify(field, over: messages[index], by: key.publicKey) {
                case .single: #expect(size == 1)
                case .batch(let proof): #expect(proof.index == UInt32(index) && proof.size == UInt32(size) && proof.encoded == field)
                }
                // Another frame of the same batch under this frame's proof.
                if size > 1 { #expect(Self.refuses(field, over: messages[(index + 1) % size], by: key)) }
            }
        }
    }

    @Test("a changed blinder, path node, index, tree size, root signature, or any other byte of a proof is refused")
    func tamperedProofsAreRefused() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let messages = Self.messages(7)
        let field = try await Self.sign(messages, with: key).fields[3]
        let message = messages[3]
        #expect(!Self.refuses(field, over: message, by: key))
        // Offsets in the layout: marker, version, hash length, index at 3, size at 7, blinder at 11, count at 43,
        // path at 44 (three hashes for leaf 3 of 7), the root signature at 140.
        for offset in field.indices {
            var changed = field
            changed[offset] ^= 0x01
            #expect(Self.refuses(changed, over: message, by: key), "byte \(offset) changed")
        }
        func with(_ value: UInt32, at offset: Int) -> [UInt8] {
            var changed = field
            changed.replaceSubrange(offset..<offset + 4, with: (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) })
            return changed
        }
        for index: UInt32 in [0, 1, 2, 4, 5, 6, 7, .max] { #expect(Self.refuses(with(index, at: 3), over: message, by: key)) }
        for size: UInt32 in [0, 1, 4, 6, 8, .max] { #expect(Self.refuses(with(size, at: 7), over: message, by: key)) }

        // Leaf 0's path has the same shape in trees of 3 and 4: only the signed size tells them apart.
        let three = Self.messages(3)
        let first = try await Self.sign(three, with: key).fields[0]
        var relabelled = first
        relabelled[10] = 4
        let proof = try BatchProof(decoding: relabelled)
        #expect(proof.root(over: three[0]).hash == (try BatchProof(decoding: first)).root(over: three[0]).hash)
        #expect(Self.refuses(relabelled, over: three[0], by: key))
    }

    @Test("a frame moved into another batch's proof, or given its root signature, is refused (same key)")
    func frameMovedIntoAnotherBatch() async throws {
        let key = try SoftwareSigner(generating: .ecdsa(.p256))
        let (ours, theirs) = (Self.messages(4, batch: 1), Self.messages(4, batch: 2))
        let (ourFields, theirFields) = (try await Self.sign(ours, with: key).fields, try await Self.sign(theirs, with: key).fields)
        for index in ours.indices {
            #expect(Self.refuses(theirFields[index], over: ours[index], by: key))
            // Our path and blinder under their batch's root signature.
            let signatureStart = ourFields[index].count - key.algorithm.signatureSize
            let spliced = Array(ourFields[index][..<signatureStart] + theirFields[index][signatureStart...])
            #expect(Self.refuses(spliced, over: ours[index], by: key))
        }
    }

    @Test("a batch of one is today's signature: the key's signature over the frame's own bytes, nothing added", arguments: algorithms)
    func batchOfOneIsTodaysSignature(_ algorithm: KeyAlgorithm) async throws {
        let key = try SoftwareSigner(generating: algorithm)
        let records = try await SignedRecordTests()
        let certificate = try await records.certificate(for: key)
        var frame = try await SignedRecord.sign(try records.record(), transactionID: 70_000, signer: key, certificate: certificate,
                                                originator: records.gatewayTitle, recipient: records.headEndTitle)
        var asked: [[UInt8]] = []
        var returned: [UInt8] = []
        let field = try await BatchSignature.fields(for: [frame.signedBytes()], algorithm: algorithm) { bytes in
            asked.append(bytes)
            returned = try await key.sign(bytes, scheme: SignedRecord.scheme(for: algorithm)).bytes
            return returned
        }[0]
        // Deterministically today's: the key signed exactly the frame's signed bytes and the field is that signature.
        #expect(asked == [frame.signedBytes()] && field == returned)
        // Its first byte may be 0xBA by chance (one signature in 256): the plain length, not the byte, says single.
        #expect(field.count == algorithm.signatureSize && SignatureField(try: field, algorithm) == .single(field))
        frame.signature = field
        let result = try await records.verifier().verify(frame: frame.encoded, certificate: certificate)
        #expect(result.passed, "\(result.checks.filter { !$0.passed })")
    }

    @Test("a verifier that knows only single signatures refuses a frame carrying a batch proof; the record verifier, which knows proofs, accepts it",
          arguments: algorithms)
    func singleSignatureVerifierRefusesProof(_ algorithm: KeyAlgorithm) async throws {
        let key = try SoftwareSigner(generating: algorithm)
        let records = try await SignedRecordTests()
        let certificate = try await records.certificate(for: key)
        var frames: [GeneralSigning] = []
        for id in UInt64(1)...3 {
            frames.append(try await SignedRecord.sign(try records.record(transactionID: id), transactionID: id, signer: key,
                                                      certificate: certificate, originator: records.gatewayTitle, recipient: records.headEndTitle))
        }
        let fields = try await Self.sign(frames.map { $0.signedBytes() }, with: key).fields
        for (index, field) in fields.enumerated() {
            var frame = frames[index]
            frame.signature = field
            #expect(!Self.refuses(field, over: frame.signedBytes(), by: key))
            // What a receiver that predates batches does with the field: one signature check, refused by its length.
            let single = Signature(scheme: SignedRecord.scheme(for: algorithm), bytes: field)
            #expect(!key.publicKey.isValidSignature(single, for: frame.signedBytes()))
            let result = try await records.verifier().verify(frame: frame.encoded, certificate: certificate)
            #expect(result.passed, "\(result.checks.filter { !$0.passed })")
        }
    }

    @Test("a proof is always longer than a plain signature of its key, which every verifier holds to its exact length",
          arguments: algorithms)
    func proofIsLongerThanASignature(_ algorithm: KeyAlgorithm) async throws {
        let key = try SoftwareSigner(generating: algorithm)
        let hashSize = BatchSignature.hash(for: algorithm).digestSize
        #expect(algorithm.signatureSize == [KeyAlgorithm.ecdsa(.p256): 64, .ecdsa(.p384): 96, .rsa(bits: 2048): 256][algorithm])
        // The shortest proof is in a tree of two: a plain signature, 44 bytes of header and one path hash more.
        for field in try await Self.sign(Self.messages(2), with: key).fields {
            #expect(field.count == algorithm.signatureSize + 44 + hashSize)
        }
    }

    @Test("every leaf's RFC 9162 audit path leads to the root, for every tree of 1 to 70 leaves")
    func auditPathsReachTheRoot() {
        for size in 1...70 {
            let tree = BatchTree(messages: Self.messages(size), blinders: Array(repeating: Array(repeating: 7, count: 32), count: size),
                                 hash: .sha256)
            for index in 0..<size {
                let leaf = BatchTree.leafHash(blinder: tree.blinders[index], message: Self.messages(size)[index], hash: .sha256)
                let path = tree.paths[index]
                #expect(BatchTree.pathLength(index: UInt32(index), size: UInt32(size)) == path.count)
                #expect(BatchTree.rootHash(leafHash: leaf, index: UInt32(index), size: UInt32(size), path: path, hash: .sha256) == tree.root.hash)
                #expect(BatchTree.rootHash(leafHash: leaf, index: UInt32(index), size: UInt32(size), path: path + [leaf], hash: .sha256) == nil)
            }
            #expect(BatchTree.pathLength(index: UInt32(size), size: UInt32(size)) == nil)
        }
    }

    /// Cross-checked with OpenSSL alone (`leaf i` = 0x00, 32 bytes of i+1, "frame i"):
    ///
    ///     leaf() { { printf '\x00'; head -c 32 /dev/zero | tr '\0' "\\$(printf '%03o' $1)"; printf 'frame %s' $2; } | openssl dgst -sha256 -binary; }
    ///     leaf 1 0 > l0; leaf 2 1 > l1; leaf 3 2 > l2
    ///     { printf '\x01'; cat l0 l1; } | openssl dgst -sha256 -binary > n01
    ///     { printf '\x01'; cat n01 l2; } | openssl dgst -sha256 -hex    # d4e8e24f…61ad7e
    @Test("pinned vector: three fixed frames and blinders give the root OpenSSL computes by hand")
    func pinnedVector() throws {
        let messages = (0..<3).map { Array("frame \($0)".utf8) }
        let blinders = (0..<3).map { Array(repeating: UInt8($0 + 1), count: 32) }
        let tree = BatchTree(messages: messages, blinders: blinders, hash: .sha256)
        #expect(tree.root.hash.hexString == "D4E8E24F93E960012453DC6DB7388C1931DF99E5BBAA718FBC7D61B35F61AD7E")
        #expect(tree.root.message.hexString == "444C4D532D434F53454D206261746368207369676E61747572652076310000000003"
            + "D4E8E24F93E960012453DC6DB7388C1931DF99E5BBAA718FBC7D61B35F61AD7E")
        #expect(tree.paths.map { $0.map(\.hexString) } == [
            ["4EECF7D7B35DA829E2D470FA55609B151ABB07BF5F780B2B383C032D7C0C0600", "5D865F2CD6CE86243F04F58762A05E606BC45E61511E65585AF1169D9CF2DE74"],
            ["D3C709153145F56FF52EF8013E41B43E6718946FD73284F27C31246A6B28A278", "5D865F2CD6CE86243F04F58762A05E606BC45E61511E65585AF1169D9CF2DE74"],
            ["926F8F56938F0FD9A5809E626DC829701B47379FA5065876E69CDEA0431ED45E"],
        ])
        // Leaf 2's proof on the wire, with 64 bytes standing in for the P-256 root signature: marker, version, hash
        // length, index, size, blinder, path count, path, root signature.
        let wire = "BA" + "01" + "20" + "00000002" + "00000003" + String(repeating: "03", count: 32) + "01"
            + "926F8F56938F0FD9A5809E626DC829701B47379FA5065876E69CDEA0431ED45E" + String(repeating: "5A", count: 64)
        let proof = try BatchProof(decoding: try #require([UInt8](hexDigits: wire)))
        #expect(proof.root(over: messages[2]) == tree.root && proof.encoded.hexString == wire)
    }
}

extension SignatureField {
    /// The field read, or nil when it is refused: for comparisons in expectations.
    init?(try field: [UInt8], _ algorithm: KeyAlgorithm) {
        guard let read = try? SignatureField(field, algorithm: algorithm) else { return nil }
        self = read
    }
}

extension BatchProofTests {
    /// A proof's bytes with the given fields, each overridable, valid by default (leaf 0 of 2, SHA-256).
    static func proof(version: UInt8 = 1, hashLength: UInt8 = 32, index: UInt32 = 0, size: UInt32 = 2, count: UInt8 = 1,
                      pathBytes: Int = 32, signature: [UInt8] = Array(repeating: 0x5A, count: 64)) -> [UInt8] {
        var writer = ByteWriter()
        writer.u8(BatchProof.marker)
        writer.u8(version)
        writer.u8(hashLength)
        writer.u32(index)
        writer.u32(size)
        writer.bytes(Array(repeating: 0xB1, count: 32))
        writer.u8(count)
        writer.bytes(Array(repeating: 0xC4, count: pathBytes))
        writer.bytes(signature)
        return writer.bytes
    }

    static func decodingError(_ field: [UInt8]) -> BatchProofError? {
        do {
            _ = try BatchProof(decoding: field)
            return nil
        } catch {
            return error
        }
    }

    @Test("hostile proofs: each malformation has its typed error, checked before anything is read or allocated")
    func hostileDecoding() throws {
        #expect(try BatchProof(decoding: Self.proof()).encoded == Self.proof())
        #expect(Self.decodingError([]) == .truncated(length: 0, needed: 1))
        #expect(Self.decodingError([0x30] + Self.proof().dropFirst()) == .missingMarker(found: 0x30))
        #expect(Self.decodingError(Self.proof(version: 2)) == .unknownVersion(2))
        #expect(Self.decodingError(Self.proof(hashLength: 33)) == .hashLength(33))
        #expect(Self.decodingError(Array(Self.proof().prefix(20))) == .truncated(length: 20, needed: 44))
        #expect(Self.decodingError(Self.proof(size: 0)) == .emptyTree)
        #expect(Self.decodingError(Self.proof(size: 1, count: 0, pathBytes: 0)) == .singleFrameInProofForm)
        #expect(Self.decodingError(Self.proof(index: 2)) == .indexOutsideTree(index: 2, size: 2))
        #expect(Self.decodingError(Self.proof(count: 2, pathBytes: 64)) == .pathLength(found: 2, expected: 1))
        // The largest tree needs 32 hashes; a count of 255 is refused before any is read.
        #expect(Self.decodingError(Self.proof(size: .max, count: 255, pathBytes: 0)) == .pathLength(found: 255, expected: 32))
        #expect(Self.decodingError(Self.proof(size: .max, count: 32, pathBytes: 31)) == .truncated(length: 44 + 31 + 64, needed: 44 + 32 * 32))
        #expect(Self.decodingError(Self.proof(signature: [])) == .missingRootSignature)
        // Every proper prefix of a proof is refused: as truncated, as missing its root signature once the path is
        // whole, and beyond that (the root signature being the rest) as a root signature shorter than the key's.
        let whole = Self.proof(hashLength: 48, index: 5, size: 7, count: 3, pathBytes: 3 * 48, signature: Array(repeating: 1, count: 96))
        #expect(try BatchProof(decoding: whole).path.count == 3)
        let pathEnd = 44 + 3 * 48
        for cut in 0..<whole.count {
            let prefix = Array(whole.prefix(cut))
            switch Self.decodingError(prefix) {
            case .truncated(let length, let needed)?: #expect(length == cut && needed > cut && cut < pathEnd)
            case .missingRootSignature?: #expect(cut == pathEnd)
            case nil:
                #expect(throws: BatchProofError.rootSignatureLength(found: cut - pathEnd, expected: 96)) {
                    try SignatureField(prefix, algorithm: .ecdsa(.p384))
                }
            case let other?: Issue.record("cut at \(cut): \(other)")
            }
        }
    }

    @Test("a field longer than the key's signature must be a proof of the key's hash with a root signature of its length")
    func fieldsReadAgainstTheKey() {
        let p256 = KeyAlgorithm.ecdsa(.p256)
        #expect(SignatureField(try: Self.proof(), p256) != nil)
        #expect(SignatureField(try: Array(repeating: 0xBA, count: 64), p256) == .single(Array(repeating: 0xBA, count: 64)))
        #expect(throws: BatchProofError.notABatchProof(length: 65, signatureSize: 64)) { try SignatureField(Array(repeating: 0x30, count: 65), algorithm: p256) }
        #expect(throws: BatchProofError.hashNotTheKeys(length: 32, expected: 48)) {
            try SignatureField(Self.proof(signature: Array(repeating: 1, count: 96)), algorithm: .ecdsa(.p384))
        }
        #expect(throws: BatchProofError.rootSignatureLength(found: 65, expected: 64)) {
            try SignatureField(Self.proof(signature: Array(repeating: 1, count: 65)), algorithm: p256)
        }
    }

    @Test("random and damaged fields never crash; whatever decodes re-encodes to the same bytes")
    func fuzzedDecoding() {
        var generator = SplitMix64(seed: 0xBA7C_4001)
        let valid = Self.proof(hashLength: 48, index: 5, size: 7, count: 3, pathBytes: 3 * 48)
        for round in 0..<20_000 {
            var field: [UInt8]
            if round % 2 == 0 {
                field = (0..<generator.next(below: 300)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if field.count > 2 { (field[0], field[1]) = (BatchProof.marker, BatchProof.version) }
            } else {
                field = Array(valid.prefix(generator.next(below: valid.count + 1)))
                for _ in 0..<generator.next(below: 4) where !field.isEmpty {
                    field[generator.next(below: field.count)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            if let proof = try? BatchProof(decoding: field) {
                #expect(proof.encoded == field, "round \(round)")
                #expect(BatchTree.pathLength(index: proof.index, size: proof.size) == proof.path.count)
            }
            _ = try? SignatureField(field, algorithm: .ecdsa(.p384))
        }
    }
}
