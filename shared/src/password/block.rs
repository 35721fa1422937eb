//! Argon2's 1 KiB memory block and its compression function G (RFC 9106,
//! section 3.5): `R = X ^ Y`, the permutation P over R's eight rows and then
//! its eight columns of 16-byte registers, and `Z ^ R`.
//!
//! Two implementations of one function. Inside WebAssembly with `simd128`
//! and `relaxed-simd` (how the components are built: `.cargo/config.toml`),
//! each 16-byte register is a `v128` and P runs two of Argon2's 64-bit words
//! per instruction. Elsewhere, the portable one on `u64`s; the unit tests run it
//! natively against the `argon2` crate, and the integration tests check the
//! SIMD one through the real components against hashes the crate made.

/// One memory block: 128 little-endian 64-bit words.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub struct Block(pub [u64; 128]);

impl Block {
    pub const ZERO: Block = Block([0; 128]);
    pub const BYTES: usize = 1024;

    pub fn from_le_bytes(bytes: &[u8; Self::BYTES]) -> Block {
        let mut block = Block::ZERO;
        for (word, chunk) in block.0.iter_mut().zip(bytes.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8"));
        }
        block
    }

    pub fn to_le_bytes(&self) -> [u8; Self::BYTES] {
        let mut bytes = [0; Self::BYTES];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }
}

/// `compress(x, y, out, xor)`: `out = G(x, y)`, or `out ^= G(x, y)` when
/// `xor` (the later passes of version 0x13).
pub use imp::compress;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd")))]
mod imp {
    use super::Block;

    pub fn compress(x: &Block, y: &Block, out: &mut Block, xor: bool) {
        let mut r = [0u64; 128];
        for (r, (x, y)) in r.iter_mut().zip(x.0.iter().zip(&y.0)) {
            *r = x ^ y;
        }
        let mut q = r;
        for row in 0..8 {
            // Row `row`: registers 8row..8row+8, words 16row..16row+16.
            permute(&mut q, std::array::from_fn(|k| 16 * row + k));
        }
        for column in 0..8 {
            // Column `column`: registers column + 8i, each two words.
            permute(&mut q, std::array::from_fn(|k| 2 * column + 16 * (k / 2) + k % 2));
        }
        for (out, (q, r)) in out.0.iter_mut().zip(q.iter().zip(&r)) {
            *out = if xor { *out ^ q ^ r } else { q ^ r };
        }
    }

    /// P on the sixteen words of `q` at `at`, a 4x4 matrix row by row. The
    /// words are copied into sixteen locals and every index below is a
    /// constant, so the compiler keeps them in registers.
    #[inline(always)]
    fn permute(q: &mut [u64; 128], at: [usize; 16]) {
        let mut v = at.map(|i| q[i]);
        gb(&mut v, 0, 4, 8, 12);
        gb(&mut v, 1, 5, 9, 13);
        gb(&mut v, 2, 6, 10, 14);
        gb(&mut v, 3, 7, 11, 15);
        gb(&mut v, 0, 5, 10, 15);
        gb(&mut v, 1, 6, 11, 12);
        gb(&mut v, 2, 7, 8, 13);
        gb(&mut v, 3, 4, 9, 14);
        for (word, i) in v.into_iter().zip(at) {
            q[i] = word;
        }
    }

    #[inline(always)]
    fn gb(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize) {
        v[a] = blamka(v[a], v[b]);
        v[d] = (v[d] ^ v[a]).rotate_right(32);
        v[c] = blamka(v[c], v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(24);
        v[a] = blamka(v[a], v[b]);
        v[d] = (v[d] ^ v[a]).rotate_right(16);
        v[c] = blamka(v[c], v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(63);
    }

    /// BlaMka's addition: `x + y + 2 * lo32(x) * lo32(y)`, modulo 2^64.
    #[inline(always)]
    fn blamka(x: u64, y: u64) -> u64 {
        let product = (x & 0xffff_ffff) * (y & 0xffff_ffff);
        x.wrapping_add(y).wrapping_add(product.wrapping_mul(2))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
mod imp {
    use super::Block;
    use core::arch::wasm32::*;

    pub fn compress(x: &Block, y: &Block, out: &mut Block, xor: bool) {
        let (xs, ys) = (x.0.as_ptr() as *const v128, y.0.as_ptr() as *const v128);
        let mut r = [u64x2_splat(0); 64];
        for (i, r) in r.iter_mut().enumerate() {
            // SAFETY: a block is 64 registers of 16 bytes, aligned to 64.
            *r = unsafe { v128_xor(v128_load(xs.add(i)), v128_load(ys.add(i))) };
        }
        let mut q = r;
        for row in 0..8 {
            round(&mut q, std::array::from_fn(|k| 8 * row + k));
        }
        for column in 0..8 {
            round(&mut q, std::array::from_fn(|k| column + 8 * k));
        }
        let os = out.0.as_mut_ptr() as *mut v128;
        for (i, (q, r)) in q.iter().zip(&r).enumerate() {
            // SAFETY: as above, and `out` is borrowed mutably.
            unsafe {
                let z = v128_xor(*q, *r);
                let z = if xor { v128_xor(z, v128_load(os.add(i))) } else { z };
                v128_store(os.add(i), z);
            }
        }
    }

    /// P on the eight registers of `q` at `at`: words v0..v15 as the 4x4
    /// matrix of RFC 9106, rows (a0 a1) (b0 b1) (c0 c1) (d0 d1), two words
    /// a register. The columns first, then the diagonals after rotating
    /// rows b, c and d by one, two and three words.
    #[inline(always)]
    fn round(q: &mut [v128; 64], at: [usize; 8]) {
        let [mut a0, mut a1, mut b0, mut b1, mut c0, mut c1, mut d0, mut d1] = at.map(|i| q[i]);
        g(&mut a0, &mut b0, &mut c0, &mut d0);
        g(&mut a1, &mut b1, &mut c1, &mut d1);
        // (v5 v6) (v7 v4), (v10 v11) (v8 v9), (v15 v12) (v13 v14).
        let (mut e0, mut e1) = (i64x2_shuffle::<1, 2>(b0, b1), i64x2_shuffle::<1, 2>(b1, b0));
        let (mut f0, mut f1) = (c1, c0);
        let (mut h0, mut h1) = (i64x2_shuffle::<1, 2>(d1, d0), i64x2_shuffle::<1, 2>(d0, d1));
        g(&mut a0, &mut e0, &mut f0, &mut h0);
        g(&mut a1, &mut e1, &mut f1, &mut h1);
        (b0, b1) = (i64x2_shuffle::<1, 2>(e1, e0), i64x2_shuffle::<1, 2>(e0, e1));
        (c0, c1) = (f1, f0);
        (d0, d1) = (i64x2_shuffle::<1, 2>(h0, h1), i64x2_shuffle::<1, 2>(h1, h0));
        for (i, v) in at.into_iter().zip([a0, a1, b0, b1, c0, c1, d0, d1]) {
            q[i] = v;
        }
    }

    /// GB on two columns at once.
    #[inline(always)]
    fn g(a: &mut v128, b: &mut v128, c: &mut v128, d: &mut v128) {
        *a = blamka(*a, *b);
        *d = i32x4_shuffle::<1, 0, 3, 2>(v128_xor(*d, *a), v128_xor(*d, *a));
        *c = blamka(*c, *d);
        *b = i8x16_relaxed_swizzle(v128_xor(*b, *c), ROTATE_24);
        *a = blamka(*a, *b);
        *d = i8x16_relaxed_swizzle(v128_xor(*d, *a), ROTATE_16);
        *c = blamka(*c, *d);
        let x = v128_xor(*b, *c);
        *b = v128_or(i64x2_add(x, x), u64x2_shr(x, 63));
    }

    // Byte shuffles, each one `pshufb` on x86-64 (one `tbl` on Arm). Every
    // index is below 16, where the relaxed swizzle is the exact swizzle on
    // every engine (its result is implementation-defined only for indices of
    // 16 and more); the exact `i8x16.swizzle` costs a saturating add more, and
    // `i8x16.shuffle` of a register with itself compiled to two `pshufb` and a
    // `por`.

    /// Each word rotated right by 24 bits.
    const ROTATE_24: v128 = u8x16(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    /// Each word rotated right by 16 bits.
    const ROTATE_16: v128 = u8x16(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    /// The two words' low halves as the first two 32-bit lanes (and again
    /// as the last two). LLVM cannot see through the relaxed swizzle; through
    /// a constant shuffle it proves the lanes are `x & 0xffffffff`, drops
    /// `extmul` and emits a full 64-bit `i64x2.mul`, which engines on x86-64
    /// expand to three `pmuludq` and five more instructions.
    const LOW_HALVES: v128 = u8x16(0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);

    /// BlaMka's addition on both words: `x + y + 2 * lo32(x) * lo32(y)`.
    #[inline(always)]
    fn blamka(x: v128, y: v128) -> v128 {
        let product = u64x2_extmul_low_u32x4(i8x16_relaxed_swizzle(x, LOW_HALVES), i8x16_relaxed_swizzle(y, LOW_HALVES));
        i64x2_add(i64x2_add(x, y), i64x2_add(product, product))
    }
}
