//! The components of `spin.toml`: each one's id, the largest request body it
//! takes, and the settings it reads. The glue ([`crate::spin::serve`]) reads
//! exactly these settings; a test checks `spin.toml` against this table (every
//! component's `[component.<id>.variables]` maps exactly its settings, and the
//! `[variables]` are [`crate::settings::ALL`] with the same defaults), and the
//! README's configuration table against [`crate::settings::ALL`].

use crate::settings::{self, Setting};
use crate::upload;

/// What a component tells the glue about itself.
#[derive(Debug, Clone, Copy)]
pub struct Component {
    /// Its id in `spin.toml` (also the log prefix).
    pub id: &'static str,
    /// Largest request body it accepts; larger is 413 before buffering.
    pub body_limit: usize,
    /// The settings it reads (Spin variables).
    pub settings: &'static [&'static Setting],
}

/// Settings every component that sends SMS reads (delivery by the glue).
const SMS_DELIVERY: [&Setting; 2] = [&settings::SMS_GATEWAY_URL, &settings::SMS_GATEWAY_TOKEN];

pub const REGISTRATION: Component = Component {
    id: "registration",
    // Legacy imports are the largest bodies (JSON lines).
    body_limit: 4 * 1024 * 1024,
    settings: &[
        &settings::REGISTRATION_CHECK_LIMIT,
        &settings::PASSWORD_MIN_LENGTH,
        &settings::SMS_CODES_PER_CLIENT,
        SMS_DELIVERY[0],
        SMS_DELIVERY[1],
        &settings::DEV_OUTBOX,
        &settings::LEGACY_IMPORT_TOKEN,
    ],
};

pub const AUTH: Component = Component { id: "auth", body_limit: 16 * 1024, settings: &[&settings::LOGIN_LIMIT_PER_CLIENT] };

pub const PASSWORD_RESET: Component = Component {
    id: "password-reset",
    body_limit: 16 * 1024,
    settings: &[&settings::PASSWORD_MIN_LENGTH, &settings::PASSWORD_RESET_LIMIT, SMS_DELIVERY[0], SMS_DELIVERY[1]],
};

pub const APPEAL: Component = Component {
    id: "appeal",
    // Six scans of at most 5 MiB each, plus the multipart framing and fields.
    body_limit: upload::MAX_BODY_BYTES,
    settings: &[
        &settings::APPEAL_LOOKUPS_PER_CLIENT,
        &settings::APPEAL_FILINGS_PER_CLIENT,
        &settings::SMS_CODES_PER_CLIENT,
        SMS_DELIVERY[0],
        SMS_DELIVERY[1],
    ],
};

pub const REVIEW: Component = Component {
    id: "review",
    body_limit: 64 * 1024,
    settings: &[
        &settings::REVIEWER_BOOTSTRAP_LOGIN_NAME,
        &settings::REVIEWER_BOOTSTRAP_PASSWORD,
        &settings::PASSWORD_MIN_LENGTH,
        &settings::LOGIN_LIMIT_PER_CLIENT,
        SMS_DELIVERY[0],
        SMS_DELIVERY[1],
        // POST /api/internal/schedule/tick runs the scheduled work.
        TICK[0],
        TICK[1],
        TICK[2],
        TICK[3],
        &settings::SCHEDULER_TOKEN,
    ],
};

/// Settings the scheduled work reads (`shared::schedule`), besides the SMS
/// gateway's.
const TICK: [&Setting; 4] = [
    &settings::SMS_MAX_ATTEMPTS,
    &settings::SESSION_RETENTION_DAYS,
    &settings::SMS_CODE_RETENTION_DAYS,
    &settings::REJECTED_UPLOAD_RETENTION_DAYS,
];

/// The scheduled work under Spin's cron trigger (`[[trigger.cron]]`): no
/// HTTP requests, so no body.
pub const REMINDERS: Component = Component {
    id: "reminders",
    body_limit: 0,
    settings: &[SMS_DELIVERY[0], SMS_DELIVERY[1], TICK[0], TICK[1], TICK[2], TICK[3]],
};

pub const VERIFICATION: Component = Component {
    id: "verification",
    // A part's scans (at most six of 5 MiB), like an appeal.
    body_limit: upload::MAX_BODY_BYTES,
    settings: &[
        &settings::IDENTITY_SERVICE_URL,
        &settings::IDENTITY_SERVICE_TOKEN,
        &settings::VERIFICATION_CHECKS_PER_ACCOUNT,
        &settings::VERIFICATION_CHECKS_PER_CLIENT,
        &settings::VERIFICATION_UPLOADS_PER_CLIENT,
        &settings::SMS_CODES_PER_CLIENT,
        SMS_DELIVERY[0],
        SMS_DELIVERY[1],
    ],
};

pub const GRANTS: Component = Component {
    id: "grants",
    body_limit: 16 * 1024,
    settings: &[&settings::GRANT_SEARCHES_PER_ACCOUNT, &settings::GRANT_SEARCHES_PER_CLIENT],
};

pub const ENTRY: Component = Component {
    id: "entry",
    // A legacy-data request's documents (at most six of 5 MiB); the
    // business-record import takes at most 4 MiB of it.
    body_limit: upload::MAX_BODY_BYTES,
    settings: &[&settings::LEGACY_IMPORT_TOKEN, &settings::LEGACY_DATA_REQUESTS_PER_CLIENT],
};

pub const STATIC_SITE: Component = Component { id: "static-site", body_limit: 16 * 1024, settings: &[] };

/// Every component, as `spin.toml` declares them.
pub const ALL: &[&Component] =
    &[&REGISTRATION, &AUTH, &PASSWORD_RESET, &APPEAL, &REVIEW, &VERIFICATION, &GRANTS, &ENTRY, &STATIC_SITE, &REMINDERS];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn repo_file(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn manifest() -> toml::Table {
        repo_file("spin.toml").parse().expect("spin.toml parses")
    }

    #[test]
    fn spin_toml_declares_every_setting_with_its_default() {
        let m = manifest();
        let vars = m["variables"].as_table().expect("[variables]");
        let declared: BTreeSet<&str> = vars.keys().map(String::as_str).collect();
        let known: BTreeSet<&str> = settings::ALL.iter().map(|s| s.name).collect();
        assert_eq!(declared, known, "spin.toml [variables] and shared::settings::ALL differ");
        for s in settings::ALL {
            let v = vars[s.name].as_table().unwrap();
            assert_eq!(v.get("default").and_then(|d| d.as_str()), Some(s.default), "default of {}", s.name);
            assert_eq!(v.get("secret").and_then(|d| d.as_bool()).unwrap_or(false), s.secret, "secret flag of {}", s.name);
        }
    }

    #[test]
    fn each_component_maps_exactly_the_settings_it_reads() {
        let m = manifest();
        let components = m["component"].as_table().unwrap();
        let ids: BTreeSet<&str> = components.keys().map(String::as_str).collect();
        let ours: BTreeSet<&str> = ALL.iter().map(|c| c.id).collect();
        assert_eq!(ids, ours, "spin.toml components and shared::components::ALL differ");
        for c in ALL {
            let mapped: BTreeMap<String, String> = components[c.id]
                .get("variables")
                .and_then(|v| v.as_table())
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
                .unwrap_or_default();
            let wanted: BTreeMap<String, String> =
                c.settings.iter().map(|s| (s.name.to_owned(), format!("{{{{ {} }}}}", s.name))).collect();
            assert_eq!(mapped, wanted, "[component.{}.variables] must map exactly the settings it reads", c.id);
        }
    }

    #[test]
    fn the_readme_configuration_table_lists_every_setting_with_its_default() {
        let readme = repo_file("README.md");
        let section = readme.split("## Configuration").nth(1).expect("README has a Configuration section");
        let section = section.split("\n## ").next().unwrap();
        let rows: BTreeMap<String, String> = section
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((name.to_owned(), cells.get(2)?.trim_matches('`').to_owned()))
            })
            .collect();
        for s in settings::ALL {
            let default = rows.get(s.name).unwrap_or_else(|| panic!("README's configuration table has no row for `{}`", s.name));
            let want = if s.default.is_empty() { "empty" } else { s.default };
            assert_eq!(default, want, "README default of {}", s.name);
        }
        let known: BTreeSet<&str> = settings::ALL.iter().map(|s| s.name).collect();
        for name in rows.keys() {
            assert!(known.contains(name.as_str()), "README lists `{name}`, which is no setting");
        }
    }

    /// A component is a page of glue: the rules that the code can enforce
    /// are enforced here, by reading every component's source.
    #[test]
    fn components_hold_no_sql_transactions_sms_csrf_checks_or_string_subjects() {
        let functions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
        let forbidden: [(&str, &str); 13] = [
            ("\"SELECT ", "SQL"),
            ("\"INSERT ", "SQL"),
            ("\"UPDATE ", "SQL"),
            ("\"DELETE ", "SQL"),
            ("BEGIN", "a transaction"),
            ("COMMIT", "a transaction"),
            ("in_transaction", "a transaction"),
            (".begin()", "a transaction"),
            ("deliver_sms", "SMS delivery (the glue delivers what was committed)"),
            ("sms::", "an SMS call"),
            ("check_origin", "an Origin check (serve applies it)"),
            ("\"appeal:", "a string-built review subject"),
            ("\"verification:", "a string-built review subject"),
        ];
        let mut checked = 0;
        for dir in std::fs::read_dir(&functions).unwrap() {
            let src = dir.unwrap().path().join("src");
            for file in std::fs::read_dir(&src).unwrap() {
                let path = file.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for (needle, what) in forbidden {
                    assert!(!text.contains(needle), "{} contains {what} ({needle:?}): that belongs in shared", path.display());
                }
                assert!(!text.contains("check_csrf"), "{}: the session's CSRF token is checked where the session is loaded", path.display());
                checked += 1;
            }
        }
        assert!(checked >= ALL.len(), "every component was read");
    }
}
