//! `/tenants/:id`: one tenant — its registry entry, latest snapshot, findings and history — with "Refresh now".

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::inventory::Findings;
use super::{RefreshTenant, load_tenant};
use crate::accounts::{Role, current_user};
use crate::format::timestamp;
use crate::ids::TenantId;
use crate::infra::TenantEmail;
use crate::logs::TenantReceiver;
use crate::pages::{Notice, Problem, failure, loaded};
use crate::peak::TenantPeak;

fn is_admin() -> bool {
    current_user().is_some_and(|u| u.role >= Role::Admin)
}

/// `/tenants/:id`.
#[component]
pub fn TenantPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let refresh = ServerAction::<RefreshTenant>::new();
    let refresh_error = failure(refresh);
    view! {
        <Title text="Tenant" />
        {loaded("Reading the tenant…", async move { load_tenant(id.parse::<TenantId>()?).await }, move |t| {
                        let cell = t.cell.clone();
                        let edit = format!("/tenants/{}/edit", cell.id);
                        view! {
                            <Title text=cell.name.clone() />
                            <p class="crumbs"><a href="/tenants">"Tenants"</a>" / "{cell.name.clone()}</p>
                            <h1>{cell.name.clone()}</h1>
                            <p class="lead">{cell.domain.clone()}" · "{cell.environment.label()}" · "{cell.user_domain.clone()}" · "
                                <a href=format!("/checklists/{}", cell.id) data-testid="checklist-link">"Readiness checklist"</a></p>
                            <Problem error=refresh_error.clone() />
                            {cell.failure.clone().map(|(class, message)| view! {
                                <Notice tone="error" testid="poll-failure">
                                    <h2>{format!("The last read failed: {}", class.replace('_', " "))}</h2>
                                    <p>{message}</p>
                                    <p>{cell.last_success_at.map(|t| format!("Last good read {}. The data below is from then.", timestamp(t))).unwrap_or_else(|| "Tenantry has never read this tenant.".into())}</p>
                                </Notice>
                            })}
                            <p class="actions">
                                <ActionForm action=refresh attr:class="inline">
                                    <input type="hidden" name="id" value=cell.id.to_string() />
                                    <button type="submit" class="primary">"Refresh now"</button>
                                </ActionForm>
                                {is_admin().then(|| view! { <a class="button" href=edit>"Edit"</a> })}
                            </p>
                            <Findings findings=t.findings.clone() />
                            <TenantEmail id=cell.id />
                            <TenantReceiver id=cell.id />
                            <TenantPeak id=cell.id />
                            <section class="card">
                                <h2>"Registry"</h2>
                                <dl class="facts">
                                    <dt>"Region"</dt><dd>{cell.region.map(|r| r.label()).unwrap_or("unknown")}</dd>
                                    <dt>"Environment"</dt><dd>{cell.environment.label()}</dd>
                                    <dt>"User domain"</dt><dd>{cell.user_domain.clone()}</dd>
                                    <dt>"Company account"</dt><dd>{cell.association.as_str().replace('_', " ")}{(!cell.account_name.is_empty()).then(|| format!(" ({})", cell.account_name))}</dd>
                                    <dt>"Paid features"</dt><dd>{if cell.paid_features { "enabled" } else { "no" }}</dd>
                                    <dt>"Client id"</dt><dd><code>{t.client_id.clone()}</code>" (the secret is stored encrypted and never shown)"</dd>
                                    <dt>"API address"</dt><dd>{t.api_base_url.clone().unwrap_or_else(|| format!("https://{}", cell.domain))}</dd>
                                    <dt>"Next read"</dt><dd>{t.next_poll_at.map(timestamp).unwrap_or_else(|| "not scheduled".into())}</dd>
                                    <dt>"Notes"</dt><dd>{if t.notes.is_empty() { "—".to_string() } else { t.notes.clone() }}</dd>
                                </dl>
                            </section>
                            <section class="card" data-testid="snapshot">
                                <h2>"Latest snapshot"</h2>
                                {match t.snapshot_at {
                                    None => view! { <p class="muted">"No snapshot yet: Tenantry has not read this tenant successfully."</p> }.into_any(),
                                    Some(at) => view! {
                                        <p class="muted">"Taken "{timestamp(at)}" (a snapshot is stored only when something changed)."</p>
                                        <dl class="facts">
                                            {t.settings.clone().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                            <dt>"Custom domains"</dt><dd>{if cell.custom_domains.is_empty() { "none".to_string() } else { cell.custom_domains.iter().map(|(d, s)| format!("{d} ({s})")).collect::<Vec<_>>().join(", ") }}</dd>
                                            <dt>"Email provider"</dt><dd>{cell.email_provider.clone().unwrap_or_else(|| "none (Auth0's built-in provider)".into())}</dd>
                                            <dt>"Log streams"</dt><dd>{if cell.log_streams.is_empty() { "none".to_string() } else { cell.log_streams.iter().map(|(n, s)| format!("{n} ({s})")).collect::<Vec<_>>().join(", ") }}</dd>
                                            <dt>"Active users (30 days)"</dt><dd>{t.active_users.map(|n| n.to_string()).unwrap_or_else(|| "unknown".into())}</dd>
                                            {t.configuration.clone().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                        </dl>
                                        {(!t.unknown.is_empty()).then(|| view! {
                                            <p class="muted" data-testid="snapshot-unknown">"Not read: "{t.unknown.join("; ")}"."</p>
                                        })}
                                    }.into_any(),
                                }}
                            </section>
                            <section class="card">
                                <h2>"History"</h2>
                                {if t.history.is_empty() {
                                    view! { <p class="muted" data-testid="history-empty">"No change seen yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="history">
                                            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                                            <tbody>
                                                {t.history.clone().into_iter().map(|c| view! {
                                                    <tr>
                                                        <td class="nowrap">{timestamp(c.at)}</td>
                                                        <td><code>{c.field}</code></td>
                                                        <td>{c.before.unwrap_or_else(|| "—".into())}</td>
                                                        <td>{c.after.unwrap_or_else(|| "—".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }
        })}
    }
}
