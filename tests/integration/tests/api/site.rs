//! The static site component: pages, assets, safe paths.

use integration::spawn_app;

#[tokio::test(flavor = "multi_thread")]
async fn serves_the_home_page_with_security_headers() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));

    let js = app.get("/js/i18n.js").await;
    assert_eq!(js.status(), 200);
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_arrive_inside_the_one_layout_with_their_chinese_texts() {
    let app = spawn_app().await;
    let html = app.get("/login").await.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("<title data-i18n=\"login.title\">用户登录 - 科学技术部政务服务平台</title>"), "{html}");
    assert!(html.contains("<script type=\"module\" src=\"/js/login.js\"></script>\n</head>"), "the page's script in the head");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/css/site.css\">"), "styled from the first paint");
    assert!(html.contains("<a href=\"/login\" data-i18n=\"nav.login\">登录</a>"), "the header's links");
    assert!(html.contains("aria-label=\"账号\""), "attributes from the dictionary");
    assert!(html.contains("<h1 data-i18n=\"login.heading\">用户登录</h1>"), "the page's own texts");
    assert!(html.contains("<p data-i18n=\"site.footer\">"), "the footer");
    assert_eq!(html.matches("<header").count(), 1);
    // The back office has its own header.
    let review = app.get("/review/login").await.text().await.unwrap();
    assert!(review.contains("<header class=\"site-header review-header\">"), "{review}");
    assert!(review.contains("<small data-i18n=\"review.site\">后台审核</small>"), "{review}");
    assert!(!review.contains("nav.login"), "no public links in the back office");
    // The layout and the dictionary are no pages; the dictionary is the scripts' JSON.
    assert_eq!(app.get("/_layout.html").await.status(), 404);
    assert_eq!(app.get("/_layout").await.status(), 404);
    let texts = app.get("/js/texts.json").await;
    assert_eq!(texts.headers()["content-type"], "application/json; charset=utf-8");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_pages_get_the_404_page_and_traversal_is_refused() {
    let app = spawn_app().await;
    let res = app.get("/no-such-page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));

    // (The client normalises plain `..` and `%2e%2e` segments itself; these
    // reach the component encoded.)
    for bad in ["/js/%2e%2e%2f%2e%2e%2fspin.toml", "/.hidden", "/js/..%2f..%2fspin.toml", "/a%5c..%5cspin.toml"] {
        let res = app.get(bad).await;
        assert_eq!(res.status(), 400, "{bad}");
    }
    let res = app.client.delete(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 405);
}
