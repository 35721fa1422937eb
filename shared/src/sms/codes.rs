use crate::clock::Clock;
use crate::digest::{constant_time_eq, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::identity::Mobile;
use crate::random::Random;
use crate::store::{Database, Store, Transaction, Value};
use serde_json::json;

pub const CODE_TTL_SECS: i64 = 600;
pub const RESEND_AFTER_SECS: i64 = 60;
pub const HOURLY_CAP: i64 = 5;
pub const MAX_WRONG_TRIES: i64 = 5;
pub const SET_PASSWORD_TTL_SECS: i64 = 24 * 3600;

/// Deletes, at most `limit` at a time, the codes that expired more than
/// `retention_secs` before `now` (housekeeping: until then they count
/// towards the per-number limits and stay for the record). Returns how
/// many.
pub async fn prune_codes<S: Store>(store: &S, now: i64, retention_secs: i64, limit: u32) -> Result<u64, crate::store::StoreError> {
    let rows = store
        .execute(
            "DELETE FROM sms_codes WHERE id IN (SELECT id FROM sms_codes WHERE expires_at < ? ORDER BY expires_at LIMIT ?) RETURNING id",
            &[(now - retention_secs * 1000).into(), i64::from(limit).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// What a code is for: a code for one purpose never verifies another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Registration,
    PasswordReset,
    Appeal,
    /// The one-time code an approved appeal sends with the login name, to
    /// set a new password (valid 24 hours; issued by the system).
    SetPassword,
    /// Changing the reserved mobile in "my info": a code to the new number
    /// and one to the old number (flow 5).
    MobileChange,
}

impl Purpose {
    /// Every purpose (a code's purpose is the first column of its index).
    pub const ALL: [Purpose; 5] =
        [Purpose::Registration, Purpose::PasswordReset, Purpose::Appeal, Purpose::SetPassword, Purpose::MobileChange];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Registration => "registration",
            Purpose::PasswordReset => "password_reset",
            Purpose::Appeal => "appeal",
            Purpose::SetPassword => "set_password",
            Purpose::MobileChange => "mobile_change",
        }
    }

    /// How long a code for this purpose lives.
    pub fn ttl_secs(self) -> i64 {
        match self {
            Purpose::SetPassword => SET_PASSWORD_TTL_SECS,
            _ => CODE_TTL_SECS,
        }
    }

    pub fn parse(s: &str) -> AppResult<Purpose> {
        match s {
            "registration" => Ok(Purpose::Registration),
            "password_reset" => Ok(Purpose::PasswordReset),
            "appeal" => Ok(Purpose::Appeal),
            _ => Err(AppError::new(
                "sms.purpose_unknown",
                400,
                "验证码用途无效，可选：registration、password_reset、appeal。",
                "Unknown code purpose; use registration, password_reset or appeal.",
            )
            .with_field("purpose")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The plain code: goes into the outbox message, never into sms_codes.
    pub code: String,
    pub expires_in_secs: i64,
    pub resend_after_secs: i64,
}

impl IssuedCode {
    /// What the requester is told (never the code).
    pub fn to_json(&self, mobile: &Mobile) -> serde_json::Value {
        json!({
            "mobile_masked": mobile.masked(),
            "expires_in_seconds": self.expires_in_secs,
            "resend_after_seconds": self.resend_after_secs,
        })
    }
}

/// Issues a new code for `mobile`, enforcing the resend interval and the
/// hourly cap, in the transaction that also enqueues its SMS.
pub async fn issue_code<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    random: &dyn Random,
    purpose: Purpose,
    mobile: &Mobile,
) -> AppResult<IssuedCode> {
    let now = clock.now().millis();
    // The hourly cap counts every purpose: naming them all lets SQLite
    // search the (purpose, mobile, created_at) index instead of reading it
    // end to end.
    let every_purpose: Vec<String> = (0..Purpose::ALL.len()).map(|i| format!("?{}", i + 4)).collect();
    let mut params: Vec<Value> = vec![mobile.as_str().into(), purpose.as_str().into(), (now - 3_600_000).into()];
    params.extend(Purpose::ALL.iter().map(|p| Value::from(p.as_str())));
    let rows = store
        .execute(
            &format!(
                "SELECT COUNT(*) AS n, MIN(created_at) AS oldest,
                        MAX(CASE WHEN purpose = ?2 THEN created_at END) AS latest_same
                   FROM sms_codes WHERE purpose IN ({}) AND mobile = ?1 AND created_at > ?3",
                every_purpose.join(", ")
            ),
            &params,
        )
        .await?;
    let row = rows.first().ok_or_else(AppError::internal)?;
    if let Some(latest) = row.opt_int("latest_same")? {
        let wait = latest + RESEND_AFTER_SECS * 1000 - now;
        if wait > 0 {
            return Err(too_soon((wait + 999) / 1000));
        }
    }
    if row.int("n")? >= HOURLY_CAP {
        let oldest = row.opt_int("oldest")?.unwrap_or(now);
        let wait = ((oldest + 3_600_000 - now) + 999) / 1000;
        return Err(AppError::new(
            "sms.hourly_cap",
            429,
            format!("该手机号一小时内最多接收 {HOURLY_CAP} 条验证码，请 {} 分钟后再试。", (wait + 59) / 60),
            format!("A number gets at most {HOURLY_CAP} codes an hour; try again in {} minutes.", (wait + 59) / 60),
        )
        .with_field("mobile")
        .with_header("retry-after", wait.max(1).to_string())
        .with_details(json!({ "retry_after_seconds": wait.max(1) })));
    }
    insert_code(store, clock, random, purpose, mobile).await
}

/// A code the system sends on its own (an approved appeal's set-password
/// code): not subject to the requester limits above.
pub async fn issue_system_code<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    random: &dyn Random,
    purpose: Purpose,
    mobile: &Mobile,
) -> AppResult<IssuedCode> {
    insert_code(store, clock, random, purpose, mobile).await
}

async fn insert_code<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    purpose: Purpose,
    mobile: &Mobile,
) -> AppResult<IssuedCode> {
    let now = clock.now().millis();
    let mut n = [0u8; 4];
    random.fill(&mut n);
    let code = format!("{:06}", u32::from_le_bytes(n) % 1_000_000);
    let salt = random.hex(16);
    let ttl = purpose.ttl_secs();
    // A new code does not reset the failure count: wrong tries on a code
    // that is still live and not locked carry over to its successor, so
    // asking for codes early buys no extra guesses. A locked code (5 wrong
    // tries) is what a new code is for: that one starts afresh.
    let latest = store
        .execute(
            "SELECT failed_attempts, consumed_at, expires_at FROM sms_codes
              WHERE purpose = ? AND mobile = ? ORDER BY created_at DESC, id DESC LIMIT 1",
            &[purpose.as_str().into(), mobile.as_str().into()],
        )
        .await?;
    let carried = match latest.first() {
        Some(r) if r.opt_int("consumed_at")?.is_none() && r.int("expires_at")? > now => {
            let failed = r.int("failed_attempts")?;
            if failed < MAX_WRONG_TRIES { failed } else { 0 }
        }
        _ => 0,
    };
    store
        .execute(
            "INSERT INTO sms_codes (purpose, mobile, code_hash, created_at, expires_at, failed_attempts) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                purpose.as_str().into(),
                mobile.as_str().into(),
                format!("{salt}${}", code_digest(&salt, &code)).into(),
                now.into(),
                (now + ttl * 1000).into(),
                carried.into(),
            ],
        )
        .await?;
    Ok(IssuedCode { code, expires_in_secs: ttl, resend_after_secs: RESEND_AFTER_SECS })
}

fn too_soon(wait: i64) -> AppError {
    AppError::new(
        "sms.resend_too_soon",
        429,
        format!("验证码已发送，请 {wait} 秒后再重新获取。"),
        format!("A code was just sent; you can ask for a new one in {wait} seconds."),
    )
    .with_field("mobile")
    .with_header("retry-after", wait.to_string())
    .with_details(json!({ "retry_after_seconds": wait }))
}

fn code_digest(salt: &str, code: &str) -> String {
    sha256_hex(format!("{salt}:{code}").as_bytes())
}

/// Checks `code` against the newest code for (purpose, mobile) and uses it
/// up on success. Errors name the field `sms_code` and say what to do.
/// It runs in the transaction of the change the code authorises, so a
/// failed change leaves the code unused ([`begin_with_code`]).
pub async fn verify_code<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    purpose: Purpose,
    mobile: &Mobile,
    code: &str,
) -> AppResult<()> {
    let now = clock.now().millis();
    let code = crate::identity::normalize_input(code);
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(code_err("sms.code_format", "验证码为 6 位数字。", "The code is 6 digits."));
    }
    let rows = store
        .execute(
            "SELECT id, code_hash, expires_at, failed_attempts, consumed_at FROM sms_codes
              WHERE purpose = ? AND mobile = ? ORDER BY created_at DESC, id DESC LIMIT 1",
            &[purpose.as_str().into(), mobile.as_str().into()],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Err(code_err(
            "sms.code_missing",
            "请先获取短信验证码。",
            "Please request an SMS code first.",
        ));
    };
    let id = row.int("id")?;
    if row.opt_int("consumed_at")?.is_some() {
        return Err(code_err("sms.code_used", "验证码已使用，请重新获取。", "This code was already used; request a new one."));
    }
    if row.int("expires_at")? <= now {
        return Err(code_err(
            "sms.code_expired",
            "验证码已过期，请重新获取。",
            "The code has expired; request a new one.",
        ));
    }
    let failed = row.int("failed_attempts")?;
    if failed >= MAX_WRONG_TRIES {
        return Err(code_err(
            "sms.code_locked",
            "验证码错误次数过多，请重新获取。",
            "Too many wrong tries for this code; request a new one.",
        ));
    }
    let stored = row.text("code_hash")?;
    let (salt, digest) = stored.split_once('$').unwrap_or(("", stored));
    if !constant_time_eq(&code_digest(salt, &code), digest) {
        store
            .execute("UPDATE sms_codes SET failed_attempts = failed_attempts + 1 WHERE id = ?", &[id.into()])
            .await?;
        let left = MAX_WRONG_TRIES - failed - 1;
        return Err(if left > 0 {
            code_err(
                "sms.code_wrong",
                &format!("验证码不正确，还可再试 {left} 次。"),
                &format!("The code is not right; {left} tries left."),
            )
            .with_details(json!({ "tries_left": left }))
        } else {
            code_err(
                "sms.code_locked",
                "验证码错误次数过多，请重新获取。",
                "Too many wrong tries for this code; request a new one.",
            )
        });
    }
    store.execute("UPDATE sms_codes SET consumed_at = ? WHERE id = ?", &[now.into(), id.into()]).await?;
    Ok(())
}

/// Opens the write transaction of a change an SMS code authorises and
/// checks the code inside it. On success the open transaction is returned:
/// the caller commits it with the change, and a failed change (the
/// transaction dropped) leaves the code unused. On failure it is closed
/// here: committed when the failed try must count (a wrong code), rolled
/// back otherwise.
pub async fn begin_with_code<'a, D: Database>(
    db: &'a D,
    clock: &dyn Clock,
    purpose: Purpose,
    mobile: &Mobile,
    code: &str,
) -> AppResult<Transaction<'a, D>> {
    let tx = db.begin().await?;
    if let Err(e) = verify_code(&tx, clock, purpose, mobile, code).await {
        if matches!(e.code, "sms.code_wrong" | "sms.code_locked") {
            tx.commit().await?;
        } else {
            let _ = tx.rollback().await;
        }
        return Err(e);
    }
    Ok(tx)
}

/// One SMS code a change needs: the number it went to, what was typed,
/// and the form field that holds it (errors name that field).
#[derive(Debug, Clone, Copy)]
pub struct CodeCheck<'a> {
    pub mobile: &'a Mobile,
    pub code: &'a str,
    pub field: &'a str,
}

/// [`begin_with_code`] for a change that several codes authorise together
/// (the old and the new reserved mobile): every code is checked inside one
/// write transaction, and the transaction is returned only when all are
/// right. Otherwise every wrong code's error comes back at once (each on its
/// field), nothing is used up, and each wrong try is still counted: the
/// transaction is rolled back (so a right code stays unused) and the wrong
/// tries are counted again in one of their own.
pub async fn begin_with_codes<'a, D: Database>(
    db: &'a D,
    clock: &dyn Clock,
    purpose: Purpose,
    checks: &[CodeCheck<'_>],
) -> AppResult<Transaction<'a, D>> {
    let tx = db.begin().await?;
    let mut errors = Vec::new();
    let mut counted = Vec::new();
    for check in checks {
        if let Err(e) = verify_code(&tx, clock, purpose, check.mobile, check.code).await {
            if e.status >= 500 {
                return Err(e);
            }
            if matches!(e.code, "sms.code_wrong" | "sms.code_locked") {
                counted.push(*check);
            }
            errors.push(e.with_field(check.field));
        }
    }
    let Some(error) = AppError::combine(errors) else {
        return Ok(tx);
    };
    let _ = tx.rollback().await;
    if !counted.is_empty() {
        let tx = db.begin().await?;
        for check in &counted {
            // Fails again the same way (the rollback undid nothing else), and counts.
            let _ = verify_code(&tx, clock, purpose, check.mobile, check.code).await;
        }
        tx.commit().await?;
    }
    Err(error)
}

fn code_err(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::new(code, 400, zh, en).with_field("sms_code")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use crate::random::SeqRandom;
    use crate::store::native::block_on;
    use crate::store::{NativeStore, migrate};

    struct T {
        store: NativeStore,
        clock: FixedClock,
        random: SeqRandom,
        mobile: Mobile,
    }

    fn setup() -> T {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(Timestamp(1_800_000_000_000));
        block_on(migrate(&store, &clock)).unwrap();
        T { store, clock, random: SeqRandom::new(7), mobile: Mobile::parse("13800138000").unwrap() }
    }

    impl T {
        fn issue(&self) -> AppResult<IssuedCode> {
            self.issue_for(Purpose::Registration)
        }
        fn issue_for(&self, purpose: Purpose) -> AppResult<IssuedCode> {
            block_on(crate::store::in_transaction(&self.store, async |tx| {
                issue_code(tx, &self.clock, &self.random, purpose, &self.mobile).await
            }))
        }
        fn verify(&self, code: &str) -> AppResult<()> {
            self.verify_for(Purpose::Registration, code)
        }
        fn verify_for(&self, purpose: Purpose, code: &str) -> AppResult<()> {
            let tx = block_on(begin_with_code(&self.store, &self.clock, purpose, &self.mobile, code))?;
            block_on(tx.commit()).map_err(Into::into)
        }
    }

    fn wrong(code: &str) -> String {
        format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
    }

    #[test]
    fn a_code_verifies_once() {
        let t = setup();
        let c = t.issue().unwrap();
        assert_eq!(c.code.len(), 6);
        t.verify(&c.code).unwrap();
        assert_eq!(t.verify(&c.code).unwrap_err().code, "sms.code_used");
    }

    #[test]
    fn only_a_hash_is_stored() {
        let t = setup();
        let c = t.issue().unwrap();
        let rows = block_on(t.store.execute("SELECT code_hash FROM sms_codes", &[])).unwrap();
        let stored = rows.first().unwrap().text("code_hash").unwrap().to_owned();
        assert!(!stored.contains(&c.code));
    }

    #[test]
    fn expires_after_ten_minutes() {
        let t = setup();
        let c = t.issue().unwrap();
        t.clock.advance_seconds(CODE_TTL_SECS);
        assert_eq!(t.verify(&c.code).unwrap_err().code, "sms.code_expired");
    }

    #[test]
    fn five_wrong_tries_lock_the_code() {
        let t = setup();
        let c = t.issue().unwrap();
        for left in (1..5).rev() {
            let e = t.verify(&wrong(&c.code)).unwrap_err();
            assert_eq!((e.code, e.details.unwrap()["tries_left"].as_i64()), ("sms.code_wrong", Some(left)));
        }
        assert_eq!(t.verify(&wrong(&c.code)).unwrap_err().code, "sms.code_locked");
        assert_eq!(t.verify(&c.code).unwrap_err().code, "sms.code_locked", "even the right code");
    }

    #[test]
    fn resend_waits_sixty_seconds_and_five_an_hour() {
        let t = setup();
        t.issue().unwrap();
        let e = t.issue().unwrap_err();
        assert_eq!((e.code, e.status), ("sms.resend_too_soon", 429));
        assert_eq!(e.headers, vec![("retry-after".to_owned(), "60".to_owned())]);
        for _ in 0..4 {
            t.clock.advance_seconds(60);
            t.issue().unwrap();
        }
        t.clock.advance_seconds(60);
        let e = t.issue().unwrap_err();
        assert_eq!(e.code, "sms.hourly_cap");
        // The first code was 5 minutes ago: 55 minutes to wait.
        assert_eq!(e.headers, vec![("retry-after".to_owned(), "3300".to_owned())]);
        t.clock.advance_seconds(3300);
        t.issue().unwrap();
    }

    #[test]
    fn the_hourly_cap_counts_the_codes_of_every_purpose() {
        let t = setup();
        let asked = [Purpose::Registration, Purpose::PasswordReset, Purpose::Appeal, Purpose::MobileChange, Purpose::Registration];
        for purpose in asked {
            t.issue_for(purpose).unwrap();
            t.clock.advance_seconds(60);
        }
        for purpose in [Purpose::PasswordReset, Purpose::MobileChange] {
            assert_eq!(t.issue_for(purpose).unwrap_err().code, "sms.hourly_cap", "{purpose:?}");
        }
    }

    #[test]
    fn all_names_every_purpose_once() {
        let position = |p: Purpose| match p {
            Purpose::Registration => 0,
            Purpose::PasswordReset => 1,
            Purpose::Appeal => 2,
            Purpose::SetPassword => 3,
            Purpose::MobileChange => 4,
        };
        for (i, p) in Purpose::ALL.into_iter().enumerate() {
            assert_eq!(position(p), i, "{p:?}");
        }
        assert_eq!(Purpose::ALL.len(), 5, "a new purpose goes into ALL (and into this match)");
    }

    #[test]
    fn the_newest_code_counts_and_purposes_do_not_mix() {
        let t = setup();
        let first = t.issue().unwrap();
        t.clock.advance_seconds(60);
        let second = t.issue().unwrap();
        if first.code != second.code {
            assert_eq!(t.verify(&first.code).unwrap_err().code, "sms.code_wrong");
        }
        let other = t.verify_for(Purpose::PasswordReset, &second.code);
        assert_eq!(other.unwrap_err().code, "sms.code_missing");
        t.verify(&second.code).unwrap();
    }

    #[test]
    fn set_password_codes_live_a_day_and_skip_the_requester_limits() {
        let t = setup();
        for _ in 0..5 {
            t.issue().unwrap();
            t.clock.advance_seconds(60);
        }
        let c = block_on(crate::store::in_transaction(&t.store, async |tx| {
            issue_system_code(tx, &t.clock, &t.random, Purpose::SetPassword, &t.mobile).await
        }))
        .unwrap();
        assert_eq!(c.expires_in_secs, 24 * 3600);
        t.clock.advance_seconds(23 * 3600);
        t.verify_for(Purpose::SetPassword, &c.code).unwrap();
    }

    #[test]
    fn a_new_code_does_not_reset_the_failure_count_but_a_locked_code_needs_one() {
        let t = setup();
        let first = t.issue().unwrap();
        for _ in 0..3 {
            assert_eq!(t.verify(&wrong(&first.code)).unwrap_err().code, "sms.code_wrong");
        }
        t.clock.advance_seconds(60);
        let second = t.issue().unwrap();
        let e = t.verify(&wrong(&second.code)).unwrap_err();
        assert_eq!(e.details.unwrap()["tries_left"], 1, "3 earlier failures carried over");
        assert_eq!(t.verify(&wrong(&second.code)).unwrap_err().code, "sms.code_locked");
        // Locked: a new code is needed, and that one starts afresh.
        t.clock.advance_seconds(60);
        let third = t.issue().unwrap();
        let e = t.verify(&wrong(&third.code)).unwrap_err();
        assert_eq!(e.details.unwrap()["tries_left"], 4);
        t.verify(&third.code).unwrap();
    }

    #[test]
    fn malformed_codes_are_refused_without_counting() {
        let t = setup();
        t.issue().unwrap();
        for bad in ["", "12345", "1234567", "abcdef", "12 456"] {
            assert_eq!(t.verify(bad).unwrap_err().code, "sms.code_format", "{bad}");
        }
        let rows = block_on(t.store.execute("SELECT failed_attempts FROM sms_codes", &[])).unwrap();
        assert_eq!(rows.first().unwrap().int("failed_attempts").unwrap(), 0);
    }
}
