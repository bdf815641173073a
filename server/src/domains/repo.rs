//! The domains area's SQL. Functions take a connection (or a transaction) and return typed rows.

use sqlx::PgConnection;
use uuid::Uuid;

/// One custom domain as the board sees it: its host, tenant and latest DNS and TLS outcomes.
pub struct BoardDomain {
    pub id: Uuid,
    pub host: String,
    pub tenant_domain: String,
    pub dns_outcome: Option<String>,
    pub tls_outcome: Option<String>,
}

/// Every custom domain with its tenant's domain and latest outcomes, by host.
pub async fn board_domains(conn: &mut PgConnection) -> Result<Vec<BoardDomain>, sqlx::Error> {
    sqlx::query_as!(
        BoardDomain,
        "SELECT d.id, d.host, t.domain AS tenant_domain, d.dns_outcome, d.tls_outcome
         FROM domains d JOIN tenants t ON t.id = d.tenant_id ORDER BY d.host"
    )
    .fetch_all(conn)
    .await
}
