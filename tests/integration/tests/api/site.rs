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
