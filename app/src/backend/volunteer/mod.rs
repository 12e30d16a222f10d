//! Volunteer duty posts, shifts and sign-ups.
//!
//! Every sign-up and cancellation of a shift first locks that shift's row (a
//! no-op update; on SQLite the write transaction already serializes), so the
//! seat count, the waitlist order and promotions are decided one at a time,
//! on any number of servers. A person's own sign-ups are serialized the same
//! way by their user row, so two clashing shifts cannot both be taken.

mod attendance;
mod calendar;
mod hours;
mod posts;
mod shifts;
mod signups;
mod sweep;

use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;
use sqlx::{Any, Transaction};

use super::auth::{Actor, CurrentUser};
use super::db::{Param, Where, bind_all, conflict_on_unique, fetch_page};
use super::{AppState, audit, notify};
use crate::domain::volunteer::{self, Capacity, Period};
use crate::domain::{Fields, GeoPoint, Paging};
use crate::error::AppError;
use crate::models::{MyShift, Page, Post, Scheduled, Shift, SignupResult};

pub use attendance::*;
pub use calendar::*;
pub use hours::*;
pub use posts::*;
pub use shifts::*;
pub use signups::*;
pub use sweep::*;

fn parse_time(field: &str, s: &str) -> Result<i64, AppError> {
    super::clock::parse_instant(s).map_err(|e| AppError::field(field, e))
}

#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    name: String,
    lat: f64,
    lon: f64,
    radius_m: f64,
    description: String,
}

impl From<PostRow> for Post {
    fn from(r: PostRow) -> Post {
        Post {
            id: r.id,
            name: r.name,
            lat: r.lat,
            lon: r.lon,
            radius_m: r.radius_m,
            description: r.description,
        }
    }
}

async fn post_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

#[derive(sqlx::FromRow)]
struct ShiftRow {
    id: i64,
    post_id: i64,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    taken: i64,
    waitlisted: i64,
}

impl ShiftRow {
    fn into_shift(self, state: &AppState, my_status: Option<String>) -> Shift {
        Shift {
            id: self.id,
            post_id: self.post_id,
            starts_at: state.clock.rfc3339(self.starts_at),
            ends_at: state.clock.rfc3339(self.ends_at),
            capacity: self.capacity,
            taken: self.taken,
            waitlisted: self.waitlisted,
            my_status,
        }
    }
}

const SHIFT_COLUMNS: &str = "id, post_id, starts_at, ends_at, capacity, taken, waitlisted";

/// Locks a shift's row for the rest of the transaction and returns its times.
async fn lock_shift(
    tx: &mut Transaction<'static, Any>,
    shift_id: i64,
) -> Result<(i64, i64), AppError> {
    sqlx::query("UPDATE shifts SET taken = taken WHERE id = $1")
        .bind(shift_id)
        .execute(&mut **tx)
        .await?;
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT starts_at, ends_at FROM shifts WHERE id = $1")
            .bind(shift_id)
            .fetch_optional(&mut **tx)
            .await?;
    row.ok_or(AppError::NotFound)
}

async fn waitlist_position(
    tx: &mut Transaction<'static, Any>,
    shift_id: i64,
    seq: i64,
) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM signups WHERE shift_id = $1 AND status = 'waitlisted' AND seq <= $2",
    )
    .bind(shift_id)
    .bind(seq)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct Attending {
    id: i64,
    user_id: i64,
    status: String,
    starts_at: i64,
    ends_at: i64,
    checked_in_at: Option<i64>,
    points_paid: i64,
    lat: f64,
    lon: f64,
    radius_m: f64,
}

const ATTENDING: &str = "SELECT s.id, s.user_id, s.status, s.starts_at, s.ends_at, s.checked_in_at, s.points_paid, \
    p.lat, p.lon, p.radius_m FROM signups s JOIN shifts sh ON sh.id = s.shift_id JOIN posts p ON p.id = sh.post_id";

/// Moves a sign-up's paid points to what `minutes` earn: a new ledger entry
/// for the difference (the first payment refers to the sign-up, a later
/// correction to its correction row). Returns the points now paid.
async fn settle_points(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    a: &Attending,
    minutes: i64,
    correction: Option<i64>,
    actor_id: Option<i64>,
) -> Result<i64, AppError> {
    let target = super::points::rules(&mut **tx)
        .await?
        .volunteer_points(minutes);
    let delta = target - a.points_paid;
    if delta != 0 {
        let delta = crate::domain::PointsDelta::parse(delta).map_err(|_| AppError::Internal)?;
        let reference = match correction {
            Some(id) => super::points::Reference {
                kind: "attendance_correction",
                id,
            },
            None => super::points::Reference {
                kind: "signup",
                id: a.id,
            },
        };
        super::points::append(
            tx,
            now,
            a.user_id,
            delta,
            crate::domain::PointsReason::VolunteerHours,
            Some(reference),
            None,
            actor_id,
        )
        .await?;
        sqlx::query("UPDATE signups SET points_paid = $1 WHERE id = $2")
            .bind(target)
            .bind(a.id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(target)
}
