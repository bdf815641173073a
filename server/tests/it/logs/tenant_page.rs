//! The tenant page's receiver section: the address for everyone who reads the tenant, a new token for admins
//! only — shown once, working at once, the old one refused, and written to the audit log.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_makes_a_receiver_token_on_the_tenant_page_and_it_works_once_shown(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let old = service::new_token(&pool, t, &server::accounts::audit::Actor::CommandLine, "", Utc::now())
        .await
        .expect("token");
    let app = TestApp::spawn(pool.clone()).await;
    let receiver = app.url(&format!("/hooks/logs/{t}"));

    let developer = app.signed_in(Role::Developer).await;
    let page = developer.page(&format!("/tenants/{t}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = harness::text_of(&page.html);
    assert!(text.contains("Log-stream receiver"), "{text}");
    assert!(text.contains(&receiver), "the address as the browser reached the console: {text}");
    assert!(text.contains("kept hashed; it cannot be shown again"), "{text}");
    assert!(!page.html.contains("new-stream-token"), "a developer has no button");
    let make = format!("/logs/stream-token/{t}");
    assert_eq!(developer.post_form(&make, &[]).await.status(), StatusCode::FORBIDDEN);

    let admin = app.signed_in(Role::Admin).await;
    assert!(admin.page(&format!("/tenants/{t}")).await.html.contains("new-stream-token"));
    let answer = admin.post_form(&make, &[]).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let html = answer.text().await.expect("the page");
    let token = html.split("Bearer ").nth(1).and_then(|rest| rest.split('<').next()).expect("the token").to_string();
    assert!(token.starts_with("tlr_") && token != old, "{token}");

    let client = reqwest::Client::new();
    let line = super::receiver::event_line("7001", "2026-12-01T10:00:00.000Z", "s", "203.0.113.7");
    let post = |token: String| {
        client.post(&receiver).header("authorization", format!("Bearer {token}")).body(line.clone()).send()
    };
    assert_eq!(post(old).await.expect("answer").status(), StatusCode::UNAUTHORIZED, "the old token stops working");
    assert_eq!(post(token.clone()).await.expect("answer").status(), StatusCode::OK);

    let audit: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_label, target FROM accounts_audit_log WHERE action = 'logs_stream_token_made' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("audit");
    assert_eq!(audit.len(), 2, "the command line's and the admin's: {audit:?}");
    assert!(audit[1].0.contains("admin@"), "{audit:?}");
    assert_eq!(audit[1].1, t.to_string());
    let page = admin.page(&format!("/tenants/{t}")).await;
    assert!(!page.html.contains(&token), "the token is never shown again");
    assert!(harness::text_of(&page.html).contains("(1 events from the stream)"));
}
