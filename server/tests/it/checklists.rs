//! Readiness checklists against the simulator: a production tenant's items read from its snapshot (passing,
//! failing, unknown for lack of a scope, waiting for a sign-off), an ops lead's sign-off and its lapse when the
//! evidence changes or the review date passes, the notices, and who may do what.

use app::accounts::Role;
use app::tenants::{Environment, Region};
use chrono::Utc;
use reqwest::StatusCode;
use server::checklists::{jobs, service};
use server::simulator::{SimTenant, Simulator};
use server::tenants::jobs::SnapshotJob;
use sqlx::PgPool;
use uuid::Uuid;

use crate::harness::{self, TestApp, text_of};

const DOMAIN: &str = "acme-prod.us.auth0.com";

/// A production tenant on the simulator without `read:attack_protection`, polled once and evaluated.
async fn setup(pool: &PgPool) -> (Simulator, SnapshotJob, Uuid) {
    let mut tenant = SimTenant::new(DOMAIN, "cid", "secret");
    tenant.scopes.retain(|s| s != "read:attack_protection");
    let (sim, id, client, secrets) = harness::acme_prod_on_simulator(pool, tenant).await;
    let job = SnapshotJob { pool: pool.clone(), client, secrets };
    job.poll(id, Utc::now()).await.expect("first snapshot");
    jobs::step(pool, Utc::now()).await.expect("evaluated");
    (sim, job, id)
}

/// The HTML of one item on the tenant's checklist page.
fn item<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("data-item=\"{id}\"")).unwrap_or_else(|| panic!("{id} on the page"));
    let start = html[..start].rfind("<article").expect("item start");
    let end = start + html[start..].find("</article>").expect("item end");
    &html[start..end]
}

fn standing(html: &str, id: &str) -> String {
    let it = item(html, id);
    let at = it.find("data-standing=\"").expect("standing") + "data-standing=\"".len();
    it[at..at + it[at..].find('"').expect("end")].to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_production_tenant_shows_passing_failing_unknown_and_manual_items_with_their_evidence(pool: PgPool) {
    let (_sim, _job, id) = setup(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let page = helpdesk.page(&format!("/checklists/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    assert_eq!(standing(html, "support-contact"), "pass", "the simulator's tenant has a support email");
    assert!(text_of(item(html, "support-contact")).contains("support@acme-prod.example"), "with its evidence");
    assert_eq!(standing(html, "email-provider"), "fail", "no email provider on a production tenant");
    assert_eq!(standing(html, "attack-protection"), "unknown");
    assert!(text_of(item(html, "attack-protection")).contains("read:attack_protection"), "says which scope it needs");
    assert_eq!(standing(html, "sso-timeouts"), "needs sign-off");
    assert!(item(html, "sso-timeouts").contains("session_lifetime"), "manual items show their evidence too");
    assert!(!html.contains("sign-off-form"), "helpdesk reads; only ops leads sign off");
    assert_eq!(html.matches("data-testid=\"checklist-item\"").count(), server::checklists::catalog::ITEMS.len());
    // Required failures come first within their area.
    let email = html.find("data-item=\"email-provider\"").expect("email provider");
    let templates = html.find("data-item=\"email-templates\"").expect("templates");
    assert!(email < templates, "a required failure before a recommended item of the same area");

    // The report for the review meeting, and the same as CSV (one line per item, formulas neutralised).
    let report = helpdesk.page(&format!("/checklists/{id}/report")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(report.html.matches("data-testid=\"report-item\"").count(), server::checklists::catalog::ITEMS.len());
    let csv = helpdesk.get(&format!("/checklists/{id}/export.csv")).await;
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let csv = csv.text().await.expect("csv");
    assert_eq!(csv.lines().count(), 1 + server::checklists::catalog::ITEMS.len());
    let line = csv.lines().find(|l| l.contains(",email-provider,")).expect("the email provider's line");
    assert!(line.starts_with("acme-prod,production,Email,email-provider,") && line.contains(",fail,fail,"), "{line}");
    let missing = helpdesk.get("/checklists/00000000-0000-0000-0000-000000000000/export.csv").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let overview = helpdesk.page("/checklists?environment=production").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.html.contains("data-tenant=\"acme-prod\""), "the overview lists the tenant");
    assert!(text_of(&overview.html).contains("required failing"));
    let filtered = helpdesk.page("/checklists?environment=development").await;
    assert!(!filtered.html.contains("data-tenant=\"acme-prod\""), "the environment filter applies");
    // A user domain's tenants side by side, every item a row.
    let matrix = helpdesk.page("/checklists?user_domain=customers").await;
    assert!(matrix.html.contains("data-testid=\"domain-matrix\""), "the matrix shows for a chosen user domain");
    assert_eq!(matrix.html.matches("data-testid=\"matrix-row\"").count(), server::checklists::catalog::ITEMS.len());
    let row = &matrix.html[matrix.html.find("data-item=\"email-provider\"").expect("row")..];
    assert!(row[..row.find("</tr>").expect("end")].contains(&format!("href=\"/checklists/{id}#email-provider\"")));
    assert!(!overview.html.contains("data-testid=\"domain-matrix\""), "and only then");
    let csv = helpdesk.get("/checklists/export.csv?user_domain=customers").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.expect("csv");
    assert_eq!(csv.lines().count(), 1 + server::checklists::catalog::ITEMS.len(), "one tenant in the domain");
    assert!(csv.lines().skip(1).all(|l| l.starts_with("acme-prod,production,")), "{csv}");
    let unknown = helpdesk.get("/checklists/export.csv?user_domain=nobody").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let missing = helpdesk.get("/checklists/export.csv").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(missing.text().await.expect("text").contains("Choose a user domain"));
    let bad = helpdesk.page("/checklists?environment=moon").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&bad.html).contains("unknown environment"), "{}", text_of(&bad.html));
}

async fn post(browser: &harness::Browser, page: &str, f: Vec<(&'static str, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form_on(page, "/api/checklists/sign-off", &pairs).await
}

#[sqlx::test(migrations = "../migrations")]
async fn an_ops_lead_signs_off_and_the_sign_off_lapses_when_the_simulator_changes_the_evidence(pool: PgPool) {
    let (sim, job, id) = setup(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let path = format!("/checklists/{id}");
    let review = (Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    let form = |comment: &'static str, review: String| {
        vec![
            ("tenant", id.to_string()),
            ("item", "sso-timeouts".to_string()),
            ("comment", comment.to_string()),
            ("review_by", review),
        ]
    };

    let developer = app.signed_in(Role::Developer).await;
    let refused = post(&developer, &path, form("looks fine", review.clone())).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "developers read; ops leads sign off");

    let lead = app.signed_in(Role::OpsLead).await;
    let page = lead.page(&path).await;
    assert!(item(&page.html, "sso-timeouts").contains("sign-off-form"), "the ops lead gets the form");
    assert!(!item(&page.html, "email-provider").contains("sign-off-form"), "items the data decides have none");

    // A wrong date says what to write and stores nothing.
    let wrong = post(&lead, &path, form("checked", "next week".into())).await;
    let back = lead.get(&harness::path_of(wrong.headers()["location"].to_str().expect("location"))).await;
    let words = text_of(&back.text().await.expect("page"));
    assert!(words.contains("write the review date as YYYY-MM-DD"), "{words}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM checklists_signoffs").fetch_one(&pool).await.expect("n");
    assert_eq!(stored, 0);

    let done =
        post(&lead, &path, form("Session lifetimes match the security policy (ticket SEC-42)", review.clone())).await;
    assert!(done.status().is_redirection(), "{}", done.status());
    assert!(done.headers()["location"].to_str().expect("location").contains("signed=sso-timeouts"));
    let page = lead.page(&path).await;
    assert_eq!(standing(&page.html, "sso-timeouts"), "signed off");
    let words = text_of(item(&page.html, "sso-timeouts"));
    assert!(words.contains("Signed off by ops_lead@example.test"), "{words}");
    assert!(words.contains("SEC-42") && words.contains(&review), "{words}");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM accounts_audit_log WHERE action = 'checklist_signed_off' AND target = 'acme-prod/sso-timeouts'")
            .fetch_one(&pool)
            .await
            .expect("audit");
    assert_eq!(audited, 1);

    // Auth0's session lifetime changes: the next snapshot's evidence differs and the sign-off lapses, saying why.
    let before = sim.tenant(DOMAIN).expect("tenant").settings["session_lifetime"].clone();
    sim.update(DOMAIN, |t| t.settings["session_lifetime"] = serde_json::json!(720));
    job.poll(id, Utc::now()).await.expect("second snapshot");
    let stepped = jobs::step(&pool, Utc::now()).await.expect("evaluated");
    assert_eq!(stepped.lapsed, 1, "{stepped:?}");
    let page = lead.page(&path).await;
    assert_eq!(standing(&page.html, "sso-timeouts"), "needs sign-off");
    let words = text_of(item(&page.html, "sso-timeouts"));
    assert!(words.contains("The evidence changed since the sign-off: session_lifetime was"), "{words}");
    assert!(words.contains("720"), "{words} (was {before})");
    let lapses: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM accounts_audit_log WHERE action = 'checklist_sign_off_lapsed' AND actor_label = 'Tenantry (automatic)'",
    )
    .fetch_one(&pool)
    .await
    .expect("audit");
    assert_eq!(lapses, 1);
    let history = text_of(&page.html[page.html.find("data-testid=\"checklist-history\"").expect("history")..]);
    assert!(history.contains("Sign-off lapsed") && history.contains("Signed off by"), "{history}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_required_item_turning_to_fail_on_production_is_a_notice_and_reviews_lapse_on_their_date(pool: PgPool) {
    let (sim, job, id) = setup(&pool).await;
    sim.update(DOMAIN, |t| {
        t.settings["support_email"] = serde_json::json!("");
        t.settings["support_url"] = serde_json::json!("");
    });
    job.poll(id, Utc::now()).await.expect("second snapshot");
    let stepped = jobs::step(&pool, Utc::now()).await.expect("evaluated");
    assert!(stepped.notices >= 1, "{stepped:?}");
    let (title, link): (String, Option<String>) =
        sqlx::query_as("SELECT title, link FROM notifications WHERE kind = 'readiness_required_failing'")
            .fetch_one(&pool)
            .await
            .expect("notice");
    assert!(title.starts_with("acme-prod: required readiness item failing"), "{title}");
    assert_eq!(link.as_deref(), Some(format!("/checklists/{id}#support-contact").as_str()));
    assert_eq!(jobs::step(&pool, Utc::now()).await.expect("again").notices, 0, "once per change");

    // A sign-off due in ten days gets one reminder; past its date it lapses.
    let by = Utc::now() + chrono::Duration::days(10);
    let form = service::SignOffForm {
        item: "backup-dr",
        comment: "DR runbook tested",
        review_by: &by.date_naive().to_string(),
    };
    let lead = server::accounts::audit::Actor::CommandLine;
    service::sign_off(&pool, &lead, "", id.into(), &form, Utc::now()).await.expect("signed off");
    let reviewed = service::review_dates(&pool, Utc::now()).await.expect("reviewed");
    assert_eq!((reviewed.due_notices, reviewed.lapsed), (1, 0));
    assert_eq!(service::review_dates(&pool, Utc::now()).await.expect("again").due_notices, 0, "one reminder");
    let later = service::review_dates(&pool, by + chrono::Duration::days(2)).await.expect("later");
    assert_eq!(later.lapsed, 1);
    let reason: String =
        sqlx::query_scalar("SELECT lapse_reason FROM checklists_signoffs").fetch_one(&pool).await.expect("r");
    assert_eq!(reason, format!("The review date {} passed", by.date_naive()));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_history_pages_back_by_keyset_without_overlap_or_gaps(pool: PgPool) {
    let id = harness::insert_tenant(&pool, "acme-prod", Region::Us, Environment::Production).await;
    sqlx::query(
        "INSERT INTO checklists_history (tenant_id, item, at, kind, verdict, summary)
         SELECT $1, 'support-contact', now() - make_interval(mins => n), 'verdict', 'pass', 'entry ' || n
           FROM generate_series(1, 120) AS n",
    )
    .bind(id)
    .execute(&pool)
    .await
    .expect("history");
    let app = TestApp::spawn(pool).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let mut path = format!("/checklists/{id}");
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..5 {
        let html = helpdesk.page(&path).await.html;
        let table = &html[html.find("data-testid=\"checklist-history\"").expect("history")..];
        let table = &table[..table.find("</table>").expect("end")];
        seen.extend(
            table
                .match_indices("entry ")
                .map(|(at, _)| table[at..].chars().take_while(|c| *c != '<').collect::<String>()),
        );
        match html.find("data-testid=\"history-older\"") {
            Some(at) => {
                let link = &html[html[..at].rfind("href=\"").expect("href") + 6..];
                path = link[..link.find('"').expect("end")].replace("&amp;", "&");
                path = path.split('#').next().unwrap_or_default().to_string();
            }
            None => break,
        }
    }
    let expected: Vec<String> = (1..=120).map(|n| format!("entry {n}")).collect();
    assert_eq!(seen, expected, "newest first, every entry once, in three pages of at most 50");
}
