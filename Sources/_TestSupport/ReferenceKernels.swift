/// Plain-loop twins of the fast kernels, for tests to compare against.
public enum ReferenceKernels {
    /// C = alpha * op(A) * op(B) + beta * C, row-major, computed with three loops in Double.
    public static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float = 0, c: inout [Float], ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                c[i * ldc + j] = Float(Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
            }
        }
    }

    /// The 8-bit product: `c[i·n + j] = Σ_p a[i·k + p] · w[p·n + j]` in integers (`Int8Product`'s twin).
    public static func int8Product(m: Int, n: Int, k: Int, a: [UInt8], w: [Int8]) -> [Int32] {
        var c = [Int32](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Int32 = 0
                for p in 0..<k { sum += Int32(a[i * k + p]) * Int32(w[p * n + j]) }
                c[i * n + j] = sum
            }
        }
        return c
    }
}

/// Plain-loop twins of the image layers, written from the definitions with no im2col and no
/// shared code, to compare the fast paths with. Images are NHWC, flat.
public enum ReferenceImageLayers {
    /// Direct convolution: for every output pixel and filter, the sum over the window.
    public static func convolution(
        _ input: [Float], batch: Int, height: Int, width: Int, channels: Int, kernel: [Float], bias: [Float],
        filters: Int,
        kernelSize k: Int, stride: Int, same: Bool
    ) -> (output: [Float], height: Int, width: Int) {
        let outH = same ? (height + stride - 1) / stride : (height - k) / stride + 1
        let outW = same ? (width + stride - 1) / stride : (width - k) / stride + 1
        let padTop = same ? max(0, (outH - 1) * stride + k - height) / 2 : 0
        let padLeft = same ? max(0, (outW - 1) * stride + k - width) / 2 : 0
        var output = [Float](repeating: 0, count: batch * outH * outW * filters)
        for b in 0..<batch {
            for y in 0..<outH {
                for x in 0..<outW {
                    for o in 0..<filters {
                        var sum = Double(bias[o])
                        for i in 0..<k {
                            for j in 0..<k {
                                let sy = y * stride + i - padTop
                                let sx = x * stride + j - padLeft
                                guard sy >= 0, sy < height, sx >= 0, sx < width else { continue }
                                for c in 0..<channels {
                                    sum +=
                                        Double(input[((b * height + sy) * width + sx) * channels + c])
                                        * Double(kernel[((i * k + j) * channels + c) * filters + o])
                                }
                            }
                        }
                        output[((b * outH + y) * outW + x) * filters + o] = Float(sum)
                    }
                }
            }
        }
        return (output, outH, outW)
    }

    /// The gradients of `convolution` (stride 1) from the output gradient `dy`, by the
    /// definition: dKernel[i, j, c, o] = Σ input[b, y + i − p, x + j − p, c] · dy[b, y, x, o]
    /// and dInput the same products scattered back, in Double.
    public static func convolutionGradients(
        _ input: [Float], outputGradient dy: [Float], batch: Int, height: Int, width: Int, channels: Int,
        kernel: [Float], filters: Int, kernelSize k: Int, same: Bool
    ) -> (kernel: [Float], input: [Float]) {
        let outH = same ? height : height - k + 1
        let outW = same ? width : width - k + 1
        let padTop = same ? (k - 1) / 2 : 0
        let padLeft = same ? (k - 1) / 2 : 0
        var dKernel = [Double](repeating: 0, count: k * k * channels * filters)
        var dInput = [Double](repeating: 0, count: batch * height * width * channels)
        for b in 0..<batch {
            for y in 0..<outH {
                for x in 0..<outW {
                    for i in 0..<k {
                        for j in 0..<k {
                            let sy = y + i - padTop
                            let sx = x + j - padLeft
                            guard sy >= 0, sy < height, sx >= 0, sx < width else { continue }
                            for c in 0..<channels {
                                let pixel = ((b * height + sy) * width + sx) * channels + c
                                for o in 0..<filters {
                                    let g = Double(dy[((b * outH + y) * outW + x) * filters + o])
                                    let w = ((i * k + j) * channels + c) * filters + o
                                    dKernel[w] += Double(input[pixel]) * g
                                    dInput[pixel] += Double(kernel[w]) * g
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dKernel.map { Float($0) }, dInput.map { Float($0) })
    }

    /// Valid max or average pooling with square windows.
    public static func pool(
        _ input: [Float], batch: Int, height: Int, width: Int, channels: Int, size: Int, stride: Int, max useMax: Bool
    ) -> [Float] {
        let outH = (height - size) / stride + 1
        let outW = (width - size) / stride + 1
        var output = [Float]()
        for b in 0..<batch {
            for y in 0..<outH {
                for x in 0..<outW {
                    for c in 0..<channels {
                        var values = [Float]()
                        for i in 0..<size {
                            for j in 0..<size {
                                values.append(
                                    input[((b * height + y * stride + i) * width + x * stride + j) * channels + c])
                            }
                        }
                        output.append(useMax ? values.max() ?? 0 : values.reduce(0, +) / Float(values.count))
                    }
                }
            }
        }
        return output
    }
}
