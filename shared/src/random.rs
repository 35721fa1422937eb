//! Randomness is passed in, like time: tokens, codes and request ids come
//! from a [`Random`], which tests can replace with a deterministic one.

pub trait Random {
    fn fill(&self, buf: &mut [u8]);

    /// `n` random bytes as lowercase hex.
    fn hex(&self, n: usize) -> String {
        let mut buf = vec![0u8; n];
        self.fill(&mut buf);
        buf.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The operating system's CSPRNG (WASI `random` inside a component).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // The OS generator failing is not recoverable: no token may be made.
        getrandom::fill(buf).expect("the platform's random source failed");
    }
}

/// A deterministic sequence for tests (a counter through SplitMix64).
#[derive(Debug, Default)]
pub struct SeqRandom(std::cell::Cell<u64>);

impl SeqRandom {
    pub fn new(seed: u64) -> Self {
        SeqRandom(std::cell::Cell::new(seed))
    }
}

impl Random for SeqRandom {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let mut z = self.0.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            self.0.set(z);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_has_two_chars_per_byte() {
        let r = SeqRandom::new(1);
        let h = r.hex(16);
        assert_eq!(h.len(), 32);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(h, r.hex(16), "the sequence moves on");
    }

    #[test]
    fn os_random_fills() {
        let mut a = [0u8; 32];
        OsRandom.fill(&mut a);
        assert_ne!(a, [0u8; 32]);
    }
}
