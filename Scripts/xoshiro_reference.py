#!/usr/bin/env python3
"""Independent reference for NumericCore.SeededGenerator: SplitMix64 seeding then
xoshiro256**. Prints the first values for a seed (default 0); the unit tests pin them."""
import sys
M = (1 << 64) - 1

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def generator(seed):
    m, s = seed, []
    for _ in range(4):
        m = (m + 0x9E3779B97F4A7C15) & M
        z = ((m ^ (m >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        s.append(z ^ (z >> 31))
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
        yield result

if __name__ == "__main__":
    g = generator(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    for _ in range(4):
        print(hex(next(g)))
