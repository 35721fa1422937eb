//! Argon2id, version 0x13, with one lane and neither secret nor associated
//! data (RFC 9106): the hash of our PHC strings (`m=19456,t=2,p=1`) inside
//! WebAssembly, around the SIMD compression function of [`super::block`].
//!
//! Why not the `argon2` crate there: its vector code is for x86-64 (AVX2)
//! only, so inside Wasm it runs its scalar code, and a login's hash took
//! 2.1-2.6x a native one (README "Benchmarks"). Natively the crate stays in
//! use (`super::argon2id_into`). The unit tests check this implementation
//! against the crate byte for byte, on the portable compression function.

use super::block::{compress, Block};
use blake2::digest::{Update, VariableOutput};
use blake2::{Blake2b512, Blake2bVar, Digest};

const VERSION: u32 = 0x13;
/// Argon2's type number of Argon2id.
const ARGON2ID: u32 = 2;
const SYNC_POINTS: usize = 4;
const ADDRESSES_IN_BLOCK: usize = 128;
/// At least 8 KiB a lane (RFC 9106, 3.1).
pub const MIN_M_KIB: u32 = 8;

/// Parameters outside what RFC 9106 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

/// Fills `out` (4 bytes or more) with the Argon2id tag of `password` and
/// `salt` (8 bytes or more) for `m_kib` KiB of memory and `t` passes, one lane.
pub fn hash_into(password: &[u8], salt: &[u8], m_kib: u32, t: u32, out: &mut [u8]) -> Result<(), Invalid> {
    if m_kib < MIN_M_KIB || t < 1 || out.len() < 4 || salt.len() < 8 || u32::try_from(out.len()).is_err() {
        return Err(Invalid);
    }
    let h0 = initial_hash(password, salt, m_kib, t, out.len() as u32);
    let memory = fill(&h0, m_kib, t);
    let last = memory.last().expect("a lane has at least 8 blocks");
    variable_hash(out, &[&last.to_le_bytes()]);
    Ok(())
}

/// H0: BLAKE2b-512 over the parameters and the inputs (RFC 9106, 3.2).
fn initial_hash(password: &[u8], salt: &[u8], m_kib: u32, t: u32, out_len: u32) -> [u8; 64] {
    let mut h = Blake2b512::new();
    for value in [1, out_len, m_kib, t, VERSION, ARGON2ID] {
        Digest::update(&mut h, value.to_le_bytes());
    }
    for input in [password, salt, &[], &[]] {
        Digest::update(&mut h, (input.len() as u32).to_le_bytes());
        Digest::update(&mut h, input);
    }
    h.finalize().into()
}

/// H': BLAKE2b with an output of any length (RFC 9106, 3.3) over the
/// concatenated `inputs`.
fn variable_hash(out: &mut [u8], inputs: &[&[u8]]) {
    let len = (out.len() as u32).to_le_bytes();
    if out.len() <= 64 {
        let mut h = Blake2bVar::new(out.len()).expect("1..=64 bytes");
        h.update(&len);
        inputs.iter().for_each(|input| h.update(input));
        h.finalize_variable(out).expect("the size given to new");
        return;
    }
    let mut h = Blake2b512::new();
    Digest::update(&mut h, len);
    inputs.iter().for_each(|input| Digest::update(&mut h, input));
    let mut v: [u8; 64] = h.finalize().into();
    out[..32].copy_from_slice(&v[..32]);
    let mut at = 32;
    while out.len() - at > 64 {
        v = Blake2b512::digest(v).into();
        out[at..at + 32].copy_from_slice(&v[..32]);
        at += 32;
    }
    let mut h = Blake2bVar::new(out.len() - at).expect("33..=64 bytes");
    h.update(&v);
    h.finalize_variable(&mut out[at..]).expect("the size given to new");
}

/// The lane of `m_kib` blocks (rounded down to a multiple of four) after
/// `t` passes (RFC 9106, 3.4).
fn fill(h0: &[u8; 64], m_kib: u32, t: u32) -> Vec<Block> {
    let lane = m_kib as usize / SYNC_POINTS * SYNC_POINTS;
    let segment = lane / SYNC_POINTS;
    // Each block is pushed as pass 0 computes it (it only refers to
    // blocks before it): no pass over the memory to zero it first.
    let mut memory: Vec<Block> = Vec::with_capacity(lane);
    let mut bytes = [0u8; Block::BYTES];
    for i in 0u32..2 {
        variable_hash(&mut bytes, &[h0, &i.to_le_bytes(), &0u32.to_le_bytes()]);
        memory.push(Block::from_le_bytes(&bytes));
    }
    let mut addresses = Addresses::new(lane, t);
    for pass in 0..t as usize {
        for slice in 0..SYNC_POINTS {
            // Argon2id: the first half of the first pass is addressed
            // independently of the data (Argon2i), the rest by it (Argon2d).
            let independent = pass == 0 && slice < SYNC_POINTS / 2;
            let first = if pass == 0 && slice == 0 { 2 } else { 0 };
            if independent {
                addresses.start(pass, slice, first);
            }
            for index in first..segment {
                let current = slice * segment + index;
                let previous = if current == 0 { lane - 1 } else { current - 1 };
                let pseudo_random = if independent { addresses.at(index) } else { memory[previous].0[0] };
                let reference = reference_index(pass, slice, index, segment, lane, pseudo_random as u32);
                if pass == 0 {
                    memory.push(Block::ZERO);
                }
                let (next, previous, reference) = three(&mut memory, current, previous, reference);
                compress(previous, reference, next, pass > 0);
            }
        }
    }
    memory
}

/// The block at `current` to write and the two it is computed from, which
/// the reference set never makes the same block as `current`.
fn three(memory: &mut [Block], current: usize, previous: usize, reference: usize) -> (&mut Block, &Block, &Block) {
    assert!(previous != current && reference != current, "Argon2 never refers to the block it computes");
    let (before, rest) = memory.split_at_mut(current);
    let (next, after) = rest.split_first_mut().expect("current is within the lane");
    let at = |i: usize| if i < current { &before[i] } else { &after[i - current - 1] };
    (next, at(previous), at(reference))
}

/// The position in the lane a block refers to, from the low 32 bits of its
/// pseudo-random value (RFC 9106, 3.4.1.2; one lane, so always this one).
fn reference_index(pass: usize, slice: usize, index: usize, segment: usize, lane: usize, j1: u32) -> usize {
    let area = if pass == 0 { slice * segment + index - 1 } else { lane - segment + index - 1 } as u64;
    let x = (j1 as u64 * j1 as u64) >> 32;
    let relative = area - 1 - ((area * x) >> 32);
    let start = if pass == 0 || slice == SYNC_POINTS - 1 { 0 } else { (slice + 1) * segment } as u64;
    ((start + relative) % lane as u64) as usize
}

/// The data-independent pseudo-random values: blocks of 128 computed as
/// `G(0, G(0, input))` with a counter in the input block.
struct Addresses {
    input: Block,
    block: Block,
}

impl Addresses {
    fn new(lane: usize, t: u32) -> Addresses {
        let mut input = Block::ZERO;
        input.0[3] = lane as u64;
        input.0[4] = t as u64;
        input.0[5] = ARGON2ID as u64;
        Addresses { input, block: Block::ZERO }
    }

    /// A new segment, whose first index is `first`.
    fn start(&mut self, pass: usize, slice: usize, first: usize) {
        self.input.0[0] = pass as u64;
        self.input.0[1] = 0; // the lane
        self.input.0[2] = slice as u64;
        self.input.0[6] = 0;
        if first % ADDRESSES_IN_BLOCK != 0 {
            self.next();
        }
    }

    fn at(&mut self, index: usize) -> u64 {
        if index % ADDRESSES_IN_BLOCK == 0 {
            self.next();
        }
        self.block.0[index % ADDRESSES_IN_BLOCK]
    }

    fn next(&mut self) {
        self.input.0[6] += 1;
        let mut once = Block::ZERO;
        compress(&Block::ZERO, &self.input, &mut once, false);
        compress(&Block::ZERO, &once, &mut self.block, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{Algorithm, Argon2, Params, Version};

    fn reference(password: &[u8], salt: &[u8], m_kib: u32, t: u32, len: usize) -> Vec<u8> {
        let params = Params::new(m_kib, t, 1, Some(len)).unwrap();
        let mut out = vec![0; len];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(password, salt, &mut out).unwrap();
        out
    }

    fn ours(password: &[u8], salt: &[u8], m_kib: u32, t: u32, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        hash_into(password, salt, m_kib, t, &mut out).unwrap();
        out
    }

    #[test]
    fn matches_the_argon2_crate_at_our_parameters() {
        let (password, salt) = (b"correct horse battery staple".as_slice(), b"0123456789abcdef".as_slice());
        assert_eq!(ours(password, salt, 19_456, 2, 32), reference(password, salt, 19_456, 2, 32));
    }

    #[test]
    fn matches_the_argon2_crate_across_sizes_passes_and_lengths() {
        // Memory not a multiple of four, more than one address block per
        // segment, one and three passes, tags shorter and longer than 64.
        for (m_kib, t, len) in [(8, 1, 32), (9, 3, 4), (64, 1, 64), (515, 2, 65), (1024, 3, 97), (2050, 1, 1024), (600, 4, 16)] {
            for (password, salt) in [(b"".as_slice(), b"saltsalt".as_slice()), ("密码 pass".as_bytes(), b"a longer salt of 32 bytes.......".as_slice())] {
                assert_eq!(ours(password, salt, m_kib, t, len), reference(password, salt, m_kib, t, len), "m={m_kib} t={t} len={len}");
            }
        }
    }

    #[test]
    fn the_rfc_9106_shapes_refuse_what_argon2_does_not_allow() {
        let mut out = [0u8; 32];
        assert_eq!(hash_into(b"pw", b"saltsalt", 7, 1, &mut out), Err(Invalid));
        assert_eq!(hash_into(b"pw", b"saltsalt", 8, 0, &mut out), Err(Invalid));
        assert_eq!(hash_into(b"pw", b"short", 8, 1, &mut out), Err(Invalid));
        assert_eq!(hash_into(b"pw", b"saltsalt", 8, 1, &mut out[..3]), Err(Invalid));
    }

    #[test]
    fn the_reference_set_never_is_the_block_being_computed() {
        let (segment, lane) = (16, 64);
        for pass in 0..2 {
            for slice in 0..SYNC_POINTS {
                for index in (if pass == 0 && slice == 0 { 2 } else { 0 })..segment {
                    for j1 in [0, 1, u32::MAX / 3, u32::MAX / 2, u32::MAX - 1, u32::MAX] {
                        let current = slice * segment + index;
                        let r = reference_index(pass, slice, index, segment, lane, j1);
                        assert!(r < lane && r != current && r != (current + lane - 1) % lane, "pass {pass} slice {slice} index {index}: {r}");
                    }
                }
            }
        }
    }
}
