//! The API's answers built from what the contexts answer: a DTO declared with [`mirror!`]
//! names the port view it shows and is built from it field by field, each field through
//! [`FromView`]. So a field is written once, in the DTO with its documentation (which the
//! OpenAPI document carries), and a view's field renamed, dropped or retyped is a compile
//! error here. The DTOs stay this crate's own types: the contexts know nothing of HTTP.

use std::collections::BTreeMap;

use kernel::Timestamp;
use uuid::Uuid;

/// How a value of a context's view becomes the API's.
pub trait FromView<V> {
    fn from_view(view: V) -> Self;
}

/// Values the API shows as the view has them.
macro_rules! as_is {
    ($($type:ty),*) => {
        $(impl FromView<$type> for $type {
            fn from_view(view: $type) -> Self {
                view
            }
        })*
    };
}
as_is!(String, bool, u8, u32, u64, i64, Uuid, BTreeMap<String, u64>);

impl FromView<&str> for String {
    fn from_view(view: &str) -> Self {
        view.to_owned()
    }
}

/// A time, as RFC 3339.
impl FromView<Timestamp> for String {
    fn from_view(view: Timestamp) -> Self {
        view.to_string()
    }
}

impl<V, D: FromView<V>> FromView<Vec<V>> for Vec<D> {
    fn from_view(view: Vec<V>) -> Self {
        view.into_iter().map(D::from_view).collect()
    }
}

impl<V, D: FromView<V>> FromView<Option<V>> for Option<D> {
    fn from_view(view: Option<V>) -> Self {
        view.map(D::from_view)
    }
}

impl<V, D: FromView<V>> FromView<Box<V>> for D {
    fn from_view(view: Box<V>) -> Self {
        D::from_view(*view)
    }
}

/// Typed ids, as their UUID.
macro_rules! ids_as_uuids {
    ($($id:ty),* $(,)?) => {
        $(impl $crate::http::mirror::FromView<$id> for uuid::Uuid {
            fn from_view(view: $id) -> Self {
                view.as_uuid()
            }
        })*
    };
}
pub(crate) use ids_as_uuids;

/// Declares DTOs (`Debug, Clone, Serialize, Deserialize, ToSchema`) that mirror views, each
/// with `From<View>`: `pub struct Dto from View { fields }` takes each field from the view's
/// field of that name; `pub enum Dto from View { variants }` maps each variant to the view's
/// variant of that name (an exhaustive match: a new variant in the view must be placed here).
macro_rules! mirror {
    () => {};
    ($(#[$meta:meta])* pub struct $name:ident from $view:ty {
        $($(#[$field_meta:meta])* pub $field:ident: $type:ty),* $(,)?
    } $($rest:tt)*) => {
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type),*
        }

        impl $crate::http::mirror::FromView<$view> for $name {
            fn from_view(view: $view) -> Self {
                Self { $($field: $crate::http::mirror::FromView::from_view(view.$field)),* }
            }
        }

        $crate::http::mirror::mirror!(@from $view => $name);
        $crate::http::mirror::mirror!($($rest)*);
    };
    ($(#[$meta:meta])* pub enum $name:ident from $view:ty {
        $($(#[$variant_meta:meta])* $variant:ident),* $(,)?
    } $($rest:tt)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$variant_meta])* $variant),*
        }

        impl $crate::http::mirror::FromView<$view> for $name {
            fn from_view(view: $view) -> Self {
                match view {
                    $(<$view>::$variant => Self::$variant),*
                }
            }
        }

        $crate::http::mirror::mirror!(@from $view => $name);
        $crate::http::mirror::mirror!($($rest)*);
    };
    (@from $view:ty => $name:ident) => {
        impl From<$view> for $name {
            fn from(view: $view) -> Self {
                $crate::http::mirror::FromView::from_view(view)
            }
        }
    };
}
pub(crate) use mirror;
