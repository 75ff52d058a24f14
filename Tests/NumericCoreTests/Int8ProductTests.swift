import NumericCore
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(5))) struct Int8ProductTests {
    /// Every path this CPU has gives the plain loops' integer sums exactly, for shapes that are
    /// and are not multiples of the tiles (k of 4, n of 16 and 64, rows of 4 and 6), with the
    /// extremes 0 and 255 against -127 and 127.
    @Test(arguments: [
        (1, 1, 1), (3, 5, 7), (6, 64, 4), (7, 65, 5), (64, 128, 784), (13, 10, 3136), (5, 48, 33), (64, 10, 128),
    ])
    func everyPathGivesThePlainLoopsSums(m: Int, n: Int, k: Int) {
        var generator = SeededGenerator(seed: UInt64(m * 100_000 + n * 100 + k))
        let a = (0..<(m * k)).map { i in i % 11 == 0 ? UInt8(255) : UInt8(generator.next() % 256) }
        let w = (0..<(k * n)).map { i in
            i % 13 == 0 ? Int8(i % 2 == 0 ? 127 : -127) : Int8(Int(generator.next() % 255) - 127)
        }
        let expected = ReferenceKernels.int8Product(m: m, n: n, k: k, a: a, w: w)
        let depth = Int8Product.paddedDepth(k)
        let columns = Int8Product.paddedColumns(n)
        // Rows padded with bytes that must not count (their weights are zero).
        var padded = [UInt8](repeating: 201, count: m * depth)
        for i in 0..<m { for p in 0..<k { padded[i * depth + p] = a[i * k + p] } }
        let paths = Int8Product.Path.allCases.filter { $0.rawValue <= Int8Product.best.rawValue }
        #expect(paths.contains(.portable))
        for path in paths {
            var packed = [UInt8](repeating: 0, count: Int8Product.packedBytes(k: k, n: n))
            w.withUnsafeBufferPointer { source in
                packed.withUnsafeMutableBytes {
                    Int8Product.pack(source.baseAddress!, k: k, n: n, path: path, into: $0.baseAddress!)
                }
            }
            var c = [Int32](repeating: -1, count: m * columns)
            padded.withUnsafeBufferPointer { pa in
                packed.withUnsafeBytes { pw in
                    c.withUnsafeMutableBufferPointer { pc in
                        Int8Product.multiply(
                            m: m, n: n, k: k, a: pa.baseAddress!, lda: depth, packed: pw.baseAddress!, path: path,
                            c: pc.baseAddress!, ldc: columns)
                    }
                }
            }
            var found = [Int32]()
            for i in 0..<m { found += c[(i * columns)..<(i * columns + n)] }
            #expect(found == expected, "path \(path.name), \(m)x\(n)x\(k)")
            for i in 0..<m { #expect(c[(i * columns + n)..<((i + 1) * columns)].allSatisfy { $0 == 0 }) }
        }
    }

    @Test func quantizingRoundsHalfToEvenAndSaturates() {
        let x: [Float] = [0, 0.5, 1.5, 2.5, -0.5, 1000, -1000, .nan, 0.25, 0.75]
        var q = [UInt8](repeating: 9, count: x.count)
        x.withUnsafeBufferPointer { px in
            q.withUnsafeMutableBufferPointer {
                Int8Product.quantize(px.baseAddress!, count: x.count, scale: 0.5, zeroPoint: 10, into: $0.baseAddress!)
            }
        }
        // x / 0.5 rounded half to even, plus 10: 0.25 / 0.5 = 0.5 goes to 0, 0.75 / 0.5 = 1.5 to 2.
        #expect(q == [10, 11, 13, 15, 9, 255, 0, 0, 10, 12])
    }
}
