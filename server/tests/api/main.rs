//! HTTP tests through the real router, each on SQLite and on PostgreSQL.

mod helpers;

mod accounts;
mod campaigns;
mod city;
mod cli;
mod cluster;
mod gifts;
mod hardening;
mod identity;
mod ledger_props;
mod listing;
mod open311;
mod ops;
mod points;
mod privacy;
mod reports;
mod schema;
mod stats;
mod supervision;
mod system;
mod volunteer;
mod web;
