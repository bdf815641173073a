use app::accounts::Role;
use app::areas::Area;
use std::time::{Duration, Instant};

use app::system::{DatabaseStatus, SystemPort};
use chrono::Utc;
use reqwest::StatusCode;
use server::system::PgSystem;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::harness::{TestApp, text_of};

#[sqlx::test(migrations = "../migrations")]
async fn every_navigation_page_answers_complete_html_without_javascript(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    for area in Area::ALL {
        let page = admin.page(area.path()).await;
        assert_eq!(page.status, StatusCode::OK, "{}", area.path());
        // The status board is both the Overview and the Status page.
        let title = if matches!(area, Area::Overview | Area::Status) { "Status board" } else { area.label() };
        assert!(page.html.contains(&format!("<title>{title} · Tenantry</title>")), "{}", area.path());
        // Leptos inlines two tiny hydration-state scripts; no hydration script or wasm is loaded — only the
        // board's refresh script, which re-fetches server-rendered HTML.
        let scripts = page.html.matches("<script src").count();
        let board = page.html.matches("<script src=\"/assets/board.js\"").count();
        assert_eq!(scripts, board, "{} loads no script file but the board's", area.path());
        assert!(!page.html.contains(".wasm"), "{} loads no wasm", area.path());
        let text = text_of(&page.html);
        for nav in Area::ALL {
            assert!(page.html.contains(&format!("href=\"{}\"", nav.path())), "{} links {}", area.path(), nav.path());
            assert!(text.contains(nav.label()), "{} shows {}", area.path(), nav.label());
        }
        let current = format!("href=\"{}\" aria-current=\"page\"", area.path());
        assert!(page.html.contains(&current), "{} marks itself current in the navigation", area.path());
    }
    // A page inside an area marks its area (and only it; Overview is only the home page).
    let inside = admin.page("/status/incidents").await.html;
    assert!(inside.contains("href=\"/status\" aria-current=\"page\""), "Status is current on its sub-pages");
    assert_eq!(inside.matches("aria-current=\"page\"").count(), 2, "the Status entry and the sub-navigation's link");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_area_is_built_and_opens_for_an_admin(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    for area in Area::ALL {
        let page = admin.page(area.path()).await;
        assert_eq!(page.status, StatusCode::OK, "{}", area.path());
        assert!(!text_of(&page.html).contains("Not built yet"), "{}", area.path());
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_system_page_shows_version_database_migrations_and_uptime(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let page = app.signed_in(Role::Helpdesk).await.page("/system").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = text_of(&page.html);
    assert!(text.contains(&format!("Version {}", env!("CARGO_PKG_VERSION"))), "{text}");
    assert!(text.contains("Database Up PostgreSQL"), "{text}");
    // Seconds since this server started: a small number (no thin timing margin on a loaded machine).
    let uptime =
        text.split("Uptime ").nth(1).and_then(|rest| rest.split(" s").next()).and_then(|n| n.parse::<u64>().ok());
    assert!(uptime.is_some_and(|secs| secs < 600), "the uptime in seconds: {text}");
    assert!(text.contains("20261129000001 system"), "the first migration is listed: {text}");
    assert!(text.contains("Pending migrations none"), "{text}");
    let instance: uuid::Uuid = sqlx::query_scalar("SELECT instance_id FROM system_instance")
        .fetch_one(&app.pool)
        .await
        .expect("installation row");
    assert!(text.contains(&instance.to_string()), "the installation is the one in the database: {text}");
    assert!(text.contains(" UTC"), "timestamps carry their zone: {text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_system_page_lists_migrations_the_database_has_not_applied(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let browser = app.signed_in(Role::Helpdesk).await;
    sqlx::query("DELETE FROM _sqlx_migrations").execute(&app.pool).await.expect("forget migrations");
    let text = text_of(&browser.page("/system").await.html);
    assert!(text.contains("Pending migrations 20261129000001 system"), "{text}");
    assert!(text.contains("None yet. Run tenantry migrate"), "{text}");
}

#[tokio::test]
async fn the_system_port_reports_a_down_database_instead_of_failing() {
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgres://nobody@127.0.0.1:1/nothing")
        .expect("lazy pool");
    let info = PgSystem::new(pool, Utc::now(), Instant::now()).system_info().await.expect("an answer, not an error");
    match info.database {
        DatabaseStatus::Down { reason } => assert!(reason.contains("check that PostgreSQL is running"), "{reason}"),
        up => panic!("expected down, got {up:?}"),
    }
    assert_eq!(info.migrations, None);
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_path_is_a_404_page_inside_the_console(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let page = app.signed_in(Role::Helpdesk).await.page("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let text = text_of(&page.html);
    assert!(text.contains("Page not found"), "{text}");
    assert!(text.contains("Custom domains"), "the navigation is still there: {text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_malformed_or_unknown_id_is_a_404_page_that_says_what_was_not_found(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let missing = "00000000-0000-0000-0000-000000000000";
    for (path, what) in [
        ("/tenants/not-an-id".to_string(), "the tenant was not found"),
        (format!("/tenants/{missing}"), "the tenant was not found"),
        ("/status/incidents/x1".to_string(), "the incident was not found"),
        ("/monitoring/not-an-id".to_string(), "the check was not found"),
        ("/domains/not-an-id".to_string(), "the custom domain was not found"),
        ("/notifications/abc".to_string(), "the notification was not found"),
        ("/notifications/channels/not-an-id".to_string(), "the delivery channel was not found"),
    ] {
        let page = admin.page(&path).await;
        let text = text_of(&page.html);
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {text}");
        assert!(text.to_lowercase().contains(what), "{path} says {what:?}: {text}");
    }
}
