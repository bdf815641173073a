//! The frame around every page: header, navigation, content.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::accounts::current_user;
use crate::areas::Area;

/// Header with the product name and the signed-in area, the main navigation (only the entries the user's role
/// may open), and the page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = current_user();
    let open = crate::notifications::open_notices();
    let account = match &user {
        Some(user) => view! {
            <span class="who">
                <strong>{user.display_name.clone()}</strong>
                " · "
                <span data-testid="role">{user.role.label()}</span>
            </span>
            <a href="/settings/tokens" class="link">"API tokens"</a>
            <form method="post" action="/logout" class="inline">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        }
        .into_any(),
        None => view! { <a href="/login">"Sign in"</a> }.into_any(),
    };
    let nav = user.map(|user| {
        view! {
            <nav class="sidebar" aria-label="Main">
                <ul>
                    {Area::ALL
                        .into_iter()
                        .filter_map(|area| area.entry_for(user.role).map(|href| (area, href)))
                        .map(|(area, href)| {
                            view! {
                                <li class:secondary=area == Area::System>
                                    <A href=href exact=area == Area::Overview>
                                        {area.label()}
                                    </A>
                                    {(area == Area::Notifications)
                                        .then_some(open)
                                        .flatten()
                                        .filter(|n| *n > 0)
                                        .map(|n| view! {
                                            <span class="count" data-testid="open-notices" title="notifications not acknowledged">{n}</span>
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        }
    });
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tenantry"</span>
            </a>
            <div class="account" aria-label="Signed-in user">{account}</div>
        </header>
        <div class="frame">
            {nav}
            <main id="content" class="content">
                {children()}
            </main>
        </div>
    }
}
