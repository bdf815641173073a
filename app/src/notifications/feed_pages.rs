//! Notifications → Feeds: the advisory and change-notice feeds Tenantry reads, the catalog, adding by URL.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use super::feeds::{
    AddCatalogFeed, AddFeed, CLASSIFY, FeedList, FeedRow, KINDS, ReadFeed, RemoveFeed, SetFeedEnabled, load_feeds,
};
use crate::accounts::{Role, current_user};
use crate::format::timestamp_or_never as when;
use crate::pages::{Empty, Problem, failure, loaded};

/// The notifications area's sub-navigation; channels only for admins.
pub fn subnav(current: &'static str) -> impl IntoView {
    let mut links = vec![("/notifications", "History"), ("/notifications/feeds", "Advisory feeds")];
    if current_user().is_some_and(|u| u.role >= Role::Admin) {
        links.push(("/notifications/channels", "Delivery channels"));
    }
    crate::pages::subnav("Notifications", current, links)
}

/// `/notifications/feeds`.
#[component]
pub fn FeedsPage() -> impl IntoView {
    let add = ServerAction::<AddFeed>::new();
    let catalog = ServerAction::<AddCatalogFeed>::new();
    let enable = ServerAction::<SetFeedEnabled>::new();
    let remove = ServerAction::<RemoveFeed>::new();
    let read = ServerAction::<ReadFeed>::new();
    let error = failure(add).or(failure(catalog)).or(failure(enable)).or(failure(remove)).or(failure(read));
    view! {
        <Title text="Advisory feeds" />
        {subnav("/notifications/feeds")}
        <h1>"Advisory feeds"</h1>
        <p class="lead">
            "Security advisories and change notices: GitHub's advisories for the Auth0 SDKs you use, Auth0's \
             changelog, your SDKs' release notes. Each item becomes a notification, classified as a security \
             advisory, a deprecation or a change. A feed that cannot be read is marked in error; what it brought \
             stays in the history."
        </p>
        <Problem error />
        {loaded("Reading feeds…", load_feeds(), move |list| view! { <FeedsView list add catalog enable remove read /> })}
    }
}

#[component]
fn FeedsView(
    list: FeedList,
    add: ServerAction<AddFeed>,
    catalog: ServerAction<AddCatalogFeed>,
    enable: ServerAction<SetFeedEnabled>,
    remove: ServerAction<RemoveFeed>,
    read: ServerAction<ReadFeed>,
) -> impl IntoView {
    let changer = current_user().is_some_and(|u| u.role >= Role::OpsLead);
    let empty = list.rows.is_empty();
    view! {
        <p class="muted">{format!("{} feed(s)", list.rows.len())}</p>
        {empty.then(|| view! {
            <Empty>"No feed yet. Add GitHub's advisories for Auth0 packages or Auth0's changelog from the catalog below."</Empty>
        })}
        <table class="table" data-testid="feeds">
            <thead>
                <tr><th>"Feed"</th><th>"State"</th><th>"Last good read"</th><th>"Problem"</th><th>"Notices"</th>{changer.then(|| view! { <th>"Actions"</th> })}</tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|row| view! { <FeedLine row changer enable remove read /> }).collect_view()}
            </tbody>
        </table>
        <section class="card" aria-labelledby="feed-catalog-h">
            <h2 id="feed-catalog-h">"Feed catalog"</h2>
            <p>"Feeds worth reading, offered — not read — until someone adds them."</p>
            <table class="table" data-testid="feed-catalog">
                <thead><tr><th>"Feed"</th><th>"What it brings"</th><th></th></tr></thead>
                <tbody>
                    {list.catalog.into_iter().map(|entry| {
                        let action = if entry.added {
                            view! { <span class="muted">"added"</span> }.into_any()
                        } else if changer {
                            let label = format!("Add {}", entry.name);
                            view! {
                                <ActionForm action=catalog attr:class="inline">
                                    <input type="hidden" name="key" value=entry.key.clone() />
                                    <button type="submit" aria-label=label>"Add"</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <span class="muted">"offered"</span> }.into_any()
                        };
                        view! {
                            <tr>
                                <td>{entry.name.clone()}<br /><code class="url">{entry.url.clone()}</code></td>
                                <td>{entry.note.clone()}</td>
                                <td>{action}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {changer.then(|| view! {
            <section class="card" aria-labelledby="feed-add-h">
                <h2 id="feed-add-h">"Add a feed by URL"</h2>
                <p class="help">"RSS or Atom, over http(s). Addresses on this machine or a private network are refused unless the server allows them (notifications.allow_private_targets)."</p>
                <ActionForm action=add attr:class="form grid">
                    <label for="feed-name">"Name"</label>
                    <input type="text" id="feed-name" name="form[name]" required maxlength="100" placeholder="auth0-vue releases" />
                    <label for="feed-kind">"Kind"</label>
                    <select id="feed-kind" name="form[kind]">
                        {KINDS.into_iter().map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view()}
                    </select>
                    <label for="feed-classify">"Items are"</label>
                    <select id="feed-classify" name="form[classify]">
                        {CLASSIFY.into_iter().map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view()}
                    </select>
                    <label for="feed-url">"URL"</label>
                    <input id="feed-url" name="form[url]" type="url" required placeholder="https://github.com/auth0/auth0-vue/releases.atom" />
                    <label for="feed-keywords">"Only items that mention"</label>
                    <input id="feed-keywords" name="form[keywords]" type="text" placeholder="auth0, nextjs-auth0 (comma-separated; empty: every item)" />
                    <label for="feed-interval">"Minutes between reads"</label>
                    <input id="feed-interval" name="form[interval_minutes]" type="text" inputmode="numeric" placeholder="30" />
                    <span></span>
                    <button type="submit" class="primary">"Add feed"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn FeedLine(
    row: FeedRow,
    changer: bool,
    enable: ServerAction<SetFeedEnabled>,
    remove: ServerAction<RemoveFeed>,
    read: ServerAction<ReadFeed>,
) -> impl IntoView {
    let kind = KINDS.iter().find(|(k, _)| *k == row.kind).map(|(_, l)| *l).unwrap_or("feed");
    let keywords = (!row.keywords.is_empty()).then(|| format!(" · only items mentioning {}", row.keywords.join(", ")));
    let minutes = row.interval_secs / 60;
    let actions = changer.then(|| {
        let (a, b, c) = (row.id.to_string(), row.id.to_string(), row.id.to_string());
        let enabled = row.state != super::feeds::FeedState::Paused;
        let toggle = if enabled { "false" } else { "true" };
        view! {
            <td class="actions">
                <ActionForm action=read attr:class="inline">
                    <input type="hidden" name="id" value=a />
                    <button type="submit">"Read now"</button>
                </ActionForm>
                <ActionForm action=enable attr:class="inline">
                    <input type="hidden" name="id" value=b />
                    <input type="hidden" name="enabled" value=toggle />
                    <button type="submit">{if enabled { "Pause" } else { "Resume" }}</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="id" value=c />
                    <button type="submit" class="danger">"Remove"</button>
                </ActionForm>
            </td>
        }
    });
    view! {
        <tr data-testid="feed" data-state=row.state.label()>
            <td>
                {row.name.clone()}
                <br />
                <span class="muted">{kind}{keywords}{format!(" · every {minutes} min")}</span>
                <br />
                <code class="url">{row.url.clone()}</code>
            </td>
            <td><span class=format!("badge state {}", row.state.tone())>{row.state.label()}</span></td>
            <td>{when(row.last_good_at)}</td>
            <td>{row.error.clone().unwrap_or_default()}</td>
            <td>{row.items}</td>
            {actions}
        </tr>
    }
}
