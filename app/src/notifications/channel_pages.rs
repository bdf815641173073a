//! Notifications → Delivery channels (admin): the list with health, a channel's page with its delivery log and
//! "Send test", and the add and edit forms.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::SOURCES;
use super::channels::{
    AddChannel, ChannelDetail, ChannelForm, ChannelHealth, ChannelRow, DeliveryRow, KINDS, RemoveChannel,
    SMTP_SECURITY, SetChannelEnabled, TestChannel, UpdateChannel, kind_label, load_channel, load_channels,
    new_channel_form,
};
use super::feed_pages::subnav;
use crate::format::{timestamp, timestamp_or_never as when};
use crate::pages::{Empty, Pager, Problem, failure, loaded, loaded_or, query_string};

fn health_badge(health: ChannelHealth) -> impl IntoView {
    view! { <span class=format!("badge state {}", health.tone()) data-health=health.as_str()>{health.label()}</span> }
}

/// `/notifications/channels`.
#[component]
pub fn ChannelsPage() -> impl IntoView {
    view! {
        <Title text="Delivery channels" />
        {subnav("/notifications/channels")}
        <h1>"Delivery channels"</h1>
        <p class="lead">
            "Where notifications are sent: signed webhooks, Slack, Microsoft Teams and email. Each channel gets every \
             update of the notifications its filters match, once; failed deliveries are retried with backoff for \
             three days. A channel failing for a day shows on the status board."
        </p>
        <p>
            <a class="button primary" href="/notifications/channels/new">"Add a channel"</a>" "
            <a class="button" href="/notifications/channels/new?preset=auth0-status">"Subscribe to Auth0 status"</a>
        </p>
        {loaded("Reading channels…", load_channels(), |list| {
            if list.rows.is_empty() {
                return view! {
                    <Empty>"No channel yet. Add one, or subscribe a chat channel to Auth0's status for the regions your tenants use."</Empty>
                }.into_any();
            }
            view! {
                <table class="table" data-testid="channels">
                    <thead><tr><th>"Channel"</th><th>"Sends"</th><th>"Health"</th><th>"Last delivered"</th><th>"Waiting"</th><th>"Last 24 h"</th></tr></thead>
                    <tbody>{list.rows.into_iter().map(|row| view! { <ChannelLine row /> }).collect_view()}</tbody>
                </table>
            }.into_any()
        })}
    }
}

#[component]
fn ChannelLine(row: ChannelRow) -> impl IntoView {
    let filters = row.filters();
    view! {
        <tr data-testid="channel" class:paused=!row.enabled>
            <td>
                <a href=format!("/notifications/channels/{}", row.id)>{row.name.clone()}</a>
                <br /><span class="muted">{kind_label(&row.kind)}</span>
                <br /><code class="url">{row.target.clone()}</code>
            </td>
            <td>{filters}</td>
            <td>
                {health_badge(row.health)}
                {row.failing_since.map(|s| view! { <br /><span class="muted">{format!("since {}", timestamp(s))}</span> })}
                {row.last_error.clone().map(|e| view! { <br /><span class="muted">{e}</span> })}
            </td>
            <td>{when(row.last_success_at)}</td>
            <td>{row.pending}</td>
            <td>{row.delivered_day}</td>
        </tr>
    }
}

/// The form's fields, shared by the add and edit forms. `editing`: secret fields may stay empty.
#[component]
fn ChannelFields(form: ChannelForm, editing: bool) -> impl IntoView {
    let keep = if editing { "leave empty to keep the stored one" } else { "" };
    let chosen = form.sources.clone();
    view! {
        <fieldset class="span">
            <legend>"Channel"</legend>
            <div class="form grid">
                <label for="ch-name">"Name"</label>
                <input type="text" id="ch-name" name="form[name]" required maxlength="100" value=form.name.clone() placeholder="Ops Slack" />
                <label for="ch-kind">"Kind"</label>
                <select id="ch-kind" name="form[kind]">
                    {KINDS.into_iter().map(|(k, l)| view! { <option value=k selected=k == form.kind>{l}</option> }).collect_view()}
                </select>
            </div>
        </fieldset>
        <fieldset class="span">
            <legend>"Webhook, Slack or Teams"</legend>
            <div class="form grid">
                <label for="ch-url">"URL"</label>
                <input type="url" id="ch-url" name="form[url]" autocomplete="off"
                    placeholder=if editing { "leave empty to keep the stored URL" } else { "https://hooks.slack.com/services/…" } />
                <label for="ch-secret">"Signing secret (webhook)"</label>
                <input type="password" id="ch-secret" name="form[signing_secret]" autocomplete="new-password"
                    placeholder=if editing { keep } else { "16 characters or more; the receiver checks X-Tenantry-Signature with it" } />
            </div>
        </fieldset>
        <fieldset class="span">
            <legend>"Email"</legend>
            <div class="form grid">
                <label for="ch-host">"SMTP host"</label>
                <input type="text" id="ch-host" name="form[smtp_host]" value=form.smtp_host.clone() placeholder="smtp.sendgrid.net" />
                <label for="ch-security">"Security"</label>
                <select id="ch-security" name="form[smtp_security]">
                    {SMTP_SECURITY.into_iter().map(|(k, l)| view! { <option value=k selected=k == form.smtp_security>{l}</option> }).collect_view()}
                </select>
                <label for="ch-port">"Port"</label>
                <input type="text" id="ch-port" name="form[smtp_port]" inputmode="numeric" value=form.smtp_port.clone() placeholder="587, 465 or 25 by security" />
                <label for="ch-user">"User name"</label>
                <input type="text" id="ch-user" name="form[smtp_username]" autocomplete="off" value=form.smtp_username.clone() placeholder="optional" />
                <label for="ch-pass">"Password"</label>
                <input type="password" id="ch-pass" name="form[smtp_password]" autocomplete="new-password" placeholder=if editing { keep } else { "optional" } />
                <label for="ch-from">"From"</label>
                <input type="text" id="ch-from" name="form[mail_from]" value=form.mail_from.clone() placeholder="Tenantry <tenantry@example.com>" />
                <label for="ch-to">"To"</label>
                <input type="text" id="ch-to" name="form[mail_to]" value=form.mail_to.clone() placeholder="ops@example.com, oncall@example.com" />
            </div>
        </fieldset>
        <fieldset class="span">
            <legend>"Which notifications"</legend>
            <div class="form grid">
                <label for="ch-min">"Minimum severity"</label>
                <select id="ch-min" name="form[min_severity]">
                    {["info", "warning", "critical"].into_iter().map(|s| view! { <option value=s selected=s == form.min_severity>{s}</option> }).collect_view()}
                </select>
                <span class="label">"Sources"</span>
                <div class="checks" role="group" aria-label="Sources (none ticked: every source)">
                    {SOURCES.into_iter().map(|(k, l)| {
                        let (for_id, input_id) = (format!("ch-src-{k}"), format!("ch-src-{k}"));
                        let checked = chosen.iter().any(|c| c == k);
                        view! {
                            <label for=for_id>
                                <input type="checkbox" id=input_id name="form[sources][]" value=k checked=checked />
                                " "{l}
                            </label>
                        }
                    }).collect_view()}
                    <span class="help">"None ticked: every source."</span>
                </div>
                <label for="ch-tenants">"Tenants"</label>
                <input type="text" id="ch-tenants" name="form[tenants]" value=form.tenants.clone() placeholder="acme-prod, acme-eu-prod (empty: every tenant)" />
                <label for="ch-regions">"Regions"</label>
                <input type="text" id="ch-regions" name="form[regions]" value=form.regions.clone() placeholder="us, eu (empty: every region)" />
            </div>
        </fieldset>
    }
}

/// `/notifications/channels/new` (`?preset=auth0-status` starts from "Subscribe to Auth0 status").
#[component]
pub fn ChannelNewPage() -> impl IntoView {
    let preset = use_query_map().with_untracked(|q| q.get("preset"));
    let add = ServerAction::<AddChannel>::new();
    let error = failure(add);
    view! {
        <Title text="Add a delivery channel" />
        {subnav("/notifications/channels")}
        <p class="crumbs"><a href="/notifications/channels">"Delivery channels"</a>" / Add"</p>
        <h1>"Add a delivery channel"</h1>
        {(preset.as_deref() == Some("auth0-status")).then(|| view! {
            <p class="lead">"Subscribe to Auth0 status: every update of Auth0's status for the regions your tenants use, sent to a chat channel or mailbox of yours. Give it a destination."</p>
        })}
        <Problem error />
        {loaded("Preparing the form…", new_channel_form(preset), move |form| view! {
            <ActionForm action=add attr:class="form stacked" attr:data-testid="channel-form">
                <ChannelFields form editing=false />
                <button type="submit" class="primary">"Add channel"</button>
            </ActionForm>
        })}
    }
}

/// `/notifications/channels/:id/edit`.
#[component]
pub fn ChannelEditPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let update = ServerAction::<UpdateChannel>::new();
    let error = failure(update);
    view! {
        <Title text="Edit a delivery channel" />
        {subnav("/notifications/channels")}
        <Problem error />
        {loaded_or("Reading the channel…", async move { load_channel(id.parse::<crate::ids::ChannelId>()?, 1).await }, move |d| view! {
            <p class="crumbs"><a href="/notifications/channels">"Delivery channels"</a>" / "
                <a href=format!("/notifications/channels/{}", d.row.id)>{d.row.name.clone()}</a>" / Edit"</p>
            <h1>{format!("Edit {}", d.row.name)}</h1>
            <ActionForm action=update attr:class="form stacked" attr:data-testid="channel-form">
                <input type="hidden" name="id" value=d.row.id.to_string() />
                <ChannelFields form=d.form.clone() editing=true />
                <button type="submit" class="primary">"Save"</button>
            </ActionForm>
        }, |e| view! { <h1>"Edit a delivery channel"</h1> <Problem error=Some(e) /> })}
    }
}

/// `/notifications/channels/:id`: settings, health, "Send test", the delivery log.
#[component]
pub fn ChannelPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let (page, tested) = use_query_map()
        .with_untracked(|q| (q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1u32), q.get("tested").is_some()));
    let test = ServerAction::<TestChannel>::new();
    let enable = ServerAction::<SetChannelEnabled>::new();
    let remove = ServerAction::<RemoveChannel>::new();
    let error = failure(test).or(failure(enable)).or(failure(remove));
    view! {
        <Title text="Delivery channel" />
        {subnav("/notifications/channels")}
        <Problem error />
        {loaded_or("Reading the channel…", async move { load_channel(id.parse::<crate::ids::ChannelId>()?, page).await }, move |d| {
            // After "Send test": the newest test attempt in the log is the one just sent.
            let result = d.deliveries.iter().find(|r| tested && r.notification.is_none()).map(|r| {
                let tone = if r.ok { "notice ok" } else { "notice error" };
                view! { <div class=tone role="status" data-testid="test-result"><p>{r.sentence()}</p></div> }
            });
            view! { {result} <ChannelView d test enable remove /> }
        }, |e| view! { <h1>"Delivery channel"</h1> <Problem error=Some(e) /> })}
    }
}

#[component]
fn ChannelView(
    d: ChannelDetail,
    test: ServerAction<TestChannel>,
    enable: ServerAction<SetChannelEnabled>,
    remove: ServerAction<RemoveChannel>,
) -> impl IntoView {
    let row = d.row.clone();
    let id = row.id.to_string();
    let link = {
        let id = id.clone();
        move |page: u32| format!("/notifications/channels/{id}{}", query_string(&[("page", page.to_string())]))
    };
    let toggle = if row.enabled { "false" } else { "true" };
    let (test_id, enable_id, remove_id) = (id.clone(), id.clone(), id.clone());
    let edit = format!("/notifications/channels/{id}/edit");
    view! {
        <p class="crumbs"><a href="/notifications/channels">"Delivery channels"</a>" / "{row.name.clone()}</p>
        <h1>{row.name.clone()}</h1>
        <p class="lead">{kind_label(&row.kind)}" · "<code class="url">{row.target.clone()}</code></p>
        <section class="card" data-testid="channel-health">
            <p>{health_badge(row.health)}
                {row.failing_since.map(|s| format!(" since {}", timestamp(s)))}
                {format!(" · last delivered {} · {} waiting · {} delivered in 24 h", when(row.last_success_at), row.pending, row.delivered_day)}
            </p>
            {row.last_error.clone().map(|e| view! { <p class="muted">"Last problem: "{e}</p> })}
            <p>"Sends: "{row.filters()}</p>
            <div class="actions">
                <ActionForm action=test attr:class="inline">
                    <input type="hidden" name="id" value=test_id />
                    <button type="submit" class="primary">"Send test"</button>
                </ActionForm>
                <a class="button" href=edit>"Edit"</a>
                <ActionForm action=enable attr:class="inline">
                    <input type="hidden" name="id" value=enable_id />
                    <input type="hidden" name="enabled" value=toggle />
                    <button type="submit">{if row.enabled { "Pause" } else { "Resume" }}</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="id" value=remove_id />
                    <button type="submit" class="danger">"Remove"</button>
                </ActionForm>
            </div>
        </section>
        <h2>"Delivery log"</h2>
        {d.deliveries.is_empty().then(|| view! { <Empty>"Nothing sent yet. \"Send test\" sends a test message now."</Empty> })}
        <DeliveryTable rows=d.deliveries.clone() show_channel=false />
        <Pager page=d.page pages=d.pages link />
    }
}

/// A delivery log: attempts with their outcome. On a notification's page (`show_channel`) each row names the
/// channel; on a channel's page, the notification.
#[component]
pub fn DeliveryTable(rows: Vec<DeliveryRow>, show_channel: bool) -> impl IntoView {
    let show_notification = !show_channel;
    (!rows.is_empty()).then(|| view! {
        <table class="table" data-testid="deliveries">
            <thead><tr><th>"When"</th>{show_channel.then(|| view! { <th>"Channel"</th> })}{show_notification.then(|| view! { <th>"Notification"</th> })}{show_channel.then(|| view! { <th>"Update"</th> })}<th>"Attempt"</th><th>"Outcome"</th><th>"Took"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let outcome = if r.ok {
                        format!("delivered{}", r.status.map(|s| format!(" ({s})")).unwrap_or_default())
                    } else {
                        r.error.clone().unwrap_or_else(|| "failed".into())
                    };
                    let tone = if r.ok { "ok" } else { "bad" };
                    view! {
                        <tr data-testid="delivery" data-ok=r.ok.to_string()>
                            <td>{timestamp(r.at)}</td>
                            {show_channel.then(|| view! { <td><a href=format!("/notifications/channels/{}", r.channel_id)>{r.channel_name.clone()}</a></td> })}
                            {show_notification.then(|| view! { <td>{match r.notification.clone() {
                                Some((id, title)) => view! { <a href=format!("/notifications/{id}")>{title}</a> }.into_any(),
                                None => view! { <span class="muted">"test message"</span> }.into_any(),
                            }}</td> })}
                            {show_channel.then(|| view! { <td>{r.update.clone().unwrap_or_default()}</td> })}
                            <td>{r.attempt}</td>
                            <td><span class=format!("badge state {tone}")>{if r.ok { "ok" } else { "failed" }}</span>" "{outcome}</td>
                            <td>{format!("{} ms", r.duration_ms)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    })
}
