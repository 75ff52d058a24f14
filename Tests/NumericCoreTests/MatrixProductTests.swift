import NumericCore
import Testing
import _TestSupport

@Suite(.timeLimit(.minutes(10))) struct MatrixProductTests {
    @Test(arguments: [
        (1, 1, 1), (3, 5, 7), (32, 128, 784), (17, 10, 64), (64, 33, 5), (2, 300, 1), (13, 70, 9), (25, 32, 0),
        (29, 37, 2500),
    ])
    func agreesWithThePlainLoopsInAllFourForms(m: Int, n: Int, k: Int) {
        for backend in [
            MatrixProduct.Backend.kernels, .kernelsAtLevel(0), .kernelsAtLevel(1), .kernelsAtLevel(2), .blas,
        ] {
            compare(backend: backend, m: m, n: n, k: k)
        }
    }

    func compare(backend: MatrixProduct.Backend, m: Int, n: Int, k: Int) {
        var generator = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = (0..<(m * k)).map { _ in generator.nextFloat(in: -1, 1) }
            let b = (0..<(k * n)).map { _ in generator.nextFloat(in: -1, 1) }
            let c0 = (0..<(m * n)).map { _ in generator.nextFloat(in: -1, 1) }
            let lda = transposeA ? m : k
            let ldb = transposeB ? k : n
            var expected = c0
            ReferenceKernels.multiply(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                a: a, lda: lda, b: b, ldb: ldb, beta: 2, c: &expected, ldc: n)
            var actual = c0
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    actual.withUnsafeMutableBufferPointer { pc in
                        MatrixProduct.multiply(
                            backend: backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: 0.5,
                            a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: 2, c: pc.baseAddress!,
                            ldc: n)
                    }
                }
            }
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(
                worst <= 1e-4 * Float(k).squareRoot() + 1e-5,
                "\(backend) transposeA \(transposeA), transposeB \(transposeB): error \(worst)")
        }
    }

    @Test func matrixResizeKeepsCapacityAndGrowsWhenNeeded() {
        let m = Matrix(rows: 4, columns: 4)
        let original = m.pointer
        m.resize(rows: 2, columns: 8)
        #expect(m.pointer == original && m.count == 16)
        m.resize(rows: 5, columns: 5)
        #expect(m.capacity == 25 && m.rows == 5)
    }

    @Test func normalSamplesHaveUnitSpread() {
        var generator = SeededGenerator(seed: 11)
        let samples = (0..<50_000).map { _ in Double(generator.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.03)
    }
}
