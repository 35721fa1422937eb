//! One definition per form field, expanded where a page uses it.
//!
//! A page writes `<x-field name="login_name" maxlength="50" required></x-field>`;
//! [`expand`] turns it, before the page goes into the layout, into the
//! field's whole block: the `div.field` with id `field-X`, the label with
//! the required or optional marker, the hint `X-hint`, the error `X-error`
//! and the control (`input`, `select` or `textarea`) with its
//! `aria-describedby` and attributes, the same markup everywhere, so the
//! scripts find the same ids and classes on every page. A group of fields
//! that several pages share is a fragment, `static/_fields/NAME.html`,
//! written with `x-field`s and placed with `<x-group name="NAME"></x-group>`.
//!
//! What a page may say on an `x-field`:
//!
//! | attribute | meaning |
//! |---|---|
//! | `name` | the field's definition in [`FIELDS`] (required) |
//! | `id` | the control's id and name when it is not the definition's name |
//! | `required` | the control is required and the label says so (必填) |
//! | `marker="optional"` / `marker="none"` | the label says 选填 / has no marker |
//! | `hint="KEY"` / `hint="none"` | another hint than the definition's / none |
//! | `hidden` | the field starts hidden (a script shows it) |
//! | `autocomplete`, `maxlength`, `class` | the control's, instead of the definition's (inputs and text areas) |
//!
//! Inside an `x-field`, a `<button>` stands beside the control (both in a
//! `div.input-row`); any other element comes under it, inside the field.
//! On an `x-group`, `FIELD.ATTRIBUTE="value"` sets one attribute of one of
//! the group's fields (`document_type.hint="..."`).
//!
//! Anything else (an unknown field, group, element or attribute, a value
//! that is not of its attribute's form, an unclosed tag) is an error that
//! names the file and line; values are checked against their form, so none
//! can break out of its attribute.

/// A form field: its name (the control's id and name unless a page says
/// otherwise), the keys of its label and hint, and its control.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub control: Control,
}

#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// An `<input>` with these attributes, in this order.
    Input(&'static [(&'static str, &'static str)]),
    /// A `<select>`: the "please choose" option, then (value, text key) each.
    Select(&'static [(&'static str, &'static str)]),
    /// A `<textarea>` with these attributes.
    Textarea(&'static [(&'static str, &'static str)]),
    /// A scan to upload (`input type=file`), with the upload rules under its
    /// hint and the chosen file's name under it.
    File,
}

/// What a file field accepts (the upload rules: JPEG, PNG or PDF).
pub const ACCEPT: &str = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf";

const PASSWORD: &[(&str, &str)] = &[("type", "password"), ("autocomplete", "new-password"), ("maxlength", "128")];
/// A code typed as printed: unified social credit codes, document numbers.
const CODE: &[(&str, &str)] =
    &[("class", "code"), ("autocapitalize", "characters"), ("spellcheck", "false"), ("autocomplete", "off"), ("maxlength", "40")];
const PERSON_NAME: &[(&str, &str)] = &[("autocomplete", "name"), ("maxlength", "100")];
const NATIONALITY: &[(&str, &str)] =
    &[("class", "code short"), ("autocapitalize", "characters"), ("spellcheck", "false"), ("autocomplete", "off"), ("maxlength", "3")];
const MOBILE: &[(&str, &str)] = &[("type", "tel"), ("autocomplete", "tel"), ("inputmode", "tel"), ("maxlength", "20")];
/// The document types (`shared::identity::DocumentType`), in its order.
const DOCUMENT_TYPES: &[(&str, &str)] = &[
    ("", "field.document_type.choose"),
    ("resident_id", "doc.resident_id"),
    ("permanent_resident_id", "doc.permanent_resident_id"),
    ("passport", "doc.passport"),
    ("hk_mo_permit", "doc.hk_mo_permit"),
    ("tw_permit", "doc.tw_permit"),
    ("hk_mo_tw_residence_permit", "doc.hk_mo_tw_residence_permit"),
];

const fn input(name: &'static str, label: &'static str, hint: &'static str, attrs: &'static [(&'static str, &'static str)]) -> Field {
    Field { name, label, hint, control: Control::Input(attrs) }
}

const fn file(name: &'static str, label: &'static str, hint: &'static str) -> Field {
    Field { name, label, hint, control: Control::File }
}

/// Every form field of the site.
pub const FIELDS: &[Field] = &[
    // An existing login name: legacy names of migrated accounts are longer
    // than a new one may be (a new name: maxlength="50").
    input(
        "login_name",
        "field.login_name",
        "field.login_name.hint",
        &[("autocomplete", "username"), ("autocapitalize", "none"), ("spellcheck", "false"), ("maxlength", "60")],
    ),
    input("password", "field.password", "field.password.hint", PASSWORD),
    input("password_confirm", "field.password_confirm", "field.password_confirm.hint", PASSWORD),
    input("new_password", "reset.new_password", "reset.new_password.hint", PASSWORD),
    input("new_password_confirm", "reset.new_password_confirm", "reset.new_password_confirm.hint", PASSWORD),
    input("org_name", "field.org_name", "field.org_name.hint", &[("autocomplete", "organization"), ("maxlength", "200")]),
    input("uscc", "field.uscc", "field.uscc.hint", CODE),
    input(
        "legal_representative_name",
        "field.legal_representative_name",
        "field.legal_representative_name.hint",
        &[("autocomplete", "off"), ("maxlength", "100")],
    ),
    input("real_name", "field.real_name", "field.real_name.hint", PERSON_NAME),
    input("applicant_name", "field.applicant_name", "field.applicant_name.hint", PERSON_NAME),
    Field { name: "document_type", label: "field.document_type", hint: "field.document_type.hint", control: Control::Select(DOCUMENT_TYPES) },
    Field {
        name: "applicant_document_type",
        label: "field.applicant_document_type",
        hint: "field.applicant_document_type.hint",
        control: Control::Select(DOCUMENT_TYPES),
    },
    input("document_number", "field.document_number", "field.document_number.hint", CODE),
    input("applicant_document_number", "field.applicant_document_number", "field.document_number.hint", CODE),
    input("nationality", "field.nationality", "field.nationality.hint", NATIONALITY),
    input("applicant_nationality", "field.applicant_nationality", "field.nationality.hint", NATIONALITY),
    input("mobile", "field.mobile", "field.mobile.hint", MOBILE),
    input("new_mobile", "field.new_mobile", "field.new_mobile.hint", MOBILE),
    input(
        "sms_code",
        "field.sms_code",
        "field.sms_code.hint",
        &[("class", "code"), ("autocomplete", "one-time-code"), ("inputmode", "numeric"), ("maxlength", "10")],
    ),
    input("appeal_number", "field.appeal_number", "field.appeal_number.hint", CODE),
    // A grant's validity period (grant management): both optional.
    input("effective_from", "grants.effective_from", "grants.effective_from.hint", &[("type", "date")]),
    input("expires_at", "grants.expires_at", "grants.expires_at.hint", &[("type", "date")]),
    Field { name: "reason", label: "field.reason", hint: "field.reason.hint", control: Control::Textarea(&[("rows", "4"), ("maxlength", "500")]) },
    // A reviewer's role (`shared::review::reviewer::Role`); none chosen: reviewer.
    Field {
        name: "reviewer_role",
        label: "review.add.role",
        hint: "review.add.role.hint",
        control: Control::Select(&[("", "review.add.role.choose"), ("reviewer", "review.role.reviewer"), ("lead", "review.role.lead")]),
    },
    file("id_front", "file.id_front", "file.id.hint"),
    file("id_back", "file.id_back", "file.id.hint"),
    file("business_licence", "file.business_licence", "file.business_licence.hint"),
    file("document_front", "file.document_front", "file.document.hint"),
    file("document_back", "file.document_back", "file.document.hint"),
];

/// The definition named `name`.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The file a group is kept in: `/_fields/NAME.html` (names are lowercase
/// letters, digits and `-`; anything else is no group).
pub fn group_file(name: &str) -> Option<String> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then(|| format!("/_fields/{name}.html"))
}

/// Groups inside groups: deeper than this, a group includes itself.
const MAX_DEPTH: usize = 4;

/// Expands every `x-field` and `x-group` of a page (`file` names it in
/// errors); `groups` gives a group's fragment by name (`None`: no such
/// group). Everything else is left as it is. The error says where and what.
pub fn expand(file: &str, page: &str, groups: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    expand_in(file, page, &mut Vec::new(), groups, 0)
}

/// One attribute a group sets on one of its fields, and whether a field
/// of the group took it.
struct Setting<'a> {
    field: &'a str,
    attr: &'a str,
    value: &'a str,
    used: bool,
}

fn expand_in<'t, 's: 't>(
    file: &str,
    text: &'t str,
    settings: &mut Vec<Setting<'s>>,
    groups: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let lt = at + found;
        let rest = &text[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(text.len(), |e| lt + e + 3);
            out.push_str(&text[at..end]);
            at = end;
            continue;
        }
        if rest.starts_with("</x-") {
            let line = text[..lt].matches('\n').count() + 1;
            return Err(format!("{file}:{line}: a closing tag with no <x-...> open"));
        }
        if !rest.starts_with("<x-") {
            out.push_str(&text[at..lt + 1]);
            at = lt + 1;
            continue;
        }
        let line = text[..lt].matches('\n').count() + 1;
        let place = |what: String| format!("{file}:{line}: {what}");
        let tag = super::StartTag::parse(rest).ok_or_else(|| place("an unclosed <x-...> tag".into()))?;
        let close = format!("</{}>", tag.name);
        let inner_end = rest[tag.end..].find(&close).ok_or_else(|| place(format!("<{}> without its {close}", tag.name)))? + tag.end;
        let inner = &rest[tag.end..inner_end];
        let indent = indent_before(text, lt);
        out.push_str(&text[at..lt]);
        match tag.name {
            "x-field" => {
                let block = field_block(&tag.attrs, inner, settings, indent).map_err(|e| place(format!("<x-field>: {e}")))?;
                out.push_str(&block);
            }
            "x-group" => {
                if depth >= MAX_DEPTH {
                    return Err(place(format!("groups nest deeper than {MAX_DEPTH}: does a group include itself?")));
                }
                let block = group_block(&tag.attrs, inner, groups, indent, depth).map_err(|e| place(format!("<x-group>: {e}")))?;
                out.push_str(&block);
            }
            other => return Err(place(format!("unknown element <{other}> (there are <x-field> and <x-group>)"))),
        }
        at = lt + inner_end + close.len();
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The white space between the start of the line and `at`, when only
/// white space stands there (the indentation of an expanded block's lines).
fn indent_before(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[start..at];
    if before.chars().all(|c| c == ' ' || c == '\t') { before } else { "" }
}

fn group_block(
    attrs: &[(&str, &str)],
    inner: &str,
    groups: &dyn Fn(&str) -> Option<String>,
    indent: &str,
    depth: usize,
) -> Result<String, String> {
    if !inner.trim().is_empty() {
        return Err("a group has no content of its own".into());
    }
    let mut name = None;
    let mut settings = Vec::new();
    for &(attr, value) in attrs {
        if attr == "name" {
            if name.replace(value).is_some() {
                return Err("name twice".into());
            }
        } else if let Some((field, field_attr)) = attr.split_once('.').filter(|(f, a)| is_id(f) && !a.is_empty() && !matches!(*a, "name" | "id")) {
            if settings.iter().any(|s: &Setting| s.field == field && s.attr == field_attr) {
                return Err(format!("{attr} twice"));
            }
            settings.push(Setting { field, attr: field_attr, value, used: false });
        } else {
            return Err(format!("unknown attribute {attr} (a group takes name and FIELD.ATTRIBUTE)"));
        }
    }
    let name = name.ok_or("no name")?;
    let file = group_file(name).ok_or_else(|| format!("bad group name {name:?}"))?;
    let fragment = groups(name).ok_or_else(|| format!("no group {name:?} (no file {file})"))?;
    let expanded = expand_in(&file, fragment.trim_end(), &mut settings, groups, depth + 1)?;
    if let Some(unused) = settings.iter().find(|s| !s.used) {
        return Err(format!("group {name:?} has no field {:?} to set {} on", unused.field, unused.attr));
    }
    Ok(reindent(&expanded, indent))
}

/// `block` with `indent` before each line but the first.
fn reindent(block: &str, indent: &str) -> String {
    block.replace('\n', &format!("\n{indent}"))
}

/// What a page asked of one field.
struct Use<'a> {
    def: &'static Field,
    id: &'a str,
    required: bool,
    marker: Option<&'static str>,
    hint: Option<&'a str>,
    hidden: bool,
    control: Vec<(&'a str, &'a str)>,
}

fn field_use<'a, 's: 'a>(attrs: &[(&'a str, &'a str)], settings: &mut [Setting<'s>]) -> Result<Use<'a>, String> {
    let mut given: Vec<(&'a str, &'a str)> = Vec::new();
    for &(attr, value) in attrs {
        if given.iter().any(|(a, _)| *a == attr) {
            return Err(format!("{attr} twice"));
        }
        given.push((attr, value));
    }
    let name = given.iter().find(|(a, _)| *a == "name").map(|(_, v)| *v).ok_or("no name")?;
    let def = field(name).ok_or_else(|| {
        let known: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        format!("no field named {name:?} (fields: {})", known.join(", "))
    })?;
    let id = given.iter().find(|(a, _)| *a == "id").map_or(def.name, |(_, v)| *v);
    // What the group the field is in sets on it, over what it says.
    for s in settings.iter_mut().filter(|s| s.field == id) {
        s.used = true;
        match given.iter_mut().find(|(a, _)| *a == s.attr) {
            Some(slot) => slot.1 = s.value,
            None => given.push((s.attr, s.value)),
        }
    }
    let mut u = Use { def, id, required: false, marker: None, hint: None, hidden: false, control: Vec::new() };
    let mut marker = None;
    for &(attr, value) in &given {
        match attr {
            "name" => {}
            "id" if is_id(value) => {}
            "required" | "hidden" if !value.is_empty() => return Err(format!("{attr} takes no value")),
            "required" => u.required = true,
            "hidden" => u.hidden = true,
            "marker" => marker = Some(value),
            "hint" if value == "none" || is_key(value) => u.hint = Some(value),
            "autocomplete" | "maxlength" | "class" => {
                if !matches!(def.control, Control::Input(_) | Control::Textarea(_)) {
                    return Err(format!("field {name:?} takes no {attr} (only inputs and text areas do)"));
                }
                let fits = match attr {
                    "maxlength" => !value.is_empty() && value.len() <= 5 && !value.starts_with('0') && value.bytes().all(|b| b.is_ascii_digit()),
                    "autocomplete" => tokens(value, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    _ => tokens(value, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                };
                if !fits {
                    return Err(format!("{attr}={value:?} is not of its form"));
                }
                u.control.push((attr, value));
            }
            "id" | "hint" => return Err(format!("{attr}={value:?} is not of its form")),
            other => {
                return Err(format!(
                    "unknown attribute {other} (a field takes name, id, required, marker, hint, hidden, autocomplete, maxlength, class)"
                ));
            }
        }
    }
    u.marker = match (marker, u.required) {
        (None, true) => Some("form.required"),
        (None, false) | (Some("none"), _) => None,
        (Some("optional"), false) => Some("form.optional"),
        (Some("optional"), true) => return Err("a required field marked optional".into()),
        (Some(other), _) => return Err(format!("marker={other:?} (optional or none)")),
    };
    Ok(u)
}

/// An id or a field's name: `a-z`, then `a-z`, `0-9`, `_`.
fn is_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A text key: `section.name[.more]`.
fn is_key(s: &str) -> bool {
    let mut parts = s.split('.');
    parts.next().is_some_and(is_id) && s.contains('.') && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
}

/// Words of `ok` characters, one space between them.
fn tokens(s: &str, ok: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.split(' ').all(|w| !w.is_empty() && w.chars().all(&ok))
}

/// The children of an `x-field`: buttons (beside the control) and the
/// rest (under it), each as written.
fn children(inner: &str) -> Result<(Vec<&str>, Vec<&str>), String> {
    let (mut beside, mut under) = (Vec::new(), Vec::new());
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let tag = super::StartTag::parse(rest).ok_or_else(|| format!("text in a field: {:?}", rest.lines().next().unwrap_or("")))?;
        let name = tag.name.to_ascii_lowercase();
        let end = if VOID.contains(&name.as_str()) { tag.end } else { element_end(rest, &name, tag.end)? };
        if name == "button" { beside.push(&rest[..end]) } else { under.push(&rest[..end]) }
        rest = rest[end..].trim_start();
    }
    Ok((beside, under))
}

const VOID: &[&str] = &["br", "hr", "img", "input", "wbr"];

/// Where the element `name` that starts `s` (its start tag ends at `from`)
/// ends, counting nested elements of the same name.
fn element_end(s: &str, name: &str, from: usize) -> Result<usize, String> {
    let lower = s.to_ascii_lowercase();
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let (mut depth, mut at) = (1, from);
    loop {
        let next_close = lower[at..].find(&close).ok_or_else(|| format!("<{name}> without its {close}"))? + at;
        match lower[at..next_close].find(&open) {
            Some(o) if lower[at + o + open.len()..].starts_with([' ', '>', '\n', '\t']) => {
                depth += 1;
                at += o + open.len();
            }
            Some(o) => at += o + open.len(),
            None => {
                depth -= 1;
                at = next_close + close.len();
                if depth == 0 {
                    return Ok(at);
                }
            }
        }
    }
}

fn field_block<'a, 's: 'a>(attrs: &[(&'a str, &'a str)], inner: &'a str, settings: &mut [Setting<'s>], indent: &str) -> Result<String, String> {
    let u = field_use(attrs, settings)?;
    let (beside, under) = children(inner)?;
    let Use { def, id, .. } = u;
    let hint = match u.hint {
        Some("none") => None,
        Some(key) => Some(key),
        None => Some(def.hint),
    };
    let file = matches!(def.control, Control::File);
    let mut described = Vec::new();
    if hint.is_some() {
        described.push(format!("{id}-hint"));
    }
    described.push(format!("{id}-error"));
    if file {
        described.extend([format!("{id}-rules"), format!("{id}-chosen")]);
    }
    let described = described.join(" ");
    let required = if u.required { " required" } else { "" };

    let mut lines = vec![format!(
        "<div class=\"field{}\" id=\"field-{id}\"{}>",
        if file { " file-field" } else { "" },
        if u.hidden { " hidden" } else { "" }
    )];
    let marker = u.marker.map_or(String::new(), |key| format!(" <span class=\"req\" data-i18n=\"{key}\"></span>"));
    lines.push(format!("  <label for=\"{id}\"><span data-i18n=\"{}\"></span>{marker}</label>", def.label));
    if let Some(key) = hint {
        lines.push(format!("  <p class=\"field-hint\" id=\"{id}-hint\" data-i18n=\"{key}\"></p>"));
    }
    lines.push(format!("  <p class=\"field-error\" id=\"{id}-error\" hidden></p>"));
    let mut control = Vec::new();
    match def.control {
        Control::Input(own) => {
            control.push(format!("<input id=\"{id}\" name=\"{id}\" aria-describedby=\"{described}\"{}{required}>", attributes(own, &u.control)));
        }
        Control::Textarea(own) => control.push(format!(
            "<textarea id=\"{id}\" name=\"{id}\" aria-describedby=\"{described}\"{}{required}></textarea>",
            attributes(own, &u.control)
        )),
        Control::Select(options) => {
            control.push(format!("<select id=\"{id}\" name=\"{id}\" aria-describedby=\"{described}\"{required}>"));
            control.extend(options.iter().map(|(value, key)| format!("  <option value=\"{value}\" data-i18n=\"{key}\"></option>")));
            control.push("</select>".into());
        }
        Control::File => {
            lines.push(format!("  <p class=\"file-rules\" id=\"{id}-rules\" data-i18n=\"file.rules_short\"></p>"));
            control.push(format!("<input id=\"{id}\" name=\"{id}\" type=\"file\" accept=\"{ACCEPT}\" aria-describedby=\"{described}\"{required}>"));
        }
    }
    if beside.is_empty() {
        lines.extend(control.into_iter().map(|l| format!("  {l}")));
    } else {
        lines.push("  <div class=\"input-row\">".into());
        lines.extend(control.into_iter().chain(beside.iter().map(|b| (*b).to_owned())).map(|l| format!("    {l}")));
        lines.push("  </div>".into());
    }
    if file {
        lines.push(format!("  <p class=\"file-chosen\" id=\"{id}-chosen\" hidden></p>"));
    }
    lines.extend(under.iter().map(|b| format!("  {b}")));
    lines.push("</div>".into());
    Ok(lines.join(&format!("\n{indent}")))
}

/// The control's attributes: the definition's, each replaced where the
/// page gives its own, then the page's others; values are escaped.
fn attributes(own: &[(&str, &str)], given: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = own.to_vec();
    for &(attr, value) in given {
        match all.iter_mut().find(|(a, _)| *a == attr) {
            Some(slot) => slot.1 = value,
            None => all.push((attr, value)),
        }
    }
    all.iter().map(|(attr, value)| format!(" {attr}=\"{}\"", super::escape(value))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn no_groups(_: &str) -> Option<String> {
        None
    }

    fn one(page: &str) -> String {
        expand("/a.html", page, &no_groups).unwrap()
    }

    fn error(page: &str) -> String {
        expand("/a.html", page, &no_groups).unwrap_err()
    }

    #[test]
    fn a_text_input_is_its_whole_block_indented_where_it_stands() {
        assert_eq!(
            one("<form>\n  <x-field name=\"login_name\" maxlength=\"50\" required></x-field>\n</form>"),
            "<form>\n  <div class=\"field\" id=\"field-login_name\">
    <label for=\"login_name\"><span data-i18n=\"field.login_name\"></span> <span class=\"req\" data-i18n=\"form.required\"></span></label>
    <p class=\"field-hint\" id=\"login_name-hint\" data-i18n=\"field.login_name.hint\"></p>
    <p class=\"field-error\" id=\"login_name-error\" hidden></p>
    <input id=\"login_name\" name=\"login_name\" aria-describedby=\"login_name-hint login_name-error\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"50\" required>
  </div>\n</form>"
        );
    }

    #[test]
    fn a_page_sets_the_id_hint_marker_and_the_controls_attributes() {
        let html = one("<x-field name=\"password\" id=\"new_password\" hint=\"none\" autocomplete=\"current-password\" class=\"wide\" hidden></x-field>");
        assert_eq!(
            html,
            "<div class=\"field\" id=\"field-new_password\" hidden>
  <label for=\"new_password\"><span data-i18n=\"field.password\"></span></label>
  <p class=\"field-error\" id=\"new_password-error\" hidden></p>
  <input id=\"new_password\" name=\"new_password\" aria-describedby=\"new_password-error\" type=\"password\" autocomplete=\"current-password\" maxlength=\"128\" class=\"wide\">
</div>"
        );
        let optional = one("<x-field name=\"org_name\" marker=\"optional\" hint=\"field.other.hint\"></x-field>");
        assert!(optional.contains("<span data-i18n=\"field.org_name\"></span> <span class=\"req\" data-i18n=\"form.optional\"></span></label>"), "{optional}");
        assert!(optional.contains("<p class=\"field-hint\" id=\"org_name-hint\" data-i18n=\"field.other.hint\"></p>"), "{optional}");
        let unmarked = one("<x-field name=\"login_name\" marker=\"none\" required></x-field>");
        assert!(unmarked.contains("<label for=\"login_name\"><span data-i18n=\"field.login_name\"></span></label>"), "{unmarked}");
        assert!(unmarked.contains(" required>"), "{unmarked}");
    }

    #[test]
    fn selects_text_areas_and_files_have_their_own_markup() {
        let select = one("<x-field name=\"document_type\" required></x-field>");
        assert!(select.contains("\n  <select id=\"document_type\" name=\"document_type\" aria-describedby=\"document_type-hint document_type-error\" required>\n    <option value=\"\" data-i18n=\"field.document_type.choose\"></option>\n    <option value=\"resident_id\" data-i18n=\"doc.resident_id\"></option>\n"), "{select}");
        assert!(select.contains("<option value=\"hk_mo_tw_residence_permit\" data-i18n=\"doc.hk_mo_tw_residence_permit\"></option>\n  </select>\n</div>"), "{select}");
        let reason = one("<x-field name=\"reason\" maxlength=\"300\" required></x-field>");
        assert!(reason.contains("<textarea id=\"reason\" name=\"reason\" aria-describedby=\"reason-hint reason-error\" rows=\"4\" maxlength=\"300\" required></textarea>"), "{reason}");
        let scan = one("<x-field name=\"business_licence\" marker=\"optional\"></x-field>");
        assert_eq!(
            scan,
            format!(
                "<div class=\"field file-field\" id=\"field-business_licence\">
  <label for=\"business_licence\"><span data-i18n=\"file.business_licence\"></span> <span class=\"req\" data-i18n=\"form.optional\"></span></label>
  <p class=\"field-hint\" id=\"business_licence-hint\" data-i18n=\"file.business_licence.hint\"></p>
  <p class=\"field-error\" id=\"business_licence-error\" hidden></p>
  <p class=\"file-rules\" id=\"business_licence-rules\" data-i18n=\"file.rules_short\"></p>
  <input id=\"business_licence\" name=\"business_licence\" type=\"file\" accept=\"{ACCEPT}\" aria-describedby=\"business_licence-hint business_licence-error business_licence-rules business_licence-chosen\">
  <p class=\"file-chosen\" id=\"business_licence-chosen\" hidden></p>
</div>"
            )
        );
    }

    #[test]
    fn buttons_stand_beside_the_control_and_other_elements_under_it() {
        let html = one("<x-field name=\"sms_code\" required>\n  <button type=\"button\" id=\"send\"><span data-i18n=\"a.b\"></span></button>\n  <p id=\"note\" hidden></p>\n</x-field>");
        assert!(
            html.ends_with(
                "  <div class=\"input-row\">
    <input id=\"sms_code\" name=\"sms_code\" aria-describedby=\"sms_code-hint sms_code-error\" class=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" maxlength=\"10\" required>
    <button type=\"button\" id=\"send\"><span data-i18n=\"a.b\"></span></button>
  </div>
  <p id=\"note\" hidden></p>
</div>"
            ),
            "{html}"
        );
    }

    #[test]
    fn everything_else_is_left_as_it_is() {
        for same in ["<p>a < b</p>", "<!-- <x-field name=\"nope\"></x-field> -->", "<xfield></xfield>", ""] {
            assert_eq!(one(same), same);
        }
    }

    #[test]
    fn a_group_is_its_fragment_with_what_the_page_sets_on_its_fields() {
        let groups = |name: &str| match name {
            "pair" => Some("<fieldset>\n  <x-field name=\"mobile\" required></x-field>\n  <x-group name=\"code\"></x-group>\n</fieldset>\n".to_owned()),
            "code" => Some("<x-field name=\"sms_code\"></x-field>\n<p id=\"status\"></p>".to_owned()),
            "person" => Some("<x-field name=\"real_name\"></x-field>\n<x-field name=\"document_type\"></x-field>".to_owned()),
            _ => None,
        };
        let html = expand("/a.html", "<form>\n    <x-group name=\"pair\"></x-group>\n</form>", &groups).unwrap();
        assert!(html.starts_with("<form>\n    <fieldset>\n      <div class=\"field\" id=\"field-mobile\">\n        <label for=\"mobile\">"), "{html}");
        assert!(html.contains("\n      </div>\n      <div class=\"field\" id=\"field-sms_code\">\n"), "nested groups, indented: {html}");
        assert!(html.ends_with("\n      <p id=\"status\"></p>\n    </fieldset>\n</form>"), "{html}");

        let set = expand("/a.html", "<x-group name=\"person\" document_type.hint=\"a.other\" real_name.required></x-group>", &groups).unwrap();
        assert!(set.contains("data-i18n=\"a.other\""), "{set}");
        assert!(set.contains("aria-describedby=\"real_name-hint real_name-error\" autocomplete=\"name\" maxlength=\"100\" required>"), "{set}");
        assert!(set.contains("aria-describedby=\"document_type-hint document_type-error\">"), "only on that field: {set}");

        let errors = |page: &str| expand("/p.html", page, &groups).unwrap_err();
        assert_eq!(errors("<x-group name=\"nope\"></x-group>"), "/p.html:1: <x-group>: no group \"nope\" (no file /_fields/nope.html)");
        assert_eq!(errors("<x-group name=\"../x\"></x-group>"), "/p.html:1: <x-group>: bad group name \"../x\"");
        assert_eq!(
            errors("<x-group name=\"person\" nationality.hidden></x-group>"),
            "/p.html:1: <x-group>: group \"person\" has no field \"nationality\" to set hidden on"
        );
        assert_eq!(
            errors("<x-group name=\"person\" real_name.colour=\"red\"></x-group>"),
            "/p.html:1: <x-group>: /_fields/person.html:1: <x-field>: unknown attribute colour (a field takes name, id, required, marker, hint, hidden, autocomplete, maxlength, class)"
        );
        assert!(errors("<x-group name=\"person\" real_name.name=\"mobile\"></x-group>").contains("unknown attribute real_name.name"));
        assert_eq!(errors("<x-group name=\"person\">x</x-group>"), "/p.html:1: <x-group>: a group has no content of its own");
        let looping = |_: &str| Some("<x-group name=\"again\"></x-group>".to_owned());
        assert!(expand("/p.html", "<x-group name=\"again\"></x-group>", &looping).unwrap_err().ends_with("groups nest deeper than 4: does a group include itself?"));
    }

    #[test]
    fn a_field_that_is_not_as_defined_is_an_error_naming_the_file_and_line() {
        assert!(error("<main>\n\n<x-field name=\"login_nam\"></x-field>").starts_with("/a.html:3: <x-field>: no field named \"login_nam\" (fields: login_name, password,"));
        assert_eq!(error("<x-field></x-field>"), "/a.html:1: <x-field>: no name");
        assert_eq!(error("<x-field name=\"uscc\" requierd></x-field>").split(" (").next().unwrap(), "/a.html:1: <x-field>: unknown attribute requierd");
        assert_eq!(error("<x-field name=\"uscc\" name=\"uscc\"></x-field>"), "/a.html:1: <x-field>: name twice");
        assert_eq!(error("<x-field name=\"uscc\" required=\"no\"></x-field>"), "/a.html:1: <x-field>: required takes no value");
        assert_eq!(error("<x-field name=\"uscc\" marker=\"maybe\"></x-field>"), "/a.html:1: <x-field>: marker=\"maybe\" (optional or none)");
        assert_eq!(error("<x-field name=\"uscc\" marker=\"optional\" required></x-field>"), "/a.html:1: <x-field>: a required field marked optional");
        assert_eq!(
            error("<x-field name=\"document_type\" maxlength=\"9\"></x-field>"),
            "/a.html:1: <x-field>: field \"document_type\" takes no maxlength (only inputs and text areas do)"
        );
        assert_eq!(error("<x-field name=\"uscc\">some text</x-field>"), "/a.html:1: <x-field>: text in a field: \"some text\"");
        assert_eq!(error("<x-field name=\"uscc\"><p></x-field>"), "/a.html:1: <x-field>: <p> without its </p>");
        assert_eq!(error("<x-field name=\"uscc\">"), "/a.html:1: <x-field> without its </x-field>");
        assert_eq!(error("<x-field name=\"uscc\""), "/a.html:1: an unclosed <x-...> tag");
        assert_eq!(error("</x-field>"), "/a.html:1: a closing tag with no <x-...> open");
        assert_eq!(error("<x-feild name=\"uscc\"></x-feild>"), "/a.html:1: unknown element <x-feild> (there are <x-field> and <x-group>)");
    }

    #[test]
    fn values_are_checked_against_their_form_so_none_breaks_out_of_its_attribute() {
        for (attr, bad) in [
            ("maxlength", "\"><script>"),
            ("maxlength", "050"),
            ("maxlength", "-1"),
            ("maxlength", ""),
            ("class", "a\" onclick=\"x"),
            ("class", "a  b"),
            ("autocomplete", "user<name"),
            ("id", "Login"),
            ("id", "a\"b"),
            ("hint", "no key"),
            ("hint", "\"x.y"),
        ] {
            let page = format!("<x-field name=\"uscc\" {attr}='{bad}'></x-field>");
            assert_eq!(error(&page), format!("/a.html:1: <x-field>: {attr}={bad:?} is not of its form"), "{page}");
        }
        // What passes needs no escaping, and is escaped anyway.
        assert!(one("<x-field name=\"uscc\" class='code wide-2' maxlength='9'></x-field>").contains(" class=\"code wide-2\" autocapitalize=\"characters\" spellcheck=\"false\" autocomplete=\"off\" maxlength=\"9\">"));
    }

    #[test]
    fn the_definitions_agree_with_the_domain() {
        let choices: Vec<&str> = DOCUMENT_TYPES.iter().skip(1).map(|(value, _)| *value).collect();
        assert_eq!(choices, crate::identity::DocumentType::ALL.map(|t| t.code()), "the select offers every document type, in order");
        for (value, key) in &DOCUMENT_TYPES[1..] {
            assert_eq!(*key, format!("doc.{value}"));
        }
        for slot in crate::appeal::LEGAL_ENTITY_DOCUMENTS.iter().chain(crate::appeal::NATURAL_PERSON_DOCUMENTS) {
            assert!(matches!(field(slot.field).map(|f| f.control), Some(Control::File)), "a file field for {}", slot.field);
        }
        let mut names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len(), "one definition per field");
    }

    // ------------------------------------------------------ the real site
    fn site() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../static")
    }

    fn pages(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name.starts_with('_') {
                continue;
            }
            if path.is_dir() {
                pages(&path, out);
            } else if name.ends_with(".html") {
                out.push(path.strip_prefix(site()).unwrap().to_str().unwrap().to_owned());
            }
        }
    }

    fn groups(name: &str) -> Option<String> {
        std::fs::read_to_string(site().join(group_file(name)?.trim_start_matches('/'))).ok()
    }

    fn expanded(page: &str) -> String {
        let text = std::fs::read_to_string(site().join(page)).unwrap();
        expand(&format!("/{page}"), &text, &groups).unwrap()
    }

    #[test]
    fn every_page_of_the_site_renders() {
        let read = |name: &str| std::fs::read_to_string(site().join(name)).unwrap();
        let (layout, texts) = (read("_layout.html"), crate::site::Texts::parse(read("js/texts.json").as_bytes()).unwrap());
        let mut all = Vec::new();
        pages(&site(), &mut all);
        assert!(all.len() > 10, "{all:?}");
        for page in all {
            let html = crate::site::render_page(&layout, &format!("/{page}"), &read(&page), &texts, &groups);
            let html = html.unwrap_or_else(|e| panic!("{page}: {e}"));
            assert!(!html.contains("<x-"), "{page}: everything expanded");
        }
    }

    #[test]
    fn the_grant_dates_render_as_they_were_written_by_hand() {
        for page in ["grants.html", "grants/new.html"] {
            let html = expanded(page);
            for line in [
                r#"<label for="effective_from"><span data-i18n="grants.effective_from"></span> <span class="req" data-i18n="form.optional"></span></label>"#,
                r#"<input id="effective_from" name="effective_from" aria-describedby="effective_from-hint effective_from-error" type="date">"#,
                r#"<p class="field-error" id="expires_at-error" hidden></p>"#,
                r#"<input id="expires_at" name="expires_at" aria-describedby="expires_at-hint expires_at-error" type="date">"#,
            ] {
                assert!(html.contains(line), "{page}: {line}\n{html}");
            }
        }
    }

    /// The markup each kind of field had before it had one definition
    /// (from the page files as they were written by hand).
    #[test]
    fn converted_pages_render_the_same_field_markup_as_before() {
        let text_input = r#"
      <div class="field" id="field-login_name">
        <label for="login_name"><span data-i18n="field.login_name"></span> <span class="req" data-i18n="form.required"></span></label>
        <p class="field-hint" id="login_name-hint" data-i18n="field.login_name.hint"></p>
        <p class="field-error" id="login_name-error" hidden></p>
        <input id="login_name" name="login_name" aria-describedby="login_name-hint login_name-error" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="50" required>
      </div>
"#;
        let password = r#"
      <div class="field" id="field-password">
        <label for="password"><span data-i18n="field.password"></span> <span class="req" data-i18n="form.required"></span></label>
        <p class="field-hint" id="password-hint" data-i18n="field.password.login_hint"></p>
        <p class="field-error" id="password-error" hidden></p>
        <input id="password" name="password" aria-describedby="password-hint password-error" type="password" autocomplete="current-password" maxlength="128" required>
      </div>
"#;
        let select = r#"
      <div class="field" id="field-document_type">
        <label for="document_type"><span data-i18n="field.document_type"></span> <span class="req" data-i18n="form.required"></span></label>
        <p class="field-hint" id="document_type-hint" data-i18n="field.document_type.hint"></p>
        <p class="field-error" id="document_type-error" hidden></p>
        <select id="document_type" name="document_type" aria-describedby="document_type-hint document_type-error" required>
          <option value="" data-i18n="field.document_type.choose"></option>
          <option value="resident_id" data-i18n="doc.resident_id"></option>
          <option value="permanent_resident_id" data-i18n="doc.permanent_resident_id"></option>
          <option value="passport" data-i18n="doc.passport"></option>
          <option value="hk_mo_permit" data-i18n="doc.hk_mo_permit"></option>
          <option value="tw_permit" data-i18n="doc.tw_permit"></option>
          <option value="hk_mo_tw_residence_permit" data-i18n="doc.hk_mo_tw_residence_permit"></option>
        </select>
      </div>
"#;
        let file = r#"
      <div class="field file-field" id="field-id_front">
        <label for="id_front"><span data-i18n="file.id_front"></span> <span class="req" data-i18n="form.required"></span></label>
        <p class="field-hint" id="id_front-hint" data-i18n="file.id.hint"></p>
        <p class="field-error" id="id_front-error" hidden></p>
        <p class="file-rules" id="id_front-rules" data-i18n="file.rules_short"></p>
        <input id="id_front" name="id_front" type="file" accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf" aria-describedby="id_front-hint id_front-error id_front-rules id_front-chosen" required>
        <p class="file-chosen" id="id_front-chosen" hidden></p>
      </div>
"#;
        for (page, before) in [
            ("register/legal-entity.html", text_input),
            ("login.html", password),
            ("register/natural-person.html", select),
            ("appeal/legal-entity.html", file),
        ] {
            let html = expanded(page);
            assert!(html.contains(before), "{page} has, as before,{before}in\n{html}");
        }
    }
}
