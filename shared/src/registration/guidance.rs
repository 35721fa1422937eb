//! The registration flow's conflict errors, each with the FAQ's way out.

use crate::error::AppError;
use crate::guidance::{Guidance, encode_query_value};
use crate::identity::LoginName;

fn with_guidance(err: AppError, g: Guidance) -> AppError {
    err.with_guidance(g)
}

pub fn reset_by_login_name(login_name: &str) -> Guidance {
    Guidance::new(
        "registration.login_name_registered",
        "该登录名已被注册。如果这是您的账号但忘记了密码，请用“登录名重置密码”找回；如果不是，请换一个登录名。",
        "This login name is registered. If it is yours and you forgot the password, reset it by login name; otherwise choose another name.",
    )
    .action(format!("/password-reset?login_name={}", encode_query_value(login_name)), "登录名重置密码", "Reset password by login name")
    .action("/login", "去登录", "Log in")
}

/// FAQ 1: login names starting with `WP` are the migrated accounts' (`WP` +
/// the old name), so registration refuses them; an old user is sent to log
/// in or reset instead of registering a look-alike.
pub fn legacy_prefix_reserved(login_name: &LoginName) -> Guidance {
    Guidance::new(
        "registration.login_name_reserved",
        format!("“{login_name}”以 WP 开头：WP 开头的登录名留给从原外国人来华工作管理服务系统迁移的账号，不能注册。请换一个不以 WP 开头的登录名。如果您在原系统有账号，请用 WP+原登录名或原登录名登录；忘记密码可用“登录名重置密码”找回。"),
        format!("“{login_name}” starts with WP: login names starting with WP are reserved for accounts migrated from the old foreign-work system and cannot be registered. Choose a login name that does not start with WP. If you had an account in the old system, log in with WP + your old name or the old name; if you forgot the password, reset it by login name."),
    )
    .action("/login", "去登录", "Log in")
    .action("/password-reset", "登录名重置密码", "Reset password by login name")
}

/// FAQ 1(2) and 2: the organization already has a legal-entity account.
pub fn organization_registered() -> Guidance {
    Guidance::new(
        "registration.organization_registered",
        "该单位已注册法人账号。请先询问单位其他同事是否持有法人账号；如账号密码遗失，请通过“单位法人申诉找回”找回（需上传加盖公章并本人签字的证件正反面）。",
        "This organization already has a legal-entity account. Ask your colleagues whether one of them holds it; if it is lost, recover it with a legal-entity recovery appeal (upload both sides of the ID card, stamped with the official seal and signed).",
    )
    .action("/appeal/legal-entity", "单位法人申诉找回", "Legal-entity recovery appeal")
    .action("/password-reset", "忘记密码", "Forgot password")
}

pub fn organization_available() -> Guidance {
    Guidance::new(
        "registration.organization_available",
        "单位名称和统一社会信用代码都未被注册，可以注册单位用户（法人）。",
        "Neither the organization name nor the USCC is registered: you can register the organization (legal entity).",
    )
    .action("/register/legal-entity", "注册单位用户（法人）", "Register the organization (legal entity)")
}

/// FAQ 3.3: the document is bound to another natural-person account.
pub fn document_bound() -> Guidance {
    Guidance::new(
        "registration.document_registered",
        "该证件号码已绑定本平台的自然人账号。请通过“自然人用户申诉找回密码”找回绑定该证件的账号。",
        "This document number is already bound to a natural-person account here. Recover that account with a natural-person recovery appeal.",
    )
    .action("/appeal/natural-person", "自然人用户申诉找回", "Natural-person recovery appeal")
    .action("/password-reset", "忘记密码", "Forgot password")
}

pub fn login_name_taken(login_name: &LoginName) -> AppError {
    with_guidance(
        AppError::new(
            "registration.login_name_taken",
            409,
            format!("登录名“{login_name}”已被注册。"),
            format!("The login name “{login_name}” is already registered."),
        )
        .with_field("login_name"),
        reset_by_login_name(login_name.as_str()),
    )
}

/// A registration with a `WP` login name ([`legacy_prefix_reserved`]).
pub fn login_name_reserved(login_name: &LoginName) -> AppError {
    with_guidance(
        AppError::new(
            "registration.login_name_reserved",
            400,
            format!("登录名“{login_name}”不能注册：WP 开头的登录名留给从原系统迁移的账号。请换一个登录名；原系统用户请用 WP+原登录名登录或重置密码。"),
            format!("The login name “{login_name}” cannot be registered: login names starting with WP are reserved for accounts migrated from the old system. Choose another name; users of the old system log in with WP + the old name, or reset the password."),
        )
        .with_field("login_name"),
        legacy_prefix_reserved(login_name),
    )
}

pub fn org_name_taken() -> AppError {
    with_guidance(
        AppError::new(
            "registration.org_name_taken",
            409,
            "该单位名称已注册法人账号。",
            "An account is already registered for this organization name.",
        )
        .with_field("org_name"),
        organization_registered(),
    )
}

pub fn uscc_taken() -> AppError {
    with_guidance(
        AppError::new(
            "registration.uscc_taken",
            409,
            "该统一社会信用代码已注册法人账号。",
            "An account is already registered for this Unified Social Credit Code.",
        )
        .with_field("uscc"),
        organization_registered(),
    )
}

pub fn document_taken() -> AppError {
    with_guidance(
        AppError::new(
            "registration.document_taken",
            409,
            "该证件号码已绑定其他自然人账号。",
            "This document number is already bound to another natural-person account.",
        )
        .with_field("document_number"),
        document_bound(),
    )
}
