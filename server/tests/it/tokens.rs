//! API tokens: made once on `/settings/tokens`, kept hashed, listed per user, used by the JSON API with their
//! role (never above the owner's), and refused with 401 — and an audit entry — once revoked or expired.

use app::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::harness::{Browser, TestApp, path_of, text_of};

/// Makes a token through the page's form (posted where the page's form says); the token the answer shows once.
async fn make(browser: &Browser, form: &[(&str, &str)]) -> Result<String, String> {
    let page = browser.page("/settings/tokens").await.html;
    let start = page.find("data-testid=\"new-token\"").expect("the form");
    let form_tag = &page[page[..start].rfind("<form").expect("form tag")..start];
    let action = form_tag.split("action=\"").nth(1).and_then(|a| a.split('"').next()).expect("action");
    let answer = browser.post_form(action, form).await;
    if answer.status() != StatusCode::OK {
        let location = answer.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        return Err(path_of(&location));
    }
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let html = answer.text().await.expect("page");
    let start =
        html.find("data-testid=\"api-token\">").expect("the token is shown") + "data-testid=\"api-token\">".len();
    Ok(html[start..].split('<').next().expect("token").to_string())
}

async fn api(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.expect("answer")
}

async fn audit(pool: &PgPool, action: &str) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT actor_label, target, detail FROM accounts_audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(pool)
        .await
        .expect("audit")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_personal_token_is_shown_once_kept_hashed_used_and_refused_once_revoked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let dev = app.signed_in(Role::Developer).await;
    let token = make(&dev, &[("name", "grafana"), ("role", "developer"), ("days", "30")]).await.expect("made");
    assert!(token.starts_with("tenantry_") && token.len() == 73, "{token}");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT secret_sha256 FROM accounts_api_tokens").fetch_one(&app.pool).await.expect("row");
    assert_eq!(stored.len(), 32, "only the hash is kept");

    let listed = dev.page("/settings/tokens").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(listed.html.contains(&token[..15]) && !listed.html.contains(&token[15..]), "only the start is listed");
    assert!(text_of(&listed.html).contains("never"), "not used yet");

    let answer = api(&app, &token, "/api/v1/tenants").await;
    assert_eq!(answer.status(), StatusCode::OK);
    let text = text_of(&dev.page("/settings/tokens").await.html);
    assert!(text.contains("from 127.0.0.1"), "the last use is listed: {text}");

    // The session of the same browser means nothing to the API.
    assert_eq!(dev.get("/api/v1/tenants").await.status(), StatusCode::UNAUTHORIZED);

    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM accounts_api_tokens").fetch_one(&app.pool).await.expect("id");
    let revoked = dev.post_form_on("/settings/tokens", "/api/accounts/token-revoke", &[("id", &id.to_string())]).await;
    assert_eq!(revoked.status(), StatusCode::FOUND);
    let refused = api(&app, &token, "/api/v1/tenants").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    assert_eq!(refused.headers()["www-authenticate"], "Bearer realm=\"tenantry\"");
    let problem: serde_json::Value = refused.json().await.expect("problem");
    assert!(problem["detail"].as_str().expect("detail").contains("\"grafana\" was revoked"), "{problem}");
    let refusals = audit(&app.pool, "api_token_refused").await;
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].1, "grafana");
    assert_eq!(audit(&app.pool, "api_token_made").await[0].0, "developer@example.test");
    assert_eq!(audit(&app.pool, "api_token_revoked").await.len(), 1);

    // A token nobody made is refused without an audit entry (anyone can send noise).
    let unknown = format!("tenantry_{}", "ab".repeat(32));
    assert_eq!(api(&app, &unknown, "/api/v1/tenants").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api(&app, "not-even-a-token", "/api/v1/tenants").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(audit(&app.pool, "api_token_refused").await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_token_never_acts_above_its_owner_and_expired_or_disabled_ones_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let dev = app.signed_in(Role::Developer).await;
    assert_eq!(
        make(&dev, &[("name", "too-much"), ("role", "admin"), ("days", "30")]).await,
        Err("/settings/tokens?error=above_role".to_string())
    );
    assert_eq!(
        make(&dev, &[("kind", "service"), ("name", "ci"), ("role", "helpdesk"), ("days", "30")]).await,
        Err("/settings/tokens?error=service_admin".to_string())
    );
    assert_eq!(
        make(&dev, &[("name", "x"), ("role", "developer"), ("days", "400")]).await,
        Err("/settings/tokens?error=days".to_string())
    );
    let page = text_of(&dev.page("/settings/tokens?error=days").await.html);
    assert!(page.contains("from 1 to 365"), "{page}");

    // The owner loses the developer role: the token acts as helpdesk from then on.
    let token = make(&dev, &[("name", "inventory"), ("role", "developer"), ("days", "30")]).await.expect("made");
    assert_eq!(api(&app, &token, "/api/v1/tenants").await.status(), StatusCode::OK);
    sqlx::query("UPDATE accounts_users SET role = 'helpdesk' WHERE email = 'developer@example.test'")
        .execute(&app.pool)
        .await
        .expect("demote");
    let forbidden = api(&app, &token, "/api/v1/tenants").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let problem: serde_json::Value = forbidden.json().await.expect("problem");
    assert!(problem["detail"].as_str().expect("detail").contains("developer role or higher"), "{problem}");
    assert_eq!(api(&app, &token, "/api/v1/notifications").await.status(), StatusCode::OK, "helpdesk may read these");

    sqlx::query("UPDATE accounts_users SET disabled = true").execute(&app.pool).await.expect("disable");
    assert_eq!(api(&app, &token, "/api/v1/notifications").await.status(), StatusCode::UNAUTHORIZED);
    sqlx::query("UPDATE accounts_users SET disabled = false").execute(&app.pool).await.expect("enable");

    sqlx::query("UPDATE accounts_api_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .expect("expire");
    let expired = api(&app, &token, "/api/v1/notifications").await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let problem: serde_json::Value = expired.json().await.expect("problem");
    assert!(problem["detail"].as_str().expect("detail").contains("has expired"), "{problem}");
    let reasons: Vec<String> = audit(&app.pool, "api_token_refused").await.into_iter().map(|r| r.2).collect();
    assert!(reasons[0].contains("disabled") && reasons[1].contains("expired"), "{reasons:?}");
    let text = text_of(&app.signed_in(Role::Admin).await.page("/settings/tokens").await.html);
    assert!(text.contains("inventory") && text.contains("expired"), "admins see every token with its state: {text}");
}
