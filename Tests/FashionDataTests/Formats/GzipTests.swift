import FashionData
import Testing
import _TestSupport

@Suite struct GzipTests {
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
