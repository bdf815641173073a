use leptos::prelude::*;
use leptos_meta::Title;

use super::{DatabaseStatus, SystemInfo, load_system_info};
use crate::format::{duration_secs, timestamp};
use crate::pages::loaded;

/// The About / System page.
#[component]
pub fn SystemPage() -> impl IntoView {
    view! {
        <Title text="About / System" />
        <h1>"About / System"</h1>
        <p class="lead">"This Tenantry server: its version, its database and how long it has been up."</p>
        // Read on the server while the page renders (SsrMode::Async); a plain future, not a Resource, because
        // nothing is hydrated and a Resource would inline its data as a script for the browser.
        {loaded("Reading system information…", load_system_info(), |info| view! { <SystemDetails info /> })}
    }
}

#[component]
fn SystemDetails(info: SystemInfo) -> impl IntoView {
    let database = match info.database {
        DatabaseStatus::Up { server_version, latency_ms } => view! {
            <span class="badge ok">"Up"</span>
            " PostgreSQL "{server_version}", answered in "{latency_ms}" ms"
        }
        .into_any(),
        DatabaseStatus::Down { reason } => view! {
            <span class="badge bad">"Down"</span>
            " "{reason}
        }
        .into_any(),
    };
    let installation = match info.installation {
        Some(i) => format!("{} (instance {})", timestamp(i.installed_at), i.instance_id),
        None => "unknown while the database is unreachable".to_string(),
    };
    let pending =
        if info.pending_migrations.is_empty() { "none".to_string() } else { info.pending_migrations.join(", ") };
    view! {
        <section class="card">
            <h2>"Server"</h2>
            <dl class="facts">
                <dt>"Version"</dt>
                <dd data-testid="version">{info.version}</dd>
                <dt>"Started"</dt>
                <dd>{timestamp(info.started_at)}</dd>
                <dt>"Uptime"</dt>
                <dd data-testid="uptime">{duration_secs(info.uptime_secs)}</dd>
                <dt>"Database"</dt>
                <dd data-testid="database">{database}</dd>
                <dt>"Installed"</dt>
                <dd>{installation}</dd>
                <dt>"Pending migrations"</dt>
                <dd>{pending}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"Migrations applied"</h2>
            {match info.migrations {
                None => {
                    view! { <p class="muted">"Unknown: the database could not be read."</p> }.into_any()
                }
                Some(rows) if rows.is_empty() => {
                    view! {
                        <p class="muted">"None yet. Run " <code>"tenantry migrate"</code> " to apply them."</p>
                    }
                        .into_any()
                }
                Some(rows) => {
                    view! {
                        <table class="table" data-testid="migrations">
                            <thead>
                                <tr>
                                    <th scope="col">"Version"</th>
                                    <th scope="col">"Description"</th>
                                    <th scope="col">"Applied"</th>
                                    <th scope="col">"Result"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|m| {
                                        view! {
                                            <tr>
                                                <td><code>{m.version}</code></td>
                                                <td>{m.description}</td>
                                                <td>{timestamp(m.installed_on)}</td>
                                                <td>
                                                    {if m.success {
                                                        view! { <span class="badge ok">"applied"</span> }
                                                    } else {
                                                        view! { <span class="badge bad">"failed"</span> }
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
