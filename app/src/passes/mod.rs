//! Passes (docs/domain.md «Passes and plates»): guests' and contractors' passes with a QR code, the
//! residents' own cars, taxis and couriers, the house's limits per flat, the guard's post and the
//! barrier cameras that read plates. So far: the resident's passes and the guest's link
//! (`store`), the guard's post (a check by the QR's link, the code or a plate — typed or scanned
//! by the phone's camera, `public/scan.js`; entries recorded once), the cameras (`camera`: their
//! events read; `gates`: decided once; `devices`: the barrier relay and the camera picture) and
//! the dispatcher's desk (`desk`: passes of a day, the log and its export, cars inside,
//! exceptions over the limits, passes made on a resident's behalf), the post on a poor
//! connection (`post`: the day's passes kept by the page, entries queued and sent once).

pub mod api;
#[cfg(feature = "ssr")]
pub mod camera;
#[cfg(feature = "ssr")]
pub mod desk;
#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
pub mod gates;
pub mod pages;
pub mod post;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
