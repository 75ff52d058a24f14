import Foundation

/// MD5 (RFC 1321), used only to check downloaded and installed files against the checksums
/// their publishers list. It is not used for anything that needs a secure hash.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    /// The hex digest of `bytes` in one call.
    public static func hex(of bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalizeHex()
    }

    public mutating func update(_ bytes: [UInt8]) {
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBufferPointer { process($0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        bytes.withUnsafeBufferPointer { buffer in
            while offset + 64 <= buffer.count {
                process(buffer.baseAddress! + offset)
                offset += 64
            }
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    public mutating func finalizeHex() -> String {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        while (pending.count + tail.count) % 64 != 56 { tail.append(0) }
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        let savedLength = length
        update(tail)
        length = savedLength
        let words = [state.0, state.1, state.2, state.3]
        var hex = ""
        for word in words {
            for i in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))
                hex += String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return hex
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// K[i] = floor(abs(sin(i + 1)) * 2^32), as the RFC tabulates.
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    private mutating func process(_ block: UnsafePointer<UInt8>) {
        // The 16 message words on the stack: this runs once per 64 bytes of a 47 MB file.
        state = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<16 {
                m[i] =
                    UInt32(block[4 * i]) | UInt32(block[4 * i + 1]) << 8
                    | UInt32(block[4 * i + 2]) << 16 | UInt32(block[4 * i + 3]) << 24
            }
            var (a, b, c, d) = state
            MD5.constants.withUnsafeBufferPointer { k in
                MD5.shifts.withUnsafeBufferPointer { shifts in
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i {
                        case 0..<16:
                            f = (b & c) | (~b & d)
                            g = i
                        case 16..<32:
                            f = (d & b) | (~d & c)
                            g = (5 * i + 1) % 16
                        case 32..<48:
                            f = b ^ c ^ d
                            g = (3 * i + 5) % 16
                        default:
                            f = c ^ (b | ~d)
                            g = (7 * i) % 16
                        }
                        f = f &+ a &+ k[i] &+ m[g]
                        a = d
                        d = c
                        c = b
                        let s = shifts[i]
                        b = b &+ ((f << s) | (f >> (32 - s)))
                    }
                }
            }
            return (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
    }
}
