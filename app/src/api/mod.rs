//! Server functions used by the web app's own pages and forms, one module
//! per feature (the same names as `ui/` and `backend/`). Each one is thin:
//! find the caller, call a service in `backend`, map the outcome. They are
//! public endpoints like any other, so each authorizes for itself.

mod accounts;
mod campaigns;
mod city;
mod dashboard;
mod gifts;
mod ops;
mod points;
mod reports;
#[cfg(feature = "ssr")]
mod ssr;
mod supervision;
mod volunteer;

pub use accounts::*;
pub use campaigns::*;
pub use city::*;
pub use dashboard::*;
pub use gifts::*;
pub use ops::*;
pub use points::*;
pub use reports::*;
pub use supervision::*;
pub use volunteer::*;
