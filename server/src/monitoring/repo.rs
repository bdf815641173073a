//! The monitoring area's SQL. Functions take a connection (or a transaction) and return typed rows.

use sqlx::PgConnection;
use uuid::Uuid;

/// One enabled check as the board sees it, with its state: `alert`, `ok`, `failing` or `unknown` (never run).
pub struct BoardCheck {
    pub id: Uuid,
    pub name: String,
    pub tenant: String,
    pub domain: String,
    pub last_outcome: Option<String>,
    pub state: String,
}

/// Every enabled check with its tenant and state, by tenant and name.
pub async fn board_checks(conn: &mut PgConnection) -> Result<Vec<BoardCheck>, sqlx::Error> {
    sqlx::query_as!(
        BoardCheck,
        r#"SELECT c.id, c.name, t.name AS tenant, t.domain, c.last_outcome,
                  CASE WHEN EXISTS (SELECT 1 FROM monitoring_alerts a WHERE a.check_id = c.id AND a.resolved_at IS NULL)
                         THEN 'alert'
                       WHEN c.last_outcome IS NULL THEN 'unknown'
                       WHEN c.last_outcome = 'ok' THEN 'ok' ELSE 'failing' END AS "state!"
           FROM monitoring_checks c JOIN tenants t ON t.id = c.tenant_id
           WHERE c.enabled ORDER BY t.name, c.name"#
    )
    .fetch_all(conn)
    .await
}
