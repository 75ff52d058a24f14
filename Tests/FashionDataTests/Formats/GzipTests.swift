import FashionData
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct GzipTests {
    let original = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 / 7) }

    @Test func roundTrip() throws {
        let compressed = Fixtures.gzip(original)
        #expect(Gzip.isGzip(compressed))
        #expect(compressed.count < original.count)
        #expect(try Gzip.decompress(compressed, path: "x.gz") == original)
    }

    @Test func concatenatedMembersDecodeOneAfterAnother() throws {
        let twice = Fixtures.gzip(original) + Fixtures.gzip([1, 2, 3])
        #expect(try Gzip.decompress(twice, path: "x.gz") == original + [1, 2, 3])
    }

    /// 10 MB of zeros compress to about 10 KB: with a 1 MB limit it is refused, naming the file.
    @Test func aStreamInflatingPastItsLimitIsRefused() {
        let bomb = Fixtures.gzip([UInt8](repeating: 0, count: 10_000_000), level: 9)
        #expect(bomb.count < 20_000)
        let error = #expect(throws: DataError.self) { try Gzip.decompress(bomb, path: "/data/bomb.gz", limit: 1 << 20) }
        #expect(error?.description.contains("/data/bomb.gz") == true)
        #expect(error?.description.contains("inflates to more than 1048576 bytes") == true)
        #expect((try? Gzip.decompress(bomb, path: "ok.gz"))?.count == 10_000_000)
    }

    @Test func truncatedStreamIsAnErrorNamingTheFile() {
        let compressed = Fixtures.gzip(original)
        let cut = Array(compressed.prefix(compressed.count / 2))
        let error = #expect(throws: DataError.self) { try Gzip.decompress(cut, path: "/data/cut.gz") }
        #expect(error?.description.contains("/data/cut.gz") == true)
        #expect(error?.description.contains("corrupt or truncated gzip") == true)
    }

    @Test func corruptedStreamIsAnError() {
        var compressed = Fixtures.gzip(original)
        for i in 20..<60 { compressed[i] ^= 0xA5 }
        #expect(throws: DataError.self) { try Gzip.decompress(compressed, path: "bad.gz") }
    }
}
