//! Server-only code: storage, authentication and the services that own every
//! business rule. Server functions (`crate::api`) and the HTTP handlers of the
//! `zhuomu` binary both call these services, so a rule holds whichever door a
//! request comes through.

pub mod audit;
pub mod auth;
pub mod badges;
pub mod boards;
pub mod campaigns;
pub mod charts;
pub mod city;
pub mod clock;
pub mod db;
pub mod gifts;
pub mod identity;
pub mod limits;
pub mod minutely;
pub mod notify;
pub mod open311;
pub mod photos;
pub mod points;
pub mod reports;
pub mod state;
pub mod stats;
pub mod suggestions;
pub mod users;
pub mod volunteer;

pub use clock::Clock;
pub use db::{Backend, Db};
pub use state::{AppState, Config, S3Settings};
