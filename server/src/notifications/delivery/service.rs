//! Delivery's rules: channels stored with their URL and secrets encrypted and read back decrypted for sending,
//! channel pages and delivery logs, adding, editing, pausing and removing channels (each in the audit log), and
//! queueing a new update for the channels whose filters match it.

use app::accounts::Acting;
use app::ids::{ChannelId, NotificationId};
use app::notifications::channels::{ChannelDetail, ChannelForm, ChannelRow, DeliveryRow};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::model::{Channel, ChannelKind, DELIVER_WITHIN, DELIVERIES_PER_PAGE, NewChannel, SmtpSettings, health};
use super::repo::{self, ChannelRecord, ChannelValues, DeliveryRecord};
use crate::accounts::audit::{self, Action, Actor};
use crate::secrets::SecretBox;

pub use super::form::check;

/// Why a channel change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The form is wrong; the message names every bad field.
    #[error("{0}")]
    Invalid(String),
    #[error("Name: a channel called {0:?} exists already")]
    NameTaken(String),
    #[error("the delivery channel was not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Queues update `update` of notification `id` for every matching channel; `at` is when the update happened:
/// old ones are not sent. Returns the rows queued.
pub async fn enqueue(
    conn: &mut PgConnection,
    id: NotificationId,
    update: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    if at < now - DELIVER_WITHIN {
        return Ok(0);
    }
    repo::enqueue(conn, id, update, now).await
}

fn values<'a>(secrets: &SecretBox, c: &'a NewChannel) -> ChannelValues<'a> {
    let encrypt = |v: &Option<String>| v.as_deref().map(|v| secrets.encrypt(v));
    ChannelValues {
        name: &c.name,
        kind: c.kind.as_str(),
        target: &c.target,
        url_secret: match c.kind {
            ChannelKind::Email => encrypt(&c.password),
            _ => encrypt(&c.url),
        },
        signing_secret: encrypt(&c.signing_secret),
        smtp: c.smtp.as_ref().map(|s| serde_json::to_value(s).unwrap_or_default()),
        min_severity: &c.min_severity,
        sources: &c.sources,
        tenants: &c.tenants,
        regions: &c.regions,
    }
}

/// Stores a new channel; the URL and secrets encrypted.
pub async fn insert(conn: &mut PgConnection, secrets: &SecretBox, c: &NewChannel) -> Result<ChannelId, sqlx::Error> {
    repo::insert_channel(conn, &values(secrets, c)).await
}

/// Changes a channel; secrets left empty in the form keep their stored values (the caller checks the form as new
/// when the kind changes, so a new kind always brings its secrets). Returns whether it exists.
pub async fn update(
    conn: &mut PgConnection,
    secrets: &SecretBox,
    id: ChannelId,
    c: &NewChannel,
) -> Result<bool, sqlx::Error> {
    repo::update_channel(conn, id, &values(secrets, c)).await
}

/// A stored channel with its secrets decrypted, for sending. `Err` text: the secrets cannot be read.
pub async fn load(
    conn: &mut PgConnection,
    secrets: &SecretBox,
    id: ChannelId,
) -> Result<Option<Result<Channel, String>>, sqlx::Error> {
    let Some(r) = repo::secrets(conn, id).await? else {
        return Ok(None);
    };
    let kind = ChannelKind::parse(&r.kind).unwrap_or(ChannelKind::Webhook);
    let decrypt = |value: &Option<Vec<u8>>| -> Result<Option<String>, String> {
        value
            .as_ref()
            .map(|v| secrets.decrypt(v))
            .transpose()
            .map_err(|e| format!("the channel's secrets cannot be read ({e}); enter them again"))
    };
    let built = (|| {
        let first = decrypt(&r.url_secret)?;
        let (url, password) = if kind == ChannelKind::Email { (None, first) } else { (first, None) };
        let smtp = r
            .smtp
            .clone()
            .map(serde_json::from_value::<SmtpSettings>)
            .transpose()
            .map_err(|e| format!("the channel's SMTP settings cannot be read ({e}); edit the channel"))?;
        Ok(Channel {
            id: r.id,
            name: r.name.clone(),
            kind,
            url,
            signing_secret: decrypt(&r.signing_secret)?,
            smtp,
            password,
        })
    })();
    Ok(Some(built))
}

/// The form of a stored channel, secrets left empty.
pub fn form_of(r: &ChannelRecord) -> ChannelForm {
    let smtp: Option<SmtpSettings> = r.smtp.clone().and_then(|v| serde_json::from_value(v).ok());
    ChannelForm {
        name: r.name.clone(),
        kind: r.kind.clone(),
        min_severity: r.min_severity.clone(),
        sources: r.sources.clone(),
        tenants: r.tenants.join(", "),
        regions: r.regions.join(", "),
        smtp_host: smtp.as_ref().map(|s| s.host.clone()).unwrap_or_default(),
        smtp_port: smtp.as_ref().map(|s| s.port.to_string()).unwrap_or_default(),
        smtp_security: smtp.as_ref().map(|s| s.security.as_str().to_string()).unwrap_or_else(|| "starttls".into()),
        smtp_username: smtp.as_ref().and_then(|s| s.username.clone()).unwrap_or_default(),
        mail_from: smtp.as_ref().map(|s| s.from.clone()).unwrap_or_default(),
        mail_to: smtp.as_ref().map(|s| s.to.join(", ")).unwrap_or_default(),
        ..ChannelForm::default()
    }
}

/// A channel as the pages show it, at `now`.
pub fn channel_row(r: ChannelRecord, now: DateTime<Utc>) -> ChannelRow {
    ChannelRow {
        id: r.id,
        name: r.name,
        kind: r.kind,
        target: r.target,
        min_severity: r.min_severity,
        sources: r.sources,
        tenants: r.tenants,
        regions: r.regions,
        enabled: r.enabled,
        health: health(r.enabled, r.last_success_at, r.failing_since, now),
        last_success_at: r.last_success_at,
        failing_since: r.failing_since,
        last_error: r.last_error,
        pending: r.pending,
        delivered_day: r.delivered_day,
    }
}

fn delivery_row(r: DeliveryRecord) -> DeliveryRow {
    DeliveryRow {
        at: r.at,
        channel_id: r.channel_id,
        channel_name: r.channel_name,
        notification: r.notification_id.zip(r.title),
        attempt: r.attempt,
        ok: r.ok,
        status: r.status,
        duration_ms: r.duration_ms,
        error: r.error,
        update: r.update_text,
    }
}

/// Every channel with its health at `now`.
pub async fn channels(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<ChannelRow>, sqlx::Error> {
    Ok(repo::channels(conn, now, None).await?.into_iter().map(|r| channel_row(r, now)).collect())
}

/// A channel's page: its row, its form, and page `page` of its delivery log (newest first).
pub async fn channel(
    conn: &mut PgConnection,
    id: ChannelId,
    page: u32,
    now: DateTime<Utc>,
) -> Result<ChannelDetail, ChannelError> {
    let r = repo::channels(conn, now, Some(id)).await?.into_iter().next().ok_or(ChannelError::NotFound)?;
    let total = repo::count_channel_deliveries(conn, id).await?;
    let pages = crate::notifications::history::service::pages(total, DELIVERIES_PER_PAGE);
    let page = page.clamp(1, pages);
    let offset = DELIVERIES_PER_PAGE * (i64::from(page) - 1);
    let deliveries = repo::channel_deliveries(conn, id, DELIVERIES_PER_PAGE, offset).await?;
    let form = form_of(&r);
    Ok(ChannelDetail {
        row: channel_row(r, now),
        form,
        deliveries: deliveries.into_iter().map(delivery_row).collect(),
        page,
        pages,
    })
}

/// Every delivery attempt of one notification, oldest first.
pub async fn notification_deliveries(
    conn: &mut PgConnection,
    id: NotificationId,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    Ok(repo::notification_deliveries(conn, id).await?.into_iter().map(delivery_row).collect())
}

/// The form a new channel starts from; `preset` `auth0-status` is "Subscribe to Auth0 status" for our regions.
pub async fn new_form(conn: &mut PgConnection, preset: Option<&str>) -> Result<ChannelForm, sqlx::Error> {
    let mut form = ChannelForm {
        kind: "webhook".into(),
        min_severity: "warning".into(),
        smtp_security: "starttls".into(),
        ..ChannelForm::default()
    };
    if preset == Some("auth0-status") {
        form.name = "Auth0 status".into();
        form.kind = "slack".into();
        form.min_severity = "info".into();
        form.sources = vec!["auth0_status".into()];
        form.regions = repo::tenant_regions(conn).await?.join(", ");
    }
    Ok(form)
}

fn name_taken(name: &str) -> impl FnOnce(sqlx::Error) -> ChannelError + '_ {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => ChannelError::NameTaken(name.to_string()),
        _ => ChannelError::Database(e),
    }
}

/// Adds a channel from its form, with the audit log, in the caller's transaction.
pub async fn add(
    tx: &mut PgConnection,
    secrets: &SecretBox,
    by: &Acting,
    form: &ChannelForm,
) -> Result<ChannelId, ChannelError> {
    let known = repo::tenant_names(tx).await?;
    let channel = check(form, false, &known).map_err(ChannelError::Invalid)?;
    let id = insert(tx, secrets, &channel).await.map_err(name_taken(&channel.name))?;
    let detail = format!("{} {}", channel.kind.as_str(), channel.target);
    let actor = Actor::from_current(&by.user);
    audit::record(tx, &actor, Action::ChannelAdded, &channel.name, &by.client_ip, &detail).await?;
    Ok(id)
}

/// Changes a channel from its form, with the audit log, in the caller's transaction. A new kind brings its own URL
/// and secrets; the same kind may keep them.
pub async fn edit(
    tx: &mut PgConnection,
    secrets: &SecretBox,
    by: &Acting,
    id: ChannelId,
    form: &ChannelForm,
) -> Result<(), ChannelError> {
    let stored = repo::kind_of(tx, id).await?.ok_or(ChannelError::NotFound)?;
    let known = repo::tenant_names(tx).await?;
    let channel = check(form, stored == form.kind.trim(), &known).map_err(ChannelError::Invalid)?;
    update(tx, secrets, id, &channel).await.map_err(name_taken(&channel.name))?;
    if repo::password_missing(tx, id).await? {
        return Err(ChannelError::Invalid(
            "Password: the SMTP server changed, and a stored password is only sent to the server it was entered \
             for; enter the password again"
                .into(),
        ));
    }
    let actor = Actor::from_current(&by.user);
    audit::record(tx, &actor, Action::ChannelChanged, &channel.name, &by.client_ip, "edited").await?;
    Ok(())
}

/// Pauses or resumes a channel, with the audit log.
pub async fn set_enabled(tx: &mut PgConnection, by: &Acting, id: ChannelId, enabled: bool) -> Result<(), ChannelError> {
    let name = repo::set_enabled(tx, id, enabled).await?.ok_or(ChannelError::NotFound)?;
    let detail = if enabled { "resumed" } else { "paused" };
    audit::record(tx, &Actor::from_current(&by.user), Action::ChannelChanged, &name, &by.client_ip, detail).await?;
    Ok(())
}

/// Removes a channel, with the audit log.
pub async fn remove(tx: &mut PgConnection, by: &Acting, id: ChannelId) -> Result<(), ChannelError> {
    let name = repo::delete_channel(tx, id).await?.ok_or(ChannelError::NotFound)?;
    audit::record(tx, &Actor::from_current(&by.user), Action::ChannelRemoved, &name, &by.client_ip, "").await?;
    Ok(())
}
