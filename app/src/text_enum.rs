//! The one way to define an enum stored as text (statuses, kinds, resources): each variant with
//! its text, `ALL`, `as_str`, `parse`, and — on the server — sqlx encoding for both databases.
//! Decoding a value the enum does not know is an error (logged where the query fails, the user
//! sees the generic message), never a silent default.
//!
//! ```ignore
//! text_enum! {
//!     /// Who handed a reading in.
//!     #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
//!     pub enum Source {
//!         Cabinet = "cabinet",
//!         Staff = "staff",
//!     }
//! }
//! ```

#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in the order of the definition.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// The variant whose stored text is `s`.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        #[cfg(feature = "ssr")]
        $crate::sql_text!($name, |v| v.as_str());
    };
}

/// Stores a value as text in both databases: decoded with its `parse` (an unknown text is an
/// error, never a default), encoded with the given expression — `sql_text!(Period, |p|
/// p.to_string())`. `text_enum!` uses it for every enum it defines.
#[macro_export]
macro_rules! sql_text {
    ($name:ident, |$v:ident| $text:expr) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                $name::parse(text).ok_or_else(|| {
                    format!(
                        concat!("unknown ", stringify!($name), " «{}» in the database"),
                        text
                    )
                    .into()
                })
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut DB::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                let $v = self;
                <String as sqlx::Encode<'q, DB>>::encode(String::from($text), buf)
            }
        }
    };
}
