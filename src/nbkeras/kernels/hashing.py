"""String hashes of TensorFlow's ``to_hash_bucket_fast`` and ``to_hash_bucket_strong``, which
Keras' Hashing and IntegerLookup layers use: FarmHash's 64-bit fingerprint (``farmhashna``'s
Hash64) and SipHash-2-4 with a 128-bit key.

Every string of a batch lives in one byte buffer, string i being ``data[starts[i]:ends[i]]``;
the kernels write one uint64 hash per string. All arithmetic is on uint64 and wraps modulo
2^64, as the C++ originals do: every constant is a ``np.uint64``, because Numba computes a mix
of int64 and uint64 in float64 (a test reads the machine code for any integer-to-float
conversion).
"""

import numpy as np

from nbkeras.kernels._jit import kernel

U = np.uint64
K0 = U(0xC3A5C85C97CB3127)
K1 = U(0xB492B66FBE98F273)
K2 = U(0x9AE16A3B2F90404F)
SIP_CONSTANTS = (U(0x736F6D6570736575), U(0x646F72616E646F6D), U(0x6C7967656E657261),
                 U(0x7465646279746573))


@kernel(integer=True)
def _rotate_right(value, shift):
    return (value >> U(shift)) | (value << U(64 - shift))


@kernel(integer=True)
def _rotate_left(value, shift):
    return (value << U(shift)) | (value >> U(64 - shift))


@kernel(integer=True)
def _fetch64(data, i):
    """The little-endian uint64 at byte ``i``."""
    result = U(0)
    for k in range(8):
        result |= U(data[i + k]) << U(8 * k)
    return result


@kernel(integer=True)
def _fetch32(data, i):
    result = U(0)
    for k in range(4):
        result |= U(data[i + k]) << U(8 * k)
    return result


@kernel(integer=True)
def _shift_mix(value):
    return value ^ (value >> U(47))


@kernel(integer=True)
def _hash_len16(u, v, mul):
    a = (u ^ v) * mul
    a ^= a >> U(47)
    b = (v ^ a) * mul
    b ^= b >> U(47)
    return b * mul


@kernel(integer=True)
def _weak_hash_len32_with_seeds(data, i, a, b):
    w, x, y, z = _fetch64(data, i), _fetch64(data, i + 8), _fetch64(data, i + 16), \
        _fetch64(data, i + 24)
    a += w
    b = _rotate_right(b + a + z, 21)
    c = a
    a += x
    a += y
    b += _rotate_right(a, 44)
    return a + z, b + c


@kernel(integer=True)
def _farmhash_short(data, s, length):
    """FarmHash Hash64 of the ``length`` <= 64 bytes at ``s``."""
    n = U(length)
    mul = K2 + n * U(2)
    if length > 32:
        a = _fetch64(data, s) * K2
        b = _fetch64(data, s + 8)
        c = _fetch64(data, s + length - 8) * mul
        d = _fetch64(data, s + length - 16) * K2
        y = _rotate_right(a + b, 43) + _rotate_right(c, 30) + d
        z = _hash_len16(y, a + _rotate_right(b + K2, 18) + c, mul)
        e = _fetch64(data, s + 16) * mul
        f = _fetch64(data, s + 24)
        g = (y + _fetch64(data, s + length - 32)) * mul
        h = (z + _fetch64(data, s + length - 24)) * mul
        return _hash_len16(_rotate_right(e + f, 43) + _rotate_right(g, 30) + h,
                           e + _rotate_right(f + a, 18) + g, mul)
    if length > 16:
        a = _fetch64(data, s) * K1
        b = _fetch64(data, s + 8)
        c = _fetch64(data, s + length - 8) * mul
        d = _fetch64(data, s + length - 16) * K2
        return _hash_len16(_rotate_right(a + b, 43) + _rotate_right(c, 30) + d,
                           a + _rotate_right(b + K2, 18) + c, mul)
    if length >= 8:
        a = _fetch64(data, s) + K2
        b = _fetch64(data, s + length - 8)
        c = _rotate_right(b, 37) * mul + a
        d = (_rotate_right(a, 25) + b) * mul
        return _hash_len16(c, d, mul)
    if length >= 4:
        a = _fetch32(data, s)
        return _hash_len16(n + (a << U(3)), _fetch32(data, s + length - 4), mul)
    if length > 0:
        y = U(data[s]) + (U(data[s + (length >> 1)]) << U(8))
        z = n + (U(data[s + length - 1]) << U(2))
        return _shift_mix((y * K2) ^ (z * K0)) * K2
    return K2


@kernel(integer=True)
def farmhash64(data, starts, ends, out):
    """out[i] = FarmHash Fingerprint64 of data[starts[i]:ends[i]] (TensorFlow's
    ``Fingerprint64``)."""
    for i in range(starts.shape[0]):
        s = starts[i]
        length = ends[i] - s
        if length <= 64:
            out[i] = _farmhash_short(data, s, length)
            continue
        # Longer strings: 64-byte blocks through a 56-byte state, then the last 64 bytes.
        seed = U(81)
        x = seed
        y = seed * K1 + U(113)
        z = _shift_mix(y * K2 + U(113)) * K2
        v0, v1, w0, w1 = U(0), U(0), U(0), U(0)
        x = x * K2 + _fetch64(data, s)
        end = s + ((length - 1) // 64) * 64
        last64 = end + ((length - 1) & 63) - 63
        p = s
        while True:
            x = _rotate_right(x + y + v0 + _fetch64(data, p + 8), 37) * K1
            y = _rotate_right(y + v1 + _fetch64(data, p + 48), 42) * K1
            x ^= w1
            y += v0 + _fetch64(data, p + 40)
            z = _rotate_right(z + w0, 33) * K1
            v0, v1 = _weak_hash_len32_with_seeds(data, p, v1 * K1, x + w0)
            w0, w1 = _weak_hash_len32_with_seeds(data, p + 32, z + w1,
                                                 y + _fetch64(data, p + 16))
            x, z = z, x
            p += 64
            if p == end:
                break
        mul = K1 + ((z & U(0xFF)) << U(1))
        p = last64
        w0 += U((length - 1) & 63)
        v0 += w0
        w0 += v0
        x = _rotate_right(x + y + v0 + _fetch64(data, p + 8), 37) * mul
        y = _rotate_right(y + v1 + _fetch64(data, p + 48), 42) * mul
        x ^= w1 * U(9)
        y += v0 * U(9) + _fetch64(data, p + 40)
        z = _rotate_right(z + w0, 33) * mul
        v0, v1 = _weak_hash_len32_with_seeds(data, p, v1 * mul, x + w0)
        w0, w1 = _weak_hash_len32_with_seeds(data, p + 32, z + w1, y + _fetch64(data, p + 16))
        x, z = z, x
        out[i] = _hash_len16(_hash_len16(v0, w0, mul) + _shift_mix(y) * K0 + z,
                             _hash_len16(v1, w1, mul) + x, mul)


@kernel(integer=True)
def siphash24(data, starts, ends, key0, key1, out):
    """out[i] = SipHash-2-4 of data[starts[i]:ends[i]] under the key (key0, key1)
    (TensorFlow's ``StrongKeyedHash``)."""
    c0, c1, c2, c3 = SIP_CONSTANTS
    for i in range(starts.shape[0]):
        v0, v1, v2, v3 = key0 ^ c0, key1 ^ c1, key0 ^ c2, key1 ^ c3
        s = starts[i]
        length = ends[i] - s
        blocks = length // 8
        for b in range(blocks + 1):
            if b < blocks:
                m = _fetch64(data, s + 8 * b)
            else:  # the last block: the remaining bytes, the length in the top byte
                m = U(length & 0xFF) << U(56)
                for k in range(length - 8 * blocks):
                    m |= U(data[s + 8 * blocks + k]) << U(8 * k)
            v3 ^= m
            for _ in range(2):
                v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
            v0 ^= m
        v2 ^= U(0xFF)
        for _ in range(4):
            v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        out[i] = v0 ^ v1 ^ v2 ^ v3


@kernel(integer=True)
def _sip_round(v0, v1, v2, v3):
    v0 += v1
    v1 = _rotate_left(v1, 13)
    v1 ^= v0
    v0 = _rotate_left(v0, 32)
    v2 += v3
    v3 = _rotate_left(v3, 16)
    v3 ^= v2
    v0 += v3
    v3 = _rotate_left(v3, 21)
    v3 ^= v0
    v2 += v1
    v1 = _rotate_left(v1, 17)
    v1 ^= v2
    v2 = _rotate_left(v2, 32)
    return v0, v1, v2, v3


def _byte_buffer(strings):
    """One uint8 buffer holding every string's UTF-8 bytes, and each string's start and end."""
    encoded = [s if isinstance(s, bytes) else str(s).encode("utf-8") for s in strings]
    lengths = np.fromiter((len(b) for b in encoded), np.int64, len(encoded))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    data = np.frombuffer(b"".join(encoded) + b"\0", np.uint8)  # never empty
    return data, starts, ends


def fingerprint64(strings):
    """FarmHash Fingerprint64 of each string (str or bytes), as uint64."""
    data, starts, ends = _byte_buffer(strings)
    out = np.empty(len(starts), np.uint64)
    farmhash64(data, starts, ends, out)
    return out


def strong_hash(strings, key):
    """SipHash-2-4 of each string under ``key`` = (k0, k1), as uint64."""
    data, starts, ends = _byte_buffer(strings)
    out = np.empty(len(starts), np.uint64)
    siphash24(data, starts, ends, U(key[0]), U(key[1]), out)
    return out


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    data, starts, ends = _byte_buffer(["a", "abcdefghij" * 8])
    out = np.empty(2, np.uint64)
    u, block = U(3), np.zeros(32, np.uint8)
    return {"farmhash64": (data, starts, ends, out),
            "siphash24": (data, starts, ends, U(1), U(2), out),
            "_rotate_right": (u, 5), "_rotate_left": (u, 5), "_fetch64": (block, 0),
            "_fetch32": (block, 0), "_shift_mix": (u,), "_hash_len16": (u, u, u),
            "_weak_hash_len32_with_seeds": (block, 0, u, u), "_farmhash_short": (block, 0, 20),
            "_sip_round": (u, u, u, u)}
