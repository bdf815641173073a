//! Typed ids: one newtype per thing a page shows or links to. An id is parsed once, at the edge (a route
//! parameter or a form field), with `FromStr`; a malformed one is `AppError::NotFound`, which pages show as the
//! 404 page. Inside the console ids travel typed; under `ssr` they bind to and read from SQL as their inner type.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident($inner:ty), $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub $inner);

        impl $name {
            /// What the id names, for messages: "the tenant".
            pub const WHAT: &'static str = $what;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = AppError;

            fn from_str(raw: &str) -> Result<Self, AppError> {
                raw.trim().parse::<$inner>().map($name).map_err(|_| AppError::NotFound($what.into()))
            }
        }

        impl From<$inner> for $name {
            fn from(inner: $inner) -> Self {
                $name(inner)
            }
        }
    };
}

typed_id!(
    /// A registered tenant.
    TenantId(Uuid), "the tenant"
);
typed_id!(
    /// A status source (a provider's status page or feed, or a tenant's Auth0 feed).
    SourceId(Uuid), "the status source"
);
typed_id!(
    /// An incident of a status source.
    IncidentId(i64), "the incident"
);
typed_id!(
    /// A monitoring check.
    CheckId(Uuid), "the check"
);
typed_id!(
    /// A custom domain.
    DomainId(Uuid), "the custom domain"
);
typed_id!(
    /// A notification of the history.
    NotificationId(i64), "the notification"
);
typed_id!(
    /// A delivery channel.
    ChannelId(Uuid), "the delivery channel"
);
typed_id!(
    /// An advisory or change-notice feed.
    FeedId(Uuid), "the advisory feed"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_id_is_not_found_and_a_good_one_round_trips() {
        assert_eq!("nope".parse::<TenantId>(), Err(AppError::NotFound("the tenant".into())));
        assert_eq!("12x".parse::<IncidentId>(), Err(AppError::NotFound("the incident".into())));
        let id = Uuid::new_v4();
        assert_eq!(id.to_string().parse::<CheckId>(), Ok(CheckId(id)));
        assert_eq!(CheckId(id).to_string(), id.to_string());
    }
}
