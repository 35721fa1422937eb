//! Every setting of the platform, once: its Spin variable name, its default
//! and what it means. `spin.toml`'s `[variables]`, each component's
//! `[component.<id>.variables]` (see [`crate::components`]) and the README's
//! configuration table agree with [`ALL`]; a test fails when they drift.
//!
//! Values come from Spin variables ([`Settings`]); a missing, empty or
//! unparsable value falls back to the default written here.

use crate::rate_limit::Limit;
use std::collections::BTreeMap;

/// One Spin variable the app reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub name: &'static str,
    /// The default, as `spin.toml` declares it (`""` when empty).
    pub default: &'static str,
    /// A secret variable (`secret = true`): never logged.
    pub secret: bool,
    /// What it means (the README's configuration table says the same).
    pub meaning: &'static str,
}

pub const REGISTRATION_CHECK_LIMIT: Setting = Setting {
    name: "registration_check_limit_per_minute",
    default: "30",
    secret: false,
    meaning: "registration checks (login name, organization) one client address may make per minute (the check reveals whether an account exists, by design)",
};
pub const PASSWORD_MIN_LENGTH: Setting = Setting {
    name: "password_min_length",
    default: "8",
    secret: false,
    meaning: "shortest password accepted (NIST SP 800-63B: at least 8)",
};
pub const SMS_CODES_PER_CLIENT: Setting = Setting {
    name: "sms_codes_per_client_per_hour",
    default: "20",
    secret: false,
    meaning: "SMS codes one client address may request per hour (each number also has its own limits)",
};
pub const LOGIN_LIMIT_PER_CLIENT: Setting = Setting {
    name: "login_limit_per_client_per_five_minutes",
    default: "30",
    secret: false,
    meaning: "login attempts one client address may make per 5 minutes (account and reviewer logins, each counted apart)",
};
pub const PASSWORD_RESET_LIMIT: Setting = Setting {
    name: "password_reset_limit_per_client_per_hour",
    default: "30",
    secret: false,
    meaning: "password-reset requests (codes and confirmations) one client address may make per hour",
};
pub const APPEAL_LOOKUPS_PER_CLIENT: Setting = Setting {
    name: "appeal_lookups_per_client_per_hour",
    default: "60",
    secret: false,
    meaning: "appeal status and document lookups one client address may make per hour",
};
pub const APPEAL_FILINGS_PER_CLIENT: Setting = Setting {
    name: "appeal_filings_per_client_per_hour",
    default: "10",
    secret: false,
    meaning: "appeals one client address may file per hour (their scans are decoded: costly)",
};
pub const REVIEWER_BOOTSTRAP_LOGIN_NAME: Setting = Setting {
    name: "reviewer_bootstrap_login_name",
    default: "",
    secret: false,
    meaning: "the first back-office reviewer's login name, created at the first reviewer login while there is none; reviewers are never self-registered, later ones are added by reviewers; empty: no bootstrap",
};
pub const REVIEWER_BOOTSTRAP_PASSWORD: Setting = Setting {
    name: "reviewer_bootstrap_password",
    default: "",
    secret: true,
    meaning: "the first reviewer's password (it must pass the password policy)",
};
pub const SMS_GATEWAY_URL: Setting = Setting {
    name: "sms_gateway_url",
    default: "",
    secret: false,
    meaning: "where SMS messages are POSTed as JSON; empty: they stay in the outbox",
};
pub const SMS_GATEWAY_TOKEN: Setting = Setting {
    name: "sms_gateway_token",
    default: "",
    secret: true,
    meaning: "bearer token for the SMS gateway",
};
pub const SMS_GATEWAY_ORIGIN: Setting = Setting {
    name: "sms_gateway_origin",
    default: "https://sms-gateway.invalid",
    secret: false,
    meaning: "the SMS gateway's `scheme://host[:port]`, the only outbound host components may call (`allowed_outbound_hosts`)",
};
pub const DEV_OUTBOX: Setting = Setting {
    name: "dev_outbox",
    default: "false",
    secret: false,
    meaning: "development only: `true` turns on the outbox view (read SMS codes without a gateway)",
};
pub const LEGACY_IMPORT_TOKEN: Setting = Setting {
    name: "legacy_import_token",
    default: "",
    secret: true,
    meaning: "bearer token of the legacy imports (accounts, and business records); empty disables them",
};

pub const IDENTITY_SERVICE_URL: Setting = Setting {
    name: "identity_service_url",
    default: "",
    secret: false,
    meaning: "where real-name checks are POSTed (the identity-service protocol in the README); empty: the built-in checker, which checks formats and check characters only and sends every case to manual review",
};
pub const IDENTITY_SERVICE_TOKEN: Setting = Setting {
    name: "identity_service_token",
    default: "",
    secret: true,
    meaning: "bearer token for the identity service",
};
pub const IDENTITY_SERVICE_ORIGIN: Setting = Setting {
    name: "identity_service_origin",
    default: "https://identity-service.invalid",
    secret: false,
    meaning: "the identity service's `scheme://host[:port]`, which the verification component may call (`allowed_outbound_hosts`)",
};
pub const VERIFICATION_CHECKS_PER_ACCOUNT: Setting = Setting {
    name: "verification_checks_per_account_per_day",
    default: "10",
    secret: false,
    meaning: "automatic identity checks one account may make per 24 hours (the check tells whether a name belongs to an ID number); beyond it the check is unavailable and the upload is offered",
};
pub const VERIFICATION_CHECKS_PER_CLIENT: Setting = Setting {
    name: "verification_checks_per_client_per_hour",
    default: "30",
    secret: false,
    meaning: "automatic identity checks one client address may make per hour, whatever the account; beyond it as above",
};
pub const VERIFICATION_UPLOADS_PER_CLIENT: Setting = Setting {
    name: "verification_uploads_per_client_per_hour",
    default: "20",
    secret: false,
    meaning: "verification document uploads one client address may make per hour (their scans are decoded: costly)",
};
pub const LEGACY_DATA_REQUESTS_PER_CLIENT: Setting = Setting {
    name: "legacy_data_requests_per_client_per_hour",
    default: "10",
    secret: false,
    meaning: "legacy-data requests (with their documents) one client address may file per hour",
};

pub const GRANT_SEARCHES_PER_ACCOUNT: Setting = Setting {
    name: "grant_searches_per_account_per_hour",
    default: "30",
    secret: false,
    meaning: "searches for natural persons by real name one account may make per hour in grant management (the search tells whether a person is on the platform); beyond it 429",
};
pub const GRANT_SEARCHES_PER_CLIENT: Setting = Setting {
    name: "grant_searches_per_client_per_hour",
    default: "60",
    secret: false,
    meaning: "searches for natural persons by real name one client address may make per hour, whatever the account; beyond it 429",
};

pub const SMS_MAX_ATTEMPTS: Setting = Setting {
    name: "sms_max_attempts",
    default: "12",
    secret: false,
    meaning: "tries of one SMS before it is given up and listed as failed in the console (retries wait 1 minute, then doubling, at most 1 hour: 12 tries span about 6 hours)",
};
pub const SESSION_RETENTION_DAYS: Setting = Setting {
    name: "session_retention_days",
    default: "30",
    secret: false,
    meaning: "days an ended session (account or reviewer: logged out, idle or expired) is kept before the scheduled housekeeping deletes it",
};
pub const SMS_CODE_RETENTION_DAYS: Setting = Setting {
    name: "sms_code_retention_days",
    default: "7",
    secret: false,
    meaning: "days an expired SMS code is kept before the scheduled housekeeping deletes it",
};
pub const REJECTED_UPLOAD_RETENTION_DAYS: Setting = Setting {
    name: "rejected_upload_retention_days",
    default: "90",
    secret: false,
    meaning: "days after a rejection before the scheduled housekeeping deletes the bytes of the rejected submission's uploads (appeals, verification scans; the record with the digest stays)",
};
pub const SCHEDULER_TOKEN: Setting = Setting {
    name: "scheduler_token",
    default: "",
    secret: true,
    meaning: "bearer token of `POST /api/internal/schedule/tick` (runs the scheduled work where there is no cron trigger: SpinKube, hosted platforms); empty disables the route",
};

/// Every setting, in the order `spin.toml` and the README list them.
pub const ALL: &[&Setting] = &[
    &REGISTRATION_CHECK_LIMIT,
    &PASSWORD_MIN_LENGTH,
    &SMS_CODES_PER_CLIENT,
    &LOGIN_LIMIT_PER_CLIENT,
    &PASSWORD_RESET_LIMIT,
    &APPEAL_LOOKUPS_PER_CLIENT,
    &APPEAL_FILINGS_PER_CLIENT,
    &REVIEWER_BOOTSTRAP_LOGIN_NAME,
    &REVIEWER_BOOTSTRAP_PASSWORD,
    &SMS_GATEWAY_URL,
    &SMS_GATEWAY_TOKEN,
    &SMS_GATEWAY_ORIGIN,
    &DEV_OUTBOX,
    &LEGACY_IMPORT_TOKEN,
    &IDENTITY_SERVICE_URL,
    &IDENTITY_SERVICE_TOKEN,
    &IDENTITY_SERVICE_ORIGIN,
    &VERIFICATION_CHECKS_PER_ACCOUNT,
    &VERIFICATION_CHECKS_PER_CLIENT,
    &VERIFICATION_UPLOADS_PER_CLIENT,
    &GRANT_SEARCHES_PER_ACCOUNT,
    &GRANT_SEARCHES_PER_CLIENT,
    &LEGACY_DATA_REQUESTS_PER_CLIENT,
    &SMS_MAX_ATTEMPTS,
    &SESSION_RETENTION_DAYS,
    &SMS_CODE_RETENTION_DAYS,
    &REJECTED_UPLOAD_RETENTION_DAYS,
    &SCHEDULER_TOKEN,
];

/// A per-client sliding window whose size is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimit {
    pub setting: &'static Setting,
    /// The window's bucket in `rate_limit_hits` (distinct per limit).
    pub bucket: &'static str,
    pub window_secs: i64,
}

impl ClientLimit {
    /// The limit with the configured size.
    pub fn limit(&self, settings: &Settings) -> Limit {
        Limit { bucket: self.bucket, max: settings.number(self.setting), window_secs: self.window_secs }
    }
}

/// The values a component read for its settings (Spin variables).
#[derive(Debug, Clone, Default)]
pub struct Settings(BTreeMap<&'static str, String>);

impl Settings {
    /// A value as configured (`None` when unset or empty).
    pub fn text(&self, setting: &Setting) -> Option<&str> {
        self.0.get(setting.name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A number; unset, empty or unparsable: the default.
    pub fn number(&self, setting: &Setting) -> u32 {
        self.text(setting)
            .and_then(|v| v.trim().parse().ok())
            .or_else(|| setting.default.parse().ok())
            .unwrap_or(0)
    }

    /// `true` only when set to `true`.
    pub fn flag(&self, setting: &Setting) -> bool {
        self.text(setting).unwrap_or(setting.default).trim() == "true"
    }

    /// Sets a value (the glue, tests).
    pub fn with(mut self, setting: &Setting, value: &str) -> Settings {
        self.0.insert(setting.name, value.to_owned());
        self
    }

    pub fn insert(&mut self, setting: &Setting, value: String) {
        self.0.insert(setting.name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_back_to_the_default() {
        let s = Settings::default()
            .with(&PASSWORD_MIN_LENGTH, "12")
            .with(&LOGIN_LIMIT_PER_CLIENT, "x")
            .with(&APPEAL_LOOKUPS_PER_CLIENT, "");
        assert_eq!(s.number(&PASSWORD_MIN_LENGTH), 12);
        assert_eq!(s.number(&LOGIN_LIMIT_PER_CLIENT), 30, "unparsable");
        assert_eq!(s.number(&APPEAL_LOOKUPS_PER_CLIENT), 60, "empty");
        assert_eq!(s.number(&SMS_CODES_PER_CLIENT), 20, "unset");
        assert_eq!(s.text(&SMS_GATEWAY_URL), None);
        assert!(!s.flag(&DEV_OUTBOX));
        assert!(Settings::default().with(&DEV_OUTBOX, "true").flag(&DEV_OUTBOX));
    }

    #[test]
    fn names_are_unique_and_numbers_have_numeric_defaults() {
        let mut names: Vec<_> = ALL.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for s in ALL {
            if s.name.contains("_limit") || s.name.contains("_per_") || s.name.ends_with("_length") {
                assert!(s.default.parse::<u32>().is_ok(), "{} has a numeric default", s.name);
            }
        }
    }
}
