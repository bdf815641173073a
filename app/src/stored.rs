//! How the enums pages show are stored: as their text (`as_str()`), read back through their own parsing.

/// Binds and reads `$ty` as its text: `as_str()` going in, `$parse` (`fn(&str) -> Result<$ty, String>`) coming out,
/// so a column holding a word Tenantry does not know is a decoding error where `$parse` says so.
macro_rules! stored_as_text {
    ($ty:ty, $parse:expr) => {
        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Encode<'_, sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $ty {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let parse: fn(&str) -> Result<$ty, String> = $parse;
                Ok(parse(<&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?)?)
            }
        }
    };
}

pub(crate) use stored_as_text;
