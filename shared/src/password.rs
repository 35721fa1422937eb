//! Passwords: hashing with Argon2id (OWASP parameters), verifying our own
//! and imported legacy hashes (PBKDF2, bcrypt) with a rehash signal, and
//! the password policy after NIST SP 800-63B rev 4: length only, no
//! composition rules, a blocklist of common passwords, and no password that
//! contains what others can see of the account (the caller passes it: login
//! name, old login name, organization name, USCC, document number).

use crate::error::AppError;
use crate::random::Random;
use argon2::password_hash::{self, Output, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::json;

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod argon2id;
mod block;

/// OWASP's Argon2id recommendation: 19 MiB, 2 passes, 1 lane.
pub const ARGON2_M_KIB: u32 = 19_456;
pub const ARGON2_T: u32 = 2;
pub const ARGON2_P: u32 = 1;
const ARGON2_OUTPUT_LEN: usize = 32;
const SALT_LEN: usize = 16;

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`): what the
/// store keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub ok: bool,
    /// The password was right but the hash is not Argon2id with our
    /// parameters: hash it again with [`hash`] and store the new one.
    pub needs_rehash: bool,
}

impl Verification {
    const FAILED: Verification = Verification {
        ok: false,
        needs_rehash: false,
    };
}

/// Argon2id v0x13 with one lane into `out`: inside Wasm our own
/// implementation around a SIMD block function ([`argon2id`]), natively the
/// `argon2` crate (which uses AVX2 where the CPU has it). The same bytes
/// either way; the tests hold them to that.
fn argon2id_into(password: &[u8], salt: &[u8], m_kib: u32, t: u32, out: &mut [u8]) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        argon2id::hash_into(password, salt, m_kib, t, out).is_ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let Ok(params) = Params::new(m_kib, t, 1, Some(out.len())) else {
            return false;
        };
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(password, salt, out).is_ok()
    }
}

/// Hashes a password with Argon2id and a fresh 16-byte salt.
pub fn hash(password: &str, random: &dyn Random) -> PasswordHash {
    let mut salt = [0u8; SALT_LEN];
    random.fill(&mut salt);
    let mut tag = [0u8; ARGON2_OUTPUT_LEN];
    // Constant parameters within Argon2's limits, a 16-byte salt, and a
    // password no request body can make longer than 4 GiB.
    assert!(argon2id_into(password.as_bytes(), &salt, ARGON2_M_KIB, ARGON2_T, &mut tag), "Argon2id of a bounded password");
    let salt = SaltString::encode_b64(&salt).expect("a 16-byte salt encodes");
    let tag = Output::new(&tag).expect("a 32-byte tag");
    PasswordHash(format!(
        "$argon2id$v={}$m={ARGON2_M_KIB},t={ARGON2_T},p={ARGON2_P}${}${tag}",
        u32::from(Version::V0x13),
        salt.as_str()
    ))
}

/// Whether `parsed` is Argon2id v0x13 with one lane: [`argon2id_into`]'s
/// shape, any memory, passes and tag length. `Output`'s comparison takes
/// the same time wherever the bytes differ.
fn verify_one_lane(password: &[u8], parsed: &password_hash::PasswordHash<'_>) -> Option<bool> {
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.version != Some(u32::from(Version::V0x13)) {
        return None;
    }
    let params = Params::try_from(parsed).ok()?;
    let (expected, salt) = (parsed.hash?, parsed.salt?);
    if params.p_cost() != 1 {
        return None;
    }
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    let mut tag = vec![0u8; expected.len()];
    let ok = argon2id_into(password, salt, params.m_cost(), params.t_cost(), &mut tag) && Output::new(&tag).is_ok_and(|tag| tag == expected);
    Some(ok)
}

/// Checks `password` against a stored hash: our Argon2id, any other Argon2
/// variant or parameters, PBKDF2 (`$pbkdf2-sha256$`, `$pbkdf2-sha512$`,
/// `$pbkdf2$`) and bcrypt (`$2a$`, `$2b$`, `$2y$`). Anything else, or a
/// malformed hash, is simply not ok.
pub fn verify(password: &str, phc: &str) -> Verification {
    let pw = password.as_bytes();
    if ["$2a$", "$2b$", "$2y$"].iter().any(|p| phc.starts_with(p)) {
        let ok = bcrypt::verify(pw, phc).unwrap_or(false);
        return Verification { ok, needs_rehash: ok };
    }
    let Ok(parsed) = password_hash::PasswordHash::new(phc) else {
        return Verification::FAILED;
    };
    let alg = parsed.algorithm.as_str();
    let ok = match alg {
        "argon2id" | "argon2i" | "argon2d" => verify_one_lane(pw, &parsed).unwrap_or_else(|| Argon2::default().verify_password(pw, &parsed).is_ok()),
        "pbkdf2-sha256" | "pbkdf2-sha512" | "pbkdf2" => pbkdf2::Pbkdf2.verify_password(pw, &parsed).is_ok(),
        _ => false,
    };
    if !ok {
        return Verification::FAILED;
    }
    Verification {
        ok,
        needs_rehash: !is_current(&parsed),
    }
}

/// Whether a hash is Argon2id v19 with exactly our parameters.
fn is_current(parsed: &password_hash::PasswordHash<'_>) -> bool {
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.version != Some(Version::V0x13.into()) {
        return false;
    }
    let Ok(params) = Params::try_from(parsed) else {
        return false;
    };
    params.m_cost() == ARGON2_M_KIB
        && params.t_cost() == ARGON2_T
        && params.p_cost() == ARGON2_P
        && parsed.hash.is_some_and(|h| h.len() == ARGON2_OUTPUT_LEN)
}

/// An Argon2id hash with our parameters of a password nobody has.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$dGltaW5nLWR1bW15LXNhbHQ$4cF9P99cClmf/oSjJaLIoORiHU7cMZ/zztauq/gkjAg";

/// Costs what [`verify`] of a current hash costs, and always fails: call it
/// when the login name does not exist, so the response time does not tell.
pub fn dummy_verify(password: &str) -> Verification {
    let _ = verify(password, DUMMY_HASH);
    Verification::FAILED
}

/// Longest password accepted: NIST asks for at least 64.
pub const MAX_LEN: usize = 128;
/// Default shortest password (NIST SP 800-63B rev 4: at least 8 when a
/// password is one factor of several, 15 when it is the only one).
pub const DEFAULT_MIN_LEN: usize = 8;

/// Identity values shorter than this are not looked for in a password.
pub const MIN_CONTEXT_LEN: usize = 4;

/// The password rules. Length is counted in Unicode scalar values; nothing
/// is normalized or trimmed, and any character is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: DEFAULT_MIN_LEN,
        }
    }
}

impl PasswordPolicy {
    /// The policy with the minimum length from the component's settings
    /// (`password_min_length`).
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        Self::new(settings.number(&crate::settings::PASSWORD_MIN_LENGTH) as usize)
    }

    /// `min_len` is kept within 1..=[`MAX_LEN`].
    pub fn new(min_len: usize) -> Self {
        PasswordPolicy {
            min_len: min_len.clamp(1, MAX_LEN),
        }
    }

    /// Checks a new password. `context` holds what others can see of the
    /// account (login name, old login name, organization name, USCC,
    /// document number); values of at least [`MIN_CONTEXT_LEN`] characters
    /// must not appear in the password, ignoring case.
    pub fn check(&self, password: &str, context: &[&str]) -> Result<(), AppError> {
        let min = self.min_len;
        let n = password.chars().count();
        if n < min {
            return Err(err(
                "password.too_short",
                format!(
                    "密码至少需要 {min} 个字符，现在是 {n} 个。建议用一句好记的话作密码：可以包含空格、中文和任何符号，不要求大小写、数字或符号的组合。"
                ),
                format!(
                    "A password needs at least {min} characters; this one has {n}. A memorable phrase works well: spaces, any language and any symbols are allowed, and no mix of cases, digits or symbols is required."
                ),
            )
            .with_details(json!({ "min_len": min, "max_len": MAX_LEN, "length": n })));
        }
        if n > MAX_LEN {
            return Err(err(
                "password.too_long",
                format!("密码最多 {MAX_LEN} 个字符，现在是 {n} 个，请缩短。"),
                format!("A password has at most {MAX_LEN} characters; this one has {n}. Please shorten it."),
            )
            .with_details(json!({ "min_len": min, "max_len": MAX_LEN, "length": n })));
        }
        if is_common(password) {
            return Err(err(
                "password.common",
                "这个密码出现在常见密码或已泄露密码列表中，容易被猜到。请换一个别人猜不到的密码，例如几个不相关的词组成的一句话。",
                "This password is on a list of common or breached passwords and is easy to guess. Please choose one nobody would guess, such as a phrase of several unrelated words.",
            ));
        }
        let lower = password.to_lowercase();
        for value in context {
            let value = value.trim();
            if value.chars().count() >= MIN_CONTEXT_LEN && lower.contains(&value.to_lowercase()) {
                return Err(err(
                    "password.contains_identity",
                    "密码不能包含登录名、单位名称或统一社会信用代码，这些信息别人也能看到。请换一个不含这些内容的密码。",
                    "A password cannot contain the login name, organization name or Unified Social Credit Code: others can see those. Please choose one without them.",
                ));
            }
        }
        Ok(())
    }
}

/// On the blocklist of the `passwords` crate (about 100,000 common and
/// breached passwords), as typed or in lowercase.
fn is_common(password: &str) -> bool {
    passwords::analyzer::is_common_password(password) || {
        let lower = password.to_lowercase();
        lower != password && passwords::analyzer::is_common_password(&lower)
    }
}

fn err(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::new(code, 400, zh, en).with_field("password")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeqRandom;
    use argon2::password_hash::PasswordHash as Phc;
    use argon2::password_hash::PasswordHasher;

    fn code(policy: &PasswordPolicy, pw: &str, ctx: &[&str]) -> &'static str {
        policy.check(pw, ctx).unwrap_err().code
    }

    #[test]
    fn hash_verify_roundtrip_and_wrong_password() {
        let h = hash("correct horse battery staple", &SeqRandom::new(7));
        assert!(
            h.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            h.as_str()
        );
        assert_eq!(
            verify("correct horse battery staple", h.as_str()),
            Verification {
                ok: true,
                needs_rehash: false
            }
        );
        assert_eq!(
            verify("correct horse battery stapl", h.as_str()),
            Verification {
                ok: false,
                needs_rehash: false
            }
        );
        // A fresh salt each time.
        let again = hash("correct horse battery staple", &SeqRandom::new(8));
        assert_ne!(h, again);
    }

    #[test]
    fn our_phc_string_is_the_argon2_crates_for_the_same_salt() {
        let ours = hash("correct horse battery staple", &SeqRandom::new(7));
        let salt = Phc::new(ours.as_str()).unwrap().salt.unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32)).unwrap())
            .hash_password(b"correct horse battery staple", salt)
            .unwrap();
        assert_eq!(ours.as_str(), theirs.to_string());
    }

    #[test]
    fn argon2id_with_several_lanes_or_without_a_version_goes_to_the_crate() {
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let lanes = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 2, None).unwrap());
        let phc = lanes.hash_password(b"pw-two-lanes", &salt).unwrap().to_string();
        assert_eq!(verify_one_lane(b"pw-two-lanes", &Phc::new(&phc).unwrap()), None);
        assert_eq!(verify("pw-two-lanes", &phc), Verification { ok: true, needs_rehash: true });
        assert!(!verify("pw-other", &phc).ok);
        let v10 = Argon2::new(Algorithm::Argon2id, Version::V0x10, Params::new(1024, 1, 1, None).unwrap());
        let phc = v10.hash_password(b"pw-v10", &salt).unwrap().to_string();
        assert_eq!(verify_one_lane(b"pw-v10", &Phc::new(&phc).unwrap()), None);
        assert_eq!(verify("pw-v10", &phc), Verification { ok: true, needs_rehash: true });
        let one = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 3, 1, Some(20)).unwrap());
        let phc = one.hash_password(b"pw-one-lane", &salt).unwrap().to_string();
        assert_eq!(verify_one_lane(b"pw-one-lane", &Phc::new(&phc).unwrap()), Some(true));
        assert_eq!(verify_one_lane(b"pw-one-lan", &Phc::new(&phc).unwrap()), Some(false));
    }

    #[test]
    fn weaker_argon2_parameters_and_other_variants_need_a_rehash() {
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let phc = weak.hash_password(b"pw-weak-params", &salt).unwrap().to_string();
        assert_eq!(
            verify("pw-weak-params", &phc),
            Verification {
                ok: true,
                needs_rehash: true
            }
        );
        assert!(!verify("pw-other", &phc).ok);
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let phc = argon2i.hash_password(b"pw-argon2i", &salt).unwrap().to_string();
        assert_eq!(
            verify("pw-argon2i", &phc),
            Verification {
                ok: true,
                needs_rehash: true
            }
        );
    }

    #[test]
    fn legacy_pbkdf2_and_bcrypt_verify_and_need_a_rehash() {
        let salt = SaltString::encode_b64(b"legacy-salt-1234").unwrap();
        let params = pbkdf2::Params {
            rounds: 1_000,
            output_length: 32,
        };
        let phc = pbkdf2::Pbkdf2
            .hash_password_customized(
                b"legacy pw",
                Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                None,
                params,
                &salt,
            )
            .unwrap()
            .to_string();
        assert!(phc.starts_with("$pbkdf2-sha256$"), "{phc}");
        assert_eq!(
            verify("legacy pw", &phc),
            Verification {
                ok: true,
                needs_rehash: true
            }
        );
        assert!(!verify("legacy pw!", &phc).ok);

        let b = bcrypt::hash("legacy pw", 4).unwrap();
        assert!(b.starts_with("$2b$04$"), "{b}");
        assert_eq!(
            verify("legacy pw", &b),
            Verification {
                ok: true,
                needs_rehash: true
            }
        );
        assert!(!verify("legacy pw!", &b).ok);
        for prefix in ["$2a$", "$2y$"] {
            let other = format!("{prefix}{}", &b[4..]);
            assert_eq!(
                verify("legacy pw", &other),
                Verification {
                    ok: true,
                    needs_rehash: true
                },
                "{prefix}"
            );
        }
    }

    #[test]
    fn unknown_or_malformed_hashes_fail_without_panicking() {
        for phc in [
            "",
            "plain text",
            "$",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$bad$bad",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
            "$2b$04$short",
            "$2b$99$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
            "{SSHA}abc",
            "5f4dcc3b5aa765d61d8327deb882cf99",
        ] {
            assert_eq!(verify("password", phc), Verification::FAILED, "{phc}");
        }
        let _ = verify(&"x".repeat(10_000), "$2b$04$abcdefghijklmnopqrstuu");
    }

    #[test]
    fn dummy_verify_uses_a_current_hash_and_always_fails() {
        let parsed = Phc::new(DUMMY_HASH).unwrap();
        assert!(is_current(&parsed));
        assert_eq!(dummy_verify("this account does not exist"), Verification::FAILED);
    }

    #[test]
    fn length_rules_count_characters_and_allow_any() {
        let p = PasswordPolicy::default();
        assert_eq!(code(&p, "", &[]), "password.too_short");
        assert_eq!(code(&p, "Zq7#kP2", &[]), "password.too_short");
        // Eight characters of Chinese are eight, not 24 bytes.
        assert!(p.check("我的密码很难猜到", &[]).is_ok());
        assert_eq!(code(&p, "我的密码很难猜", &[]), "password.too_short");
        assert!(
            p.check("lowercase only words here", &[]).is_ok(),
            "no composition rules"
        );
        assert!(p.check(&"滑".repeat(MAX_LEN), &[]).is_ok());
        assert!(p.check(&"abcd".repeat(16), &[]).is_ok(), "64 allowed");
        assert_eq!(code(&p, &"滑".repeat(MAX_LEN + 1), &[]), "password.too_long");
        assert_eq!(code(&p, &"x".repeat(10_000), &[]), "password.too_long");
        assert!(p.check("  spaces kept  ", &[]).is_ok());
        assert_eq!(
            code(&PasswordPolicy::new(15), "twelve chars", &[]),
            "password.too_short"
        );
        let e = p.check("short", &[]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("password"));
        assert!(e.message.zh.contains("至少需要 8 个字符") && e.message.en.contains("at least 8 characters"));
    }

    #[test]
    fn common_passwords_are_refused() {
        let p = PasswordPolicy::default();
        for pw in [
            "password",
            "12345678",
            "iloveyou",
            "qwertyuiop",
            "PASSWORD",
            "Password1",
            "88888888",
        ] {
            assert_eq!(code(&p, pw, &[]), "password.common", "{pw}");
        }
        let e = p.check("password", &[]).unwrap_err();
        assert!(e.message.zh.contains("常见密码") && e.message.en.contains("common"));
        assert!(p.check("violet tram seventeen", &[]).is_ok());
    }

    #[test]
    fn identity_values_are_refused_ignoring_case() {
        let p = PasswordPolicy::default();
        let ctx = ["WPzhangsan", "北京某某科技有限公司", "91350100M000100Y43", "abc"];
        assert_eq!(code(&p, "my wpZhangSan pw!", &ctx), "password.contains_identity");
        assert_eq!(code(&p, "北京某某科技有限公司2024", &ctx), "password.contains_identity");
        assert_eq!(code(&p, "x91350100m000100y43", &ctx), "password.contains_identity");
        // Values shorter than 4 characters are not looked for.
        assert!(p.check("abc violet tram", &ctx).is_ok());
        assert!(p.check("violet tram seventeen", &["", "  "]).is_ok());
        let e = p.check("my wpzhangsan pw", &ctx).unwrap_err();
        assert!(e.message.zh.contains("登录名") && e.message.en.contains("login name"));
    }
}
