//! Rules of the static site: which file a browser path means, its content
//! type and caching, the security headers every page carries, and how a
//! page file is served: inside the one layout, its texts filled in.
//!
//! A page file in `static/` holds only its own part: its `<title>` key, its
//! script and its `<main>`. [`render_page`] puts it into the layout
//! (`static/_layout.html`: doctype, head, the header, the footer) through
//! a few named slots, then fills every `data-i18n` element and
//! `data-i18n-attr` attribute with its Chinese text from the dictionary
//! (`static/js/texts.json`, the same file the scripts use), so the page
//! arrives complete and styled and the browser switches it to English
//! when that is the chosen language. Before that, its form fields are
//! expanded from their one definition each ([`fields`]).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::percent_decode;

pub mod fields;

/// The route pattern of every page path (the site answers GET and HEAD only).
pub const ANY_PATH: &str = "/{*path}";
/// The layout every page is served in; never served itself.
pub const LAYOUT: &str = "/_layout.html";
/// The dictionary: `{"key": ["zh", "en"], ...}`.
pub const TEXTS: &str = "/js/texts.json";
/// The page an unknown path gets (with status 404).
pub const NOT_FOUND_PAGE: &str = "/404.html";

/// The files a path may mean, in order: `/` -> `/index.html`;
/// `/register` -> `/register.html`, then `/register/index.html`;
/// `/app.js` -> `/app.js`. Paths with `..`, backslashes, NUL or hidden
/// segments are refused (400), so nothing outside `static/` is reachable;
/// a segment starting with `_` (the layout) means no file (404).
pub fn candidates(path: &str) -> AppResult<Vec<String>> {
    let decoded = percent_decode(path, false).ok_or_else(bad_path)?;
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| s.starts_with('.') || s.contains('\\') || s.contains('\0')) {
        return Err(bad_path());
    }
    if segments.iter().any(|s| s.starts_with('_')) {
        return Ok(Vec::new());
    }
    let joined = format!("/{}", segments.join("/"));
    if segments.is_empty() {
        return Ok(vec!["/index.html".into()]);
    }
    let last = segments[segments.len() - 1];
    if last.contains('.') {
        Ok(vec![joined])
    } else {
        Ok(vec![format!("{joined}.html"), format!("{joined}/index.html")])
    }
}

fn bad_path() -> AppError {
    AppError::new("site.invalid_path", 400, "地址无效。", "That address is not valid.").with_field("path")
}

pub fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Pages are revalidated on every load (they change with releases);
/// scripts and styles may be cached briefly.
pub fn cache_control(file: &str) -> &'static str {
    if file.ends_with(".html") { "no-cache" } else { "public, max-age=300" }
}

/// Headers on every static response: no framing, no sniffing, scripts only
/// from this origin.
pub fn security_headers() -> [(&'static str, &'static str); 3] {
    [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ]
}

/// Is this file a page (served inside the layout), not an asset?
pub fn is_page(file: &str) -> bool {
    file.ends_with(".html")
}

/// What the header says and links, by the part of the site a page is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Where the brand leads.
    pub home: &'static str,
    /// The header's classes.
    pub header_class: &'static str,
    /// The key of the line under the platform's name.
    pub name_key: &'static str,
    /// The header's links before any script runs: (href, text key).
    pub nav: &'static [(&'static str, &'static str)],
}

/// The public site: 登录 and 注册 until the script knows who is logged in.
pub const PUBLIC: Area = Area {
    home: "/",
    header_class: "site-header",
    name_key: "site.system",
    nav: &[("/login", "nav.login"), ("/register", "nav.register")],
};

/// The back office (`/review/...`): its own colours and no public links.
pub const BACK_OFFICE: Area = Area { home: "/review", header_class: "site-header review-header", name_key: "review.site", nav: &[] };

/// The area of a page file.
pub fn area_of(file: &str) -> Area {
    if file.starts_with("/review/") { BACK_OFFICE } else { PUBLIC }
}

/// The dictionary of the front end: every user-facing text in zh and en.
#[derive(Debug, Clone, Default)]
pub struct Texts(BTreeMap<String, (String, String)>);

impl Texts {
    pub fn parse(json: &[u8]) -> AppResult<Texts> {
        serde_json::from_slice(json).map(Texts).map_err(|e| broken(format!("{TEXTS}: {e}")))
    }

    /// The text of `key` in `lang`; an unknown key shows itself (as the
    /// scripts' `t()` does; the front-end tests refuse unknown keys).
    pub fn get<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.0.get(key).map_or(key, |(zh, en)| lang.pick(zh, en))
    }
}

fn broken(cause: String) -> AppError {
    AppError::internal().with_cause(cause)
}

/// A page file inside the layout, in Chinese. Its `x-field`s and
/// `x-group`s are expanded first ([`fields::expand`]; `groups` gives a
/// group's fragment by name, `None` when there is none); `file` is the
/// page's path (`/register/legal-entity.html`): its area and the name in
/// errors. The layout's slots are `{{head}}` (the page's part before
/// `<main`: title and script), `{{main}}` (from `<main` on), and the
/// area's `{{home}}`, `{{header_class}}`, `{{area_name}}` and `{{nav}}`.
/// Slot values are put in once: text in a page that looks like a slot
/// stays as it is. A page that does not expand is an internal error whose
/// cause says where and why.
pub fn render_page(layout: &str, file: &str, page: &str, texts: &Texts, groups: &dyn Fn(&str) -> Option<String>) -> AppResult<String> {
    let page = fields::expand(file, page, groups).map_err(broken)?;
    let area = area_of(file);
    let at = page.find("<main").ok_or_else(|| broken("a page without <main>".into()))?;
    let (head, main) = (page[..at].trim(), page[at..].trim_end());
    let nav: String = area.nav.iter().map(|(href, key)| format!("<li><a href=\"{href}\" data-i18n=\"{key}\"></a></li>")).collect();
    let mut out = String::with_capacity(layout.len() + page.len());
    let mut rest = layout;
    while let Some(open) = rest.find("{{") {
        let close = rest[open..].find("}}").ok_or_else(|| broken(format!("{LAYOUT}: an unclosed slot")))? + open;
        out.push_str(&rest[..open]);
        out.push_str(match &rest[open + 2..close] {
            "head" => head,
            "main" => main,
            "home" => area.home,
            "header_class" => area.header_class,
            "area_name" => area.name_key,
            "nav" => &nav,
            other => return Err(broken(format!("{LAYOUT}: unknown slot {{{{{other}}}}}"))),
        });
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    Ok(fill_texts(&out, texts, Lang::Zh))
}

/// Fills the texts of an HTML document: an element with `data-i18n="key"`
/// gets the text as its content (the source leaves it empty), one with
/// `data-i18n-attr="aria-label:key; lang:key"` gets those attributes
/// (the source does not write them). `data-i18n-lang="en"` keeps an
/// element in that language. Text is escaped; comments and the contents
/// of `<script>` and `<style>` are left alone.
pub fn fill_texts(html: &str, texts: &Texts, lang: Lang) -> String {
    let mut out = String::with_capacity(html.len() * 3 / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(tag) = StartTag::parse(rest) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let own = match tag.attr("data-i18n-lang") {
            Some("en") => Lang::En,
            Some("zh") => Lang::Zh,
            _ => lang,
        };
        out.push_str(&rest[..tag.attrs_end]);
        if let Some(spec) = tag.attr("data-i18n-attr") {
            for (attr, key) in spec.split(';').filter_map(|p| p.split_once(':')) {
                let (attr, key) = (attr.trim(), key.trim());
                if !attr.is_empty() && !key.is_empty() {
                    let _ = write!(out, " {attr}=\"{}\"", escape(texts.get(key, own)));
                }
            }
        }
        out.push_str(&rest[tag.attrs_end..tag.end]);
        if let Some(key) = tag.attr("data-i18n") {
            out.push_str(&escape(texts.get(key, own)));
        }
        rest = &rest[tag.end..];
        if tag.name.eq_ignore_ascii_case("script") || tag.name.eq_ignore_ascii_case("style") {
            let close = format!("</{}", tag.name.to_ascii_lowercase());
            let end = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// A start tag at the beginning of `s`: its name, attributes (values as
/// written), where its attributes end (before the white space and the `>`
/// or `/>` that close it) and where it ends.
struct StartTag<'a> {
    name: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
    attrs_end: usize,
    end: usize,
}

impl<'a> StartTag<'a> {
    fn parse(s: &'a str) -> Option<StartTag<'a>> {
        let b = s.as_bytes();
        if b.len() < 2 || b[0] != b'<' || !b[1].is_ascii_alphabetic() {
            return None;
        }
        let mut i = 1;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        let name = &s[1..i];
        let mut attrs = Vec::new();
        let mut attrs_end = i;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i)? {
                b'>' => return Some(StartTag { name, attrs, attrs_end, end: i + 1 }),
                b'/' if b.get(i + 1) == Some(&b'>') => return Some(StartTag { name, attrs, attrs_end, end: i + 2 }),
                _ => {}
            }
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            if i == start {
                i += 1; // a stray '/'
                continue;
            }
            let attr = &s[start..i];
            let after_name = i;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let v = i;
                if let &q @ (b'"' | b'\'') = b.get(i)? {
                    i = s[v + 1..].find(q as char)? + v + 1;
                    i += 1;
                    &s[v + 1..i - 1]
                } else {
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    &s[v..i]
                }
            } else {
                i = after_name; // a bare attribute
                ""
            };
            attrs.push((attr, value));
            attrs_end = i;
        }
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_clean_urls_to_files() {
        assert_eq!(candidates("/").unwrap(), vec!["/index.html"]);
        assert_eq!(candidates("").unwrap(), vec!["/index.html"]);
        assert_eq!(candidates("/register").unwrap(), vec!["/register.html", "/register/index.html"]);
        assert_eq!(candidates("/js/app.js").unwrap(), vec!["/js/app.js"]);
        assert_eq!(candidates("//js//app.js").unwrap(), vec!["/js/app.js"]);
    }

    #[test]
    fn refuses_traversal_and_hidden_files() {
        for bad in ["/../secret", "/%2e%2e/secret", "/a/..%2Fb", "/.git/config", "/a%5C..%5Cb", "/%00x", "/%FF"] {
            assert_eq!(candidates(bad).unwrap_err().code, "site.invalid_path", "{bad}");
        }
    }

    #[test]
    fn the_layout_is_no_page() {
        assert_eq!(candidates("/_layout.html").unwrap(), Vec::<String>::new());
        assert_eq!(candidates("/_layout").unwrap(), Vec::<String>::new());
        assert_eq!(candidates("/review/_x.html").unwrap(), Vec::<String>::new());
    }

    fn texts() -> Texts {
        Texts::parse(
            r#"{"a.title": ["标题", "Title"], "a.text": ["<b>粗</b> & \"引\"", "Bold"], "nav.login": ["登录", "Log in"],
                "nav.register": ["注册", "Register"], "site.system": ["系统", "System"], "review.site": ["后台", "Back office"],
                "a.label": ["标签", "Label"]}"#
                .as_bytes(),
        )
        .unwrap()
    }

    fn no_groups(_: &str) -> Option<String> {
        None
    }

    const LAYOUT_HTML: &str = "<html><head>{{head}}</head><body><header class=\"{{header_class}}\"><a href=\"{{home}}\"><small data-i18n=\"{{area_name}}\"></small></a><ul id=\"account-nav\">{{nav}}</ul></header>{{main}}</body></html>";

    #[test]
    fn a_page_is_served_inside_the_layout_in_chinese() {
        let page = "<title data-i18n=\"a.title\"></title>\n<script type=\"module\" src=\"/js/a.js\"></script>\n<main id=\"main\"><h1 data-i18n=\"a.title\"></h1><p>{{main}}</p></main>\n";
        let html = render_page(LAYOUT_HTML, "/a.html", page, &texts(), &no_groups).unwrap();
        assert_eq!(
            html,
            "<html><head><title data-i18n=\"a.title\">标题</title>\n<script type=\"module\" src=\"/js/a.js\"></script></head><body>\
             <header class=\"site-header\"><a href=\"/\"><small data-i18n=\"site.system\">系统</small></a><ul id=\"account-nav\">\
             <li><a href=\"/login\" data-i18n=\"nav.login\">登录</a></li><li><a href=\"/register\" data-i18n=\"nav.register\">注册</a></li></ul></header>\
             <main id=\"main\"><h1 data-i18n=\"a.title\">标题</h1><p>{{main}}</p></main></body></html>",
            "slots once, texts filled, a page's own braces left alone"
        );
        let back = render_page(LAYOUT_HTML, "/review/index.html", page, &texts(), &no_groups).unwrap();
        assert!(back.contains("<header class=\"site-header review-header\"><a href=\"/review\"><small data-i18n=\"review.site\">后台</small>"), "{back}");
        assert!(back.contains("<ul id=\"account-nav\"></ul>"), "{back}");
        assert_eq!(area_of("/review.html"), PUBLIC);
    }

    #[test]
    fn a_broken_layout_or_page_is_an_internal_error() {
        let page = "<main></main>";
        assert_eq!(render_page("{{nope}}", "/a.html", page, &texts(), &no_groups).unwrap_err().code, "internal.unexpected");
        assert_eq!(render_page("{{main", "/a.html", page, &texts(), &no_groups).unwrap_err().code, "internal.unexpected");
        assert_eq!(render_page(LAYOUT_HTML, "/a.html", "<p>no main</p>", &texts(), &no_groups).unwrap_err().code, "internal.unexpected");
        let unknown = render_page(LAYOUT_HTML, "/a.html", "<main><x-field name=\"nope\"></x-field></main>", &texts(), &no_groups).unwrap_err();
        assert_eq!(unknown.code, "internal.unexpected");
        assert!(unknown.cause.as_deref().unwrap().starts_with("/a.html:1: <x-field>: no field named \"nope\""), "{unknown:?}");
        assert_eq!(Texts::parse(b"{\"a\": [\"only zh\"]}").unwrap_err().code, "internal.unexpected");
    }

    #[test]
    fn texts_are_escaped_and_attributes_filled() {
        let t = texts();
        assert_eq!(fill_texts("<p data-i18n=\"a.text\"></p>", &t, Lang::Zh), "<p data-i18n=\"a.text\">&lt;b&gt;粗&lt;/b&gt; &amp; &quot;引&quot;</p>");
        assert_eq!(
            fill_texts("<nav class=x data-i18n-attr='aria-label:a.label; title : a.title'><br/>", &t, Lang::Zh),
            "<nav class=x data-i18n-attr='aria-label:a.label; title : a.title' aria-label=\"标签\" title=\"标题\"><br/>"
        );
        assert_eq!(
            fill_texts("<input data-i18n-attr=\"placeholder:a.label\" />", &t, Lang::En),
            "<input data-i18n-attr=\"placeholder:a.label\" placeholder=\"Label\" />"
        );
        // Pinned to English; an unknown key shows itself.
        assert_eq!(fill_texts("<span lang=en data-i18n-lang=\"en\" data-i18n=\"a.title\"></span>", &t, Lang::Zh), "<span lang=en data-i18n-lang=\"en\" data-i18n=\"a.title\">Title</span>");
        assert_eq!(fill_texts("<b data-i18n=\"no.such\"></b>", &t, Lang::Zh), "<b data-i18n=\"no.such\">no.such</b>");
    }

    #[test]
    fn comments_scripts_and_stray_brackets_are_left_alone() {
        let t = texts();
        for same in [
            "<!-- <p data-i18n=\"a.title\"></p> -->",
            "<script>if (a < b) x('<p data-i18n=\"a.title\">');</script>",
            "<STYLE>p<b{}</STYLE>",
            "1 < 2 and <3",
            "<p title=\"unclosed",
        ] {
            assert_eq!(fill_texts(same, &t, Lang::Zh), same);
        }
    }

    #[test]
    fn knows_its_content_types() {
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("/js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("/x.unknown"), "application/octet-stream");
        assert_eq!(cache_control("/index.html"), "no-cache");
    }
}
