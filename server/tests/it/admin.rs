//! Settings → Users and Settings → Audit log, through their forms as a browser without JavaScript posts them.

use app::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::harness::{PASSWORD, TestApp, text_of};

async fn role_of(app: &TestApp, email: &str) -> (String, bool) {
    sqlx::query_as("SELECT role, disabled FROM accounts_users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("user exists")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_adds_a_user_changes_the_role_resets_the_password_and_disables_them(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let page = admin.page("/settings/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(text_of(&page.html).contains("admin@example.test"));
    assert!(!page.html.contains("$argon2"), "password hashes are never rendered");

    let add = admin
        .post_form(
            "/api/accounts/create",
            &[
                ("email", "New.Person@Example.test"),
                ("display_name", "New Person"),
                ("role", "helpdesk"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(add.status(), StatusCode::FOUND, "a form post goes back to the page");
    assert_eq!(role_of(&app, "new.person@example.test").await, ("helpdesk".into(), false));
    assert!(text_of(&admin.page("/settings/users").await.html).contains("new.person@example.test New Person"));

    admin.post_form("/api/accounts/role", &[("email", "new.person@example.test"), ("role", "ops_lead")]).await;
    assert_eq!(role_of(&app, "new.person@example.test").await.0, "ops_lead");

    admin
        .post_form(
            "/api/accounts/password",
            &[("email", "new.person@example.test"), ("password", "a brand new passphrase")],
        )
        .await;
    let person = app.browser();
    assert_eq!(
        person.sign_in("new.person@example.test", "a brand new passphrase", "/").await.headers()["location"],
        "/"
    );
    assert_eq!(person.get("/settings/audit").await.status(), StatusCode::OK, "ops lead now");

    admin.post_form("/api/accounts/disabled", &[("email", "new.person@example.test"), ("disabled", "true")]).await;
    assert!(role_of(&app, "new.person@example.test").await.1);
    assert_eq!(person.get("/settings/audit").await.status(), StatusCode::SEE_OTHER, "a disabled user is signed out");

    let audit = text_of(&admin.page("/settings/audit?user=admin@example.test").await.html);
    for action in ["user_created", "user_role_changed", "password_reset", "user_disabled"] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    assert!(audit.contains("helpdesk → ops_lead"), "{audit}");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_user_input_comes_back_as_a_message_and_changes_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("email", "not-an-email"), ("display_name", "X"), ("role", "helpdesk"), ("password", PASSWORD)],
            "The email address is not valid",
        ),
        (
            &[("email", "x@example.test"), ("display_name", "X"), ("role", "helpdesk"), ("password", "short")],
            "at least 12 characters",
        ),
        (
            &[("email", "x@example.test"), ("display_name", "X"), ("role", "root"), ("password", PASSWORD)],
            "unknown role",
        ),
        (
            &[("email", "admin@example.test"), ("display_name", "X"), ("role", "helpdesk"), ("password", PASSWORD)],
            "already exists",
        ),
    ];
    for (form, expected) in cases {
        let response = admin.post_form_on("/settings/users", "/api/accounts/create", form).await;
        let location = response.headers()["location"].to_str().expect("ascii").to_string();
        assert!(location.contains("__err="), "{location}");
        let text = text_of(&admin.page(location.trim_start_matches(&app.origin())).await.html);
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts_users").fetch_one(&app.pool).await.expect("count");
    assert_eq!(users, 1);

    let own = admin
        .post_form_on("/settings/users", "/api/accounts/role", &[("email", "admin@example.test"), ("role", "helpdesk")])
        .await;
    assert!(own.headers()["location"].to_str().expect("ascii").contains("__err="));
    assert_eq!(role_of(&app, "admin@example.test").await.0, "admin", "nobody demotes themselves by accident");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_helpdesk_user_posting_an_admin_form_gets_403_and_nothing_changes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.add_user("victim@example.test", Role::Developer).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let response =
        helpdesk.post_form("/api/accounts/role", &[("email", "victim@example.test"), ("role", "admin")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.expect("body").contains("admin role"));
    assert_eq!(role_of(&app, "victim@example.test").await.0, "developer");
    let ops = app.signed_in(Role::OpsLead).await;
    let response =
        ops.post_form("/api/accounts/disabled", &[("email", "victim@example.test"), ("disabled", "true")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!role_of(&app, "victim@example.test").await.1);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_filters_by_user_action_and_date_and_pages_by_50(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ops = app.signed_in(Role::OpsLead).await;
    sqlx::query(
        "INSERT INTO accounts_audit_log (at, actor_label, action, target, detail)
         SELECT timestamptz '2026-11-01 10:00Z' + n * interval '1 minute', 'robot@example.test', 'user_created',
                'u' || n || '@example.test', 'seeded'
         FROM generate_series(1, 120) AS n",
    )
    .execute(&app.pool)
    .await
    .expect("seed");

    let first = text_of(&ops.page("/settings/audit?user=ROBOT@example.test&action=user_created").await.html);
    assert!(first.contains("Entries 1–50 of 120"), "{first}");
    assert!(first.contains("u120@example.test"), "newest first: {first}");
    assert!(first.contains("Page 1 of 3"), "{first}");
    let third = text_of(&ops.page("/settings/audit?user=robot%40example.test&action=user_created&page=3").await.html);
    assert!(third.contains("Entries 101–120 of 120") && third.contains("u1@example.test"), "{third}");

    let day = text_of(&ops.page("/settings/audit?from=2026-11-01&to=2026-11-01").await.html);
    assert!(day.contains("of 120"), "the seeded day only: {day}");
    // A day after everything this test wrote (the sign-ins are today).
    let none = text_of(&ops.page("/settings/audit?from=2099-01-01").await.html);
    assert!(none.contains("No entries match these filters"), "{none}");
    let bad = text_of(&ops.page("/settings/audit?from=yesterday").await.html);
    assert!(bad.contains("The from date must look like 2026-11-29; \"yesterday\" was ignored."), "{bad}");
    let html = ops.page("/settings/audit").await.html;
    assert!(html.contains("2026-11-01 12:00:00 UTC"), "timestamps with their zone");
}
