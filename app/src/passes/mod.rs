//! Passes (docs/domain.md «Passes and plates»): guests' and contractors' passes with a QR code, the
//! residents' own cars, taxis and couriers, the house's limits per flat, the guard's post and the
//! barrier cameras that read plates. So far: the resident's passes and the guest's link, and the
//! guard's post (a check by the QR's link, the code or a plate; entries recorded once). Cameras,
//! the dispatcher's log and exceptions, the offline post and the retention job come next.

pub mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
