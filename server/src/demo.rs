//! `tenantry demo`: the demo console. It lives in a database of its own — it refuses a database that holds real
//! users — and has one account per role whose passwords are new at every start and shown on the sign-in page.
//! (The demo company's tenants on the Auth0 simulator arrive with the tenant inventory.)

use anyhow::Context;
use app::accounts::{DemoAccount, Role};
use sqlx::PgPool;

use crate::accounts::audit::Actor;
use crate::accounts::service::{self, NewUser};
use crate::accounts::{AccountError, password, repo};

/// Demo accounts are `{role}@demo.tenantry.test`; any other user marks a real database.
pub const DEMO_DOMAIN: &str = "demo.tenantry.test";

/// Checks the database is the demo's own and (re)creates one account per role with a fresh password.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<Vec<DemoAccount>> {
    let real: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM accounts_users WHERE email NOT LIKE '%@' || $1"#,
        DEMO_DOMAIN
    )
    .fetch_one(pool)
    .await
    .context("cannot read users")?;
    anyhow::ensure!(
        real == 0,
        "DATABASE_URL: this database holds {real} real user(s); the demo needs a database of its own \
         (scripts/run uses tenantry_demo on the private cluster)"
    );
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@{DEMO_DOMAIN}", role.as_str().replace('_', "-"));
        let fresh = format!("demo-{}", &password::random_token()[..12]);
        let new = NewUser {
            email: &email,
            display_name: &format!("Demo {}", role.label()),
            role,
            password: &fresh,
        };
        match service::create_user(pool, &Actor::CommandLine, new, "").await {
            Ok(_) => {}
            Err(AccountError::EmailTaken) => {
                // Whatever the last demo did to it, the account starts again as it was made.
                let user = service::reset_password(pool, &Actor::CommandLine, &email, &fresh, "").await?;
                let mut conn = pool.acquire().await?;
                repo::set_role(&mut conn, user.id, role).await?;
                repo::set_disabled(&mut conn, user.id, false).await?;
            }
            Err(e) => return Err(e.into()),
        }
        accounts.push(DemoAccount {
            email,
            role,
            password: fresh,
        });
    }
    tracing::info!("demo mode: one account per role; the passwords are on the sign-in page");
    Ok(accounts)
}
