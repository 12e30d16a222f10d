//! Volunteer duty posts, shifts and sign-ups.
//!
//! Every sign-up and cancellation of a shift first locks that shift's row (a
//! no-op update; on SQLite the write transaction already serializes), so the
//! seat count, the waitlist order and promotions are decided one at a time,
//! on any number of servers. A person's own sign-ups are serialized the same
//! way by their user row, so two clashing shifts cannot both be taken.

use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;
use sqlx::{Any, Transaction};

use super::auth::CurrentUser;
use super::db::{Param, Where, bind_all, conflict_on_unique};
use super::{AppState, audit, notify};
use crate::domain::volunteer::{self, Capacity, Period};
use crate::domain::{Fields, GeoPoint, Paging};
use crate::error::AppError;
use crate::models::{MyShift, Page, Post, Scheduled, Shift, SignupResult};

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

pub async fn list_posts(state: &AppState) -> Result<Vec<Post>, AppError> {
    let rows: Vec<PostRow> =
        sqlx::query_as("SELECT id, name, lat, lon, radius_m, description FROM posts ORDER BY id")
            .fetch_all(&state.db.pool)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostInput {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Check-in fence in metres (default 150).
    pub radius_m: Option<f64>,
    pub description: Option<String>,
}

/// Admin: a new post (a crossing, a square, an activity's meeting point).
pub async fn create_post(
    state: &AppState,
    actor: Option<&CurrentUser>,
    input: PostInput,
) -> Result<Post, AppError> {
    if let Some(a) = actor {
        a.require_admin()?;
    }
    let mut f = Fields::new();
    let name = f.check(
        "name",
        crate::domain::clean_text(&input.name, 50, "请填写岗位名称"),
    );
    let place = f.check("lat", GeoPoint::parse(input.lat, input.lon));
    let radius = f.check("radius_m", volunteer::radius(input.radius_m));
    let description = match input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => Some(String::new()),
        Some(d) => f.check("description", crate::domain::clean_text(d, 500, "")),
    };
    f.finish()?;
    let (name, place, radius, description) = (
        name.unwrap(),
        place.unwrap(),
        radius.unwrap(),
        description.unwrap(),
    );
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO posts (name, lat, lon, radius_m, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&name)
    .bind(place.lat)
    .bind(place.lon)
    .bind(radius)
    .bind(&description)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("name_taken", "已有同名岗位"))?;
    audit::record(
        &mut tx,
        now,
        actor.map(|a| a.id),
        "post.create",
        "post",
        Some(id),
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(Post {
        id,
        name,
        lat: place.lat,
        lon: place.lon,
        radius_m: radius,
        description,
    })
}

async fn post_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShiftInput {
    pub post_id: i64,
    /// RFC 3339, e.g. `2026-12-01T07:00:00+08:00`.
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
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

/// Admin: one shift.
pub async fn create_shift(
    state: &AppState,
    actor: &CurrentUser,
    input: ShiftInput,
) -> Result<Shift, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let starts = f.check("starts_at", super::clock::parse_instant(&input.starts_at));
    let ends = f.check("ends_at", super::clock::parse_instant(&input.ends_at));
    if let (Some(s), Some(e)) = (starts, ends) {
        f.check("ends_at", volunteer::shift_span(s, e));
    }
    let capacity = f.check("capacity", Capacity::parse(input.capacity));
    if !post_exists(state, input.post_id).await? {
        f.push("post_id", "岗位不存在");
    }
    f.finish()?;
    let (starts, ends, capacity) = (starts.unwrap(), ends.unwrap(), capacity.unwrap());
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row: ShiftRow = sqlx::query_as(&format!(
        "INSERT INTO shifts (post_id, starts_at, ends_at, capacity, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING {SHIFT_COLUMNS}"
    ))
    .bind(input.post_id)
    .bind(starts)
    .bind(ends)
    .bind(capacity.get())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("shift_exists", "这个岗位在这个时间已有班次"))?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "shift.create",
        "shift",
        Some(row.id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(row.into_shift(state, None))
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PeriodInput {
    /// `HH:MM` in the city's time.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScheduleInput {
    /// `YYYY-MM-DD`, inclusive, in the city's time.
    pub from_date: String,
    pub to_date: String,
    /// Daily periods; the four peak periods when empty.
    #[serde(default)]
    pub periods: Vec<PeriodInput>,
    pub capacity: i64,
}

/// Admin: shifts for every day of a range × daily period. Re-running it
/// creates nothing new (a shift is unique per post, start and end).
/// `actor` is `None` only for seeding from the command line.
pub async fn schedule(
    state: &AppState,
    actor: Option<&CurrentUser>,
    post_id: i64,
    input: ScheduleInput,
) -> Result<Scheduled, AppError> {
    if let Some(a) = actor {
        a.require_admin()?;
    }
    if !post_exists(state, post_id).await? {
        return Err(AppError::NotFound);
    }
    let mut f = Fields::new();
    let from = f.check("from_date", date_text(&input.from_date));
    let to = f.check("to_date", date_text(&input.to_date));
    if let (Some(a), Some(b)) = (from, to) {
        let days = (b - a).num_days();
        if !(0..=92).contains(&days) {
            f.push("to_date", "日期范围应在1到93天之间，且结束不早于开始");
        }
    }
    let given: Vec<(String, String)> = if input.periods.is_empty() {
        volunteer::PEAK_PERIODS
            .iter()
            .map(|(s, e)| (s.to_string(), e.to_string()))
            .collect()
    } else {
        input
            .periods
            .iter()
            .map(|p| (p.start.clone(), p.end.clone()))
            .collect()
    };
    let periods: Vec<Period> = given
        .iter()
        .filter_map(|(s, e)| f.check("periods", Period::parse(s, e)))
        .collect();
    if periods.len() == given.len() {
        f.check("periods", volunteer::periods(&periods));
    }
    let capacity = f.check("capacity", Capacity::parse(input.capacity));
    f.finish()?;
    let (from, to, capacity) = (from.unwrap(), to.unwrap(), capacity.unwrap());
    let zone = state.clock.zone();
    let at = |d: NaiveDate, minutes: i64| -> Option<i64> {
        let t = d.and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)?;
        zone.from_local_datetime(&t)
            .earliest()
            .map(|t| t.timestamp_millis())
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let mut created = 0;
    for d in from.iter_days().take_while(|d| *d <= to) {
        for p in &periods {
            let (Some(s), Some(e)) = (at(d, p.start), at(d, p.end)) else {
                continue;
            };
            let done = sqlx::query(
                "INSERT INTO shifts (post_id, starts_at, ends_at, capacity, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(post_id)
            .bind(s)
            .bind(e)
            .bind(capacity.get())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            created += done.rows_affected() as i64;
        }
    }
    audit::record(
        &mut tx,
        now,
        actor.map(|a| a.id),
        "shift.schedule",
        "post",
        Some(post_id),
        &format!("{from}..{to} created={created}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Scheduled { created })
}

/// `GET /shifts` filters.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ShiftQuery {
    pub post_id: Option<i64>,
    /// RFC 3339: shifts starting at or after.
    pub from: Option<String>,
    /// RFC 3339: shifts starting before.
    pub to: Option<String>,
}

pub async fn list_shifts(
    state: &AppState,
    query: ShiftQuery,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Shift>, AppError> {
    let mut w = Where::new();
    if let Some(p) = query.post_id {
        w.and("post_id = ?", [Param::Int(p)]);
    }
    if let Some(t) = query.from.as_deref().filter(|s| !s.is_empty()) {
        w.and("starts_at >= ?", [Param::Int(parse_time("from", t)?)]);
    }
    if let Some(t) = query.to.as_deref().filter(|s| !s.is_empty()) {
        w.and("starts_at < ?", [Param::Int(parse_time("to", t)?)]);
    }
    let (total,): (i64,) = bind_all(
        sqlx::query_as(&format!("SELECT COUNT(*) FROM shifts{}", w.sql())),
        w.params(),
    )
    .fetch_one(&state.db.pool)
    .await?;
    let n = w.next_placeholder();
    let mut params = w.params().to_vec();
    params.extend([Param::Int(paging.limit()), Param::Int(paging.offset())]);
    let rows: Vec<ShiftRow> = bind_all(
        sqlx::query_as(&format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts{} ORDER BY starts_at, id LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        )),
        &params,
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mine: Vec<(i64, String)> = match viewer {
        Some(v) if !rows.is_empty() => {
            let mut p = vec![Param::Int(v.id)];
            p.extend(rows.iter().map(|r| Param::Int(r.id)));
            bind_all(
                sqlx::query_as(&format!(
                    "SELECT shift_id, status FROM signups WHERE user_id = $1 AND status <> 'cancelled' \
                     AND shift_id IN ({})",
                    super::db::placeholders(2, rows.len())
                )),
                &p,
            )
            .fetch_all(&state.db.pool)
            .await?
        }
        _ => vec![],
    };
    Ok(Page::of(
        rows.into_iter()
            .map(|r| {
                let my = mine
                    .iter()
                    .find(|(s, _)| *s == r.id)
                    .map(|(_, st)| st.clone());
                r.into_shift(state, my)
            })
            .collect(),
        total,
        paging,
    ))
}

/// Per post, the shifts starting in `[from, to)` and the places left on them.
pub async fn post_summaries(
    state: &AppState,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT post_id, COUNT(*), CAST(SUM(capacity - taken) AS BIGINT) FROM shifts \
         WHERE starts_at >= $1 AND starts_at < $2 GROUP BY post_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&state.db.pool)
    .await?)
}

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

/// Signs the caller up: a seat if one is free, else the waitlist.
pub async fn signup(
    state: &AppState,
    actor: &CurrentUser,
    shift_id: i64,
) -> Result<SignupResult, AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The person first, then the shift: every sign-up takes the locks in
    // this order, so none waits on another in a circle.
    sqlx::query("UPDATE users SET token_version = token_version WHERE id = $1")
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    let (starts, ends) = lock_shift(&mut tx, shift_id).await?;
    if now >= starts {
        return Err(AppError::conflict(
            "shift_started",
            "班次已经开始，不能再报名",
        ));
    }
    let (until,): (Option<i64>,) =
        sqlx::query_as("SELECT volunteer_suspended_until FROM users WHERE id = $1")
            .bind(actor.id)
            .fetch_one(&mut *tx)
            .await?;
    if let Some(until) = until.filter(|u| *u > now) {
        return Err(AppError::conflict(
            "suspended",
            format!(
                "30天内两次报名未到岗，自主报名暂停至{}；请联系创城办",
                crate::domain::report::short_time(&state.clock.rfc3339(until))
            ),
        ));
    }
    let (already,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM signups WHERE shift_id = $1 AND user_id = $2 AND status <> 'cancelled'",
    )
    .bind(shift_id)
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?;
    if already > 0 {
        return Err(AppError::conflict(
            "already_signed_up",
            "您已经报名了这个班次",
        ));
    }
    let (clashes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM signups WHERE user_id = $1 AND status IN ('confirmed', 'waitlisted', 'checked_in') \
         AND starts_at < $2 AND $3 < ends_at",
    )
    .bind(actor.id)
    .bind(ends)
    .bind(starts)
    .fetch_one(&mut *tx)
    .await?;
    if clashes > 0 {
        return Err(AppError::conflict(
            "time_conflict",
            "这个时段您已经报名了其他班次",
        ));
    }
    let seat =
        sqlx::query("UPDATE shifts SET taken = taken + 1 WHERE id = $1 AND taken < capacity")
            .bind(shift_id)
            .execute(&mut *tx)
            .await?;
    let (status, seq) = if seat.rows_affected() == 1 {
        ("confirmed", None)
    } else {
        let (seq,): (i64,) = sqlx::query_as(
            "UPDATE shifts SET waitlisted = waitlisted + 1, waitlist_seq = waitlist_seq + 1 \
             WHERE id = $1 RETURNING waitlist_seq",
        )
        .bind(shift_id)
        .fetch_one(&mut *tx)
        .await?;
        ("waitlisted", Some(seq))
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO signups (shift_id, user_id, status, seq, starts_at, ends_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(shift_id)
    .bind(actor.id)
    .bind(status)
    .bind(seq)
    .bind(starts)
    .bind(ends)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("already_signed_up", "您已经报名了这个班次"))?;
    let position = match seq {
        Some(seq) => Some(waitlist_position(&mut tx, shift_id, seq).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(SignupResult {
        signup_id: id,
        status: status.to_owned(),
        position,
    })
}

/// Cancels the caller's sign-up up to 2 h before the start; a freed seat
/// goes to the first on the waitlist.
pub async fn cancel(state: &AppState, actor: &CurrentUser, shift_id: i64) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (starts, _) = lock_shift(&mut tx, shift_id).await?;
    let mine: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM signups WHERE shift_id = $1 AND user_id = $2 AND status <> 'cancelled'",
    )
    .bind(shift_id)
    .bind(actor.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (signup_id, status) = mine.ok_or(AppError::NotFound)?;
    // Leaving the waitlist is always allowed: it frees nobody's seat.
    let allowed = match status.as_str() {
        "waitlisted" => true,
        "confirmed" => volunteer::can_cancel(now, starts),
        _ => false,
    };
    if !allowed {
        return Err(AppError::conflict(
            "cancellation_closed",
            "开始前2小时内不能取消；如不能到岗，请联系创城办",
        ));
    }
    sqlx::query("UPDATE signups SET status = 'cancelled', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(signup_id)
        .execute(&mut *tx)
        .await?;
    let mut messages = vec![];
    if status == "confirmed" {
        let next: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, user_id FROM signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY seq LIMIT 1",
        )
        .bind(shift_id)
        .fetch_optional(&mut *tx)
        .await?;
        match next {
            Some((promoted, user)) => {
                sqlx::query(
                    "UPDATE signups SET status = 'confirmed', updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(promoted)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1")
                    .bind(shift_id)
                    .execute(&mut *tx)
                    .await?;
                messages.push(
                    notify::queue(
                        &mut tx,
                        now,
                        user,
                        "shift_promoted",
                        None,
                        "候补成功：您已获得志愿岗位名额",
                        &format!("班次开始时间 {}", state.clock.rfc3339(starts)),
                    )
                    .await?,
                );
            }
            None => {
                sqlx::query("UPDATE shifts SET taken = taken - 1 WHERE id = $1")
                    .bind(shift_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    } else {
        sqlx::query("UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1")
            .bind(shift_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MyShiftRow {
    id: i64,
    shift_id: i64,
    post_id: i64,
    starts_at: i64,
    ends_at: i64,
    status: String,
    seq: Option<i64>,
    credited_minutes: Option<i64>,
}

/// My sign-ups, soonest first.
pub async fn my_shifts(
    state: &AppState,
    me: &CurrentUser,
    paging: Paging,
    live_only: bool,
) -> Result<Page<MyShift>, AppError> {
    // Live: still to be served (signed up or waiting, not over), or checked
    // in and not yet closed by the sweep (check-out stays possible).
    let live = if live_only {
        let now = state.clock.now_ms();
        format!(
            " AND ((s.status IN ('confirmed', 'waitlisted') AND s.ends_at >= {now}) \
             OR (s.status = 'checked_in' AND s.ends_at >= {}))",
            now - volunteer::CANCEL_BEFORE_MS
        )
    } else {
        String::new()
    };
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM signups s WHERE s.user_id = $1{live}"
    ))
    .bind(me.id)
    .fetch_one(&state.db.pool)
    .await?;
    let rows: Vec<MyShiftRow> = sqlx::query_as(&format!(
        "SELECT s.id, s.shift_id, sh.post_id, s.starts_at, s.ends_at, s.status, s.seq, s.credited_minutes \
         FROM signups s JOIN shifts sh ON sh.id = s.shift_id WHERE s.user_id = $1{live} \
         ORDER BY s.starts_at, s.id LIMIT $2 OFFSET $3"
    ))
    .bind(me.id)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(&state.db.pool)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let position = match (r.status.as_str(), r.seq) {
            ("waitlisted", Some(seq)) => {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM signups WHERE shift_id = $1 AND status = 'waitlisted' AND seq <= $2",
                )
                .bind(r.shift_id)
                .bind(seq)
                .fetch_one(&state.db.pool)
                .await?;
                Some(n)
            }
            _ => None,
        };
        items.push(MyShift {
            signup_id: r.id,
            shift_id: r.shift_id,
            post_id: r.post_id,
            starts_at: state.clock.rfc3339(r.starts_at),
            ends_at: state.clock.rfc3339(r.ends_at),
            status: r.status,
            position,
            credited_minutes: r.credited_minutes,
        });
    }
    Ok(Page::of(items, total, paging))
}

/// Where the volunteer stands, from the phone.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
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

async fn my_live_signup(
    tx: &mut Transaction<'static, Any>,
    shift_id: i64,
    user_id: i64,
) -> Result<Option<Attending>, AppError> {
    Ok(sqlx::query_as::<_, Attending>(&format!(
        "{ATTENDING} WHERE s.shift_id = $1 AND s.user_id = $2 AND s.status <> 'cancelled'"
    ))
    .bind(shift_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Refuses a position outside the post's fence, saying how far it is.
fn fence(a: &Attending, here: GeoPoint) -> Result<(), AppError> {
    let distance = here.distance_m(GeoPoint {
        lat: a.lat,
        lon: a.lon,
    });
    if distance > a.radius_m {
        return Err(AppError::conflict(
            "outside_geofence",
            format!(
                "您距离岗位约{}米，需要在{}米内才能签到或签退",
                distance.round() as i64,
                a.radius_m.round() as i64
            ),
        ));
    }
    Ok(())
}

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

/// Check-in on the spot: from 15 minutes before the start to the end, inside
/// the post's fence. Says plainly why it refuses.
pub async fn checkin(
    state: &AppState,
    actor: &CurrentUser,
    shift_id: i64,
    at: Position,
) -> Result<crate::models::CheckedIn, AppError> {
    let here = GeoPoint::parse(at.lat, at.lon).map_err(|m| AppError::field("lat", m))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let a = my_live_signup(&mut tx, shift_id, actor.id).await?;
    let Some(a) = a.filter(|a| matches!(a.status.as_str(), "confirmed" | "checked_in")) else {
        return Err(AppError::conflict(
            "not_signed_up",
            "您没有这个班次的名额（候补中或未报名）",
        ));
    };
    if let (Some(t), "checked_in") = (a.checked_in_at, a.status.as_str()) {
        return Ok(crate::models::CheckedIn {
            checked_in_at: state.clock.rfc3339(t),
        });
    }
    volunteer::checkin_window(now, a.starts_at, a.ends_at)
        .map_err(|m| AppError::conflict("outside_window", m))?;
    fence(&a, here)?;
    let moved = sqlx::query(
        "UPDATE signups SET status = 'checked_in', checked_in_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'confirmed'",
    )
    .bind(now)
    .bind(a.id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::conflict(
            "not_signed_up",
            "签到状态刚刚改变，请刷新后再试",
        ));
    }
    tx.commit().await?;
    Ok(crate::models::CheckedIn {
        checked_in_at: state.clock.rfc3339(now),
    })
}

/// Check-out: credits the overlap of [check-in, now] with the shift and pays
/// 10 points an hour for it, once per sign-up.
pub async fn checkout(
    state: &AppState,
    actor: &CurrentUser,
    shift_id: i64,
    at: Position,
) -> Result<crate::models::CheckedOut, AppError> {
    let here = GeoPoint::parse(at.lat, at.lon).map_err(|m| AppError::field("lat", m))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let a = my_live_signup(&mut tx, shift_id, actor.id).await?;
    let Some(a) = a.filter(|a| a.status == "checked_in") else {
        return Err(AppError::conflict("not_checked_in", "请先签到，再签退"));
    };
    // Signing out happens at the post too: leaving early and signing out
    // later from home would credit time not served.
    fence(&a, here)?;
    let checked_in = a.checked_in_at.unwrap_or(now);
    let minutes = volunteer::overlap_minutes((a.starts_at, a.ends_at), (checked_in, now));
    let moved = sqlx::query(
        "UPDATE signups SET status = 'completed', checked_out_at = $1, credited_minutes = $2, updated_at = $1 \
         WHERE id = $3 AND status = 'checked_in'",
    )
    .bind(now)
    .bind(minutes)
    .bind(a.id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::conflict("not_checked_in", "请先签到，再签退"));
    }
    let points = settle_points(&mut tx, now, &a, minutes, None, None).await?;
    let badges = super::badges::award_due(&mut tx, now, a.user_id).await?;
    tx.commit().await?;
    notify::deliver(state, &badges).await;
    Ok(crate::models::CheckedOut {
        checked_out_at: state.clock.rfc3339(now),
        credited_minutes: minutes,
        points,
    })
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttendanceInput {
    pub credited_minutes: i64,
}

/// A moderator confirms or corrects a sign-up's credited minutes; the points
/// follow with a new ledger entry for the difference.
pub async fn correct_attendance(
    state: &AppState,
    actor: &CurrentUser,
    signup_id: i64,
    input: AttendanceInput,
) -> Result<crate::models::Attendance, AppError> {
    actor.require_moderator()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // Lock the sign-up before reading what was paid, so a check-out or a
    // second correction at the same moment waits and then sees this one.
    sqlx::query("UPDATE signups SET updated_at = updated_at WHERE id = $1")
        .bind(signup_id)
        .execute(&mut *tx)
        .await?;
    let a: Attending = sqlx::query_as(&format!("{ATTENDING} WHERE s.id = $1"))
        .bind(signup_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.user_id == actor.id {
        return Err(AppError::Forbidden);
    }
    if now < a.starts_at {
        return Err(AppError::conflict(
            "invalid_transition",
            "班次还没有开始，不能确认出勤",
        ));
    }
    if a.status == "checked_in" && now < a.ends_at {
        return Err(AppError::conflict(
            "invalid_transition",
            "志愿者还在岗，班次结束后再确认出勤",
        ));
    }
    let longest = (a.ends_at - a.starts_at) / volunteer::MINUTE_MS;
    if !(0..=longest).contains(&input.credited_minutes) {
        return Err(AppError::field(
            "credited_minutes",
            format!("应在0到{longest}分钟之间"),
        ));
    }
    if matches!(a.status.as_str(), "cancelled" | "waitlisted") {
        return Err(AppError::conflict(
            "invalid_transition",
            "取消或候补的报名没有出勤可以确认",
        ));
    }
    let (correction,): (i64,) = sqlx::query_as(
        "INSERT INTO attendance_corrections (signup_id, credited_minutes, points_delta, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(a.id)
    .bind(input.credited_minutes)
    .bind(
        super::points::rules(&mut *tx)
            .await?
            .volunteer_points(input.credited_minutes)
            - a.points_paid,
    )
    .bind(actor.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE signups SET status = 'completed', credited_minutes = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(input.credited_minutes)
    .bind(now)
    .bind(a.id)
    .execute(&mut *tx)
    .await?;
    let points = settle_points(
        &mut tx,
        now,
        &a,
        input.credited_minutes,
        Some(correction),
        Some(actor.id),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "signup.attendance",
        "signup",
        Some(a.id),
        &format!("credited_minutes={}", input.credited_minutes),
    )
    .await?;
    let badges = super::badges::award_due(&mut tx, now, a.user_id).await?;
    tx.commit().await?;
    notify::deliver(state, &badges).await;
    Ok(crate::models::Attendance {
        signup_id: a.id,
        status: "completed".into(),
        credited_minutes: input.credited_minutes,
        points,
    })
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminders: usize,
    /// Waitlist entries of shifts that have started.
    pub waitlist_closed: usize,
    pub no_shows: usize,
    pub suspensions: usize,
}

/// Background work, safe to run on every server at once: each reminder and
/// each no-show is claimed by one conditional update, so it happens once.
/// `serve` runs it every minute.
pub async fn sweep(state: &AppState) -> Result<Swept, AppError> {
    let now = state.clock.now_ms();
    let mut swept = Swept::default();
    let mut messages = vec![];
    let mut tx = state.db.begin_write().await?;
    let due: Vec<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE signups SET reminded_at = $1 WHERE status = 'confirmed' AND reminded_at IS NULL \
         AND starts_at > $1 AND starts_at <= $2 RETURNING id, user_id, starts_at",
    )
    .bind(now)
    .bind(now + volunteer::REMINDER_BEFORE_MS)
    .fetch_all(&mut *tx)
    .await?;
    for (_, user, starts) in &due {
        messages.push(
            notify::queue(
                &mut tx,
                now,
                *user,
                "shift_reminder",
                None,
                "志愿岗位提醒：您的班次2小时内开始",
                &format!(
                    "开始时间 {}，请提前到岗签到。",
                    state.clock.rfc3339(*starts)
                ),
            )
            .await?,
        );
    }
    swept.reminders = due.len();
    // Once a shift has started nobody is promoted any more: its waitlist is
    // closed (and no longer shown as waiting, on the tab or in calendars).
    let expired: Vec<(i64,)> = sqlx::query_as(
        "UPDATE signups SET status = 'cancelled', updated_at = $1 \
         WHERE status = 'waitlisted' AND starts_at <= $1 RETURNING shift_id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    for (shift,) in &expired {
        sqlx::query("UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1")
            .bind(shift)
            .execute(&mut *tx)
            .await?;
    }
    swept.waitlist_closed = expired.len();
    let missed: Vec<(i64, i64)> = sqlx::query_as(
        "UPDATE signups SET status = 'no_show', updated_at = $1 WHERE status = 'confirmed' AND ends_at < $1 \
         RETURNING id, user_id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    swept.no_shows = missed.len();
    // Checked in but never out, two hours after the end: closed with no time
    // credited; a moderator can confirm the real time.
    let stale: Vec<(i64, i64)> = sqlx::query_as(
        "UPDATE signups SET status = 'completed', credited_minutes = 0, updated_at = $1 \
         WHERE status = 'checked_in' AND ends_at < $2 RETURNING id, user_id",
    )
    .bind(now)
    .bind(now - volunteer::CANCEL_BEFORE_MS)
    .fetch_all(&mut *tx)
    .await?;
    for (_, user) in &stale {
        messages.push(
            notify::queue(
                &mut tx,
                now,
                *user,
                "shift_not_signed_out",
                None,
                "志愿岗位没有签退",
                "本次未计入时长。如确实在岗，请联系创城办确认。",
            )
            .await?,
        );
    }
    let mut users: Vec<i64> = missed.iter().map(|(_, u)| *u).collect();
    users.sort();
    users.dedup();
    for user in users {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM signups WHERE user_id = $1 AND status = 'no_show' AND ends_at >= $2",
        )
        .bind(user)
        .bind(now - volunteer::NO_SHOW_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await?;
        if volunteer::suspends(n) {
            let until = now + volunteer::SUSPENSION_MS;
            let set = sqlx::query(
                "UPDATE users SET volunteer_suspended_until = $1 WHERE id = $2 \
                 AND (volunteer_suspended_until IS NULL OR volunteer_suspended_until < $1)",
            )
            .bind(until)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            if set.rows_affected() == 1 {
                swept.suspensions += 1;
                messages.push(
                    notify::queue(
                        &mut tx,
                        now,
                        user,
                        "volunteer_suspended",
                        None,
                        "暂停自主报名14天",
                        "30天内有两次报名后未到岗。如有特殊情况，请联系创城办恢复。",
                    )
                    .await?,
                );
            }
        }
    }
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok(swept)
}

/// Moderator: lifts a volunteer's suspension.
pub async fn lift_suspension(
    state: &AppState,
    actor: &CurrentUser,
    user_id: i64,
) -> Result<(), AppError> {
    actor.require_moderator()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done = sqlx::query("UPDATE users SET volunteer_suspended_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "volunteer.lift_suspension",
        "user",
        Some(user_id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Today's date in the city's time.
pub fn today(state: &AppState) -> Result<NaiveDate, AppError> {
    state
        .clock
        .date(state.clock.now_ms())
        .ok_or(AppError::Internal)
}

/// The first moment of a day in the city's time.
pub fn day_start(state: &AppState, d: NaiveDate) -> Result<i64, AppError> {
    state.clock.day_start(d).ok_or(AppError::Internal)
}

fn date_text(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| "日期应为 YYYY-MM-DD".to_owned())
}

/// A date typed as `YYYY-MM-DD`.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    date_text(s).map_err(|e| AppError::field(field, e))
}

/// A month `YYYY-MM` (this month when absent): its first day and its span.
pub fn month_span(
    state: &AppState,
    month: Option<&str>,
) -> Result<(NaiveDate, i64, i64), AppError> {
    use chrono::Datelike;
    let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| m.len() == 7)
            .ok_or_else(|| AppError::field("month", "月份应为 YYYY-MM"))?,
        None => today(state)?.with_day(1).ok_or(AppError::Internal)?,
    };
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or(AppError::Internal)?;
    Ok((first, day_start(state, first)?, day_start(state, next)?))
}

pub async fn get_post(state: &AppState, id: i64) -> Result<Post, AppError> {
    let row: Option<PostRow> =
        sqlx::query_as("SELECT id, name, lat, lon, radius_m, description FROM posts WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    row.map(Into::into).ok_or(AppError::NotFound)
}

/// My credited time this month and in all, and what it earned.
pub async fn my_hours(
    state: &AppState,
    me: &CurrentUser,
) -> Result<crate::models::VolunteerHours, AppError> {
    let (_, start, end) = month_span(state, None)?;
    let (month, total, points, shifts): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND starts_at >= $2 AND starts_at < $3 \
             THEN credited_minutes ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN credited_minutes ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(points_paid), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND credited_minutes > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM signups WHERE user_id = $1",
    )
    .bind(me.id)
    .bind(start)
    .bind(end)
    .fetch_one(&state.db.pool)
    .await?;
    let (until,): (Option<i64>,) =
        sqlx::query_as("SELECT volunteer_suspended_until FROM users WHERE id = $1")
            .bind(me.id)
            .fetch_one(&state.db.pool)
            .await?;
    Ok(crate::models::VolunteerHours {
        month_minutes: month,
        total_minutes: total,
        points,
        shifts,
        suspended_until: until
            .filter(|u| *u > state.clock.now_ms())
            .map(|u| state.clock.rfc3339(u)),
    })
}

fn masked(phone: &str) -> String {
    crate::domain::Phone::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct AttendanceListRow {
    id: i64,
    user_id: i64,
    display_name: String,
    phone: String,
    status: String,
    checked_in_at: Option<i64>,
    checked_out_at: Option<i64>,
    credited_minutes: Option<i64>,
    points_paid: i64,
}

/// Moderator: everyone on a shift — seats first, then the waitlist in
/// order, then cancellations — with their times and credited minutes.
pub async fn attendance_list(
    state: &AppState,
    actor: &CurrentUser,
    shift_id: i64,
) -> Result<crate::models::ShiftAttendance, AppError> {
    actor.require_moderator()?;
    let shift: ShiftRow =
        sqlx::query_as(&format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = $1"))
            .bind(shift_id)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    let post = get_post(state, shift.post_id).await?;
    let rows: Vec<AttendanceListRow> = sqlx::query_as(
        "SELECT s.id, s.user_id, u.display_name, u.phone, s.status, s.checked_in_at, s.checked_out_at, \
         s.credited_minutes, s.points_paid FROM signups s JOIN users u ON u.id = s.user_id \
         WHERE s.shift_id = $1 \
         ORDER BY CASE s.status WHEN 'waitlisted' THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END, s.seq, s.id",
    )
    .bind(shift_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut waiting = 0;
    let signups = rows
        .into_iter()
        .map(|r| {
            let position = (r.status == "waitlisted").then(|| {
                waiting += 1;
                waiting
            });
            crate::models::AttendanceRow {
                signup_id: r.id,
                user_id: r.user_id,
                display_name: r.display_name,
                phone_masked: masked(&r.phone),
                status: r.status,
                position,
                checked_in_at: r.checked_in_at.map(|t| state.clock.rfc3339(t)),
                checked_out_at: r.checked_out_at.map(|t| state.clock.rfc3339(t)),
                credited_minutes: r.credited_minutes,
                points: r.points_paid,
            }
        })
        .collect();
    Ok(crate::models::ShiftAttendance {
        shift: shift.into_shift(state, None),
        post,
        signups,
    })
}

/// Moderator: volunteers whose self sign-up is suspended now.
pub async fn suspended(
    state: &AppState,
    actor: &CurrentUser,
) -> Result<Vec<crate::models::SuspendedVolunteer>, AppError> {
    actor.require_moderator()?;
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, display_name, phone, volunteer_suspended_until FROM users \
         WHERE volunteer_suspended_until > $1 ORDER BY volunteer_suspended_until, id LIMIT 200",
    )
    .bind(state.clock.now_ms())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, display_name, phone, until)| crate::models::SuspendedVolunteer {
                user_id,
                display_name,
                phone_masked: masked(&phone),
                until: state.clock.rfc3339(until),
            },
        )
        .collect())
}

/// Volunteers by credited minutes, most first (shifts starting within
/// `span`, or all): display names and minutes.
pub async fn top_minutes(
    state: &AppState,
    span: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<(String, i64)>, AppError> {
    let (start, end) = span.unwrap_or((i64::MIN, i64::MAX));
    Ok(sqlx::query_as(
        "SELECT u.display_name, CAST(SUM(s.credited_minutes) AS BIGINT) AS minutes \
         FROM signups s JOIN users u ON u.id = s.user_id \
         WHERE s.status = 'completed' AND s.credited_minutes > 0 AND s.starts_at >= $1 AND s.starts_at < $2 \
         GROUP BY s.user_id, u.display_name ORDER BY minutes DESC, s.user_id LIMIT $3",
    )
    .bind(start)
    .bind(end)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?)
}

/// The month's 志愿服务之星: the ten volunteers with the most credited
/// minutes in shifts that started that month (city time). Display names only.
pub async fn stars(
    state: &AppState,
    month: Option<&str>,
) -> Result<crate::models::VolunteerStars, AppError> {
    let (first, start, end) = month_span(state, month)?;
    let rows = top_minutes(state, Some((start, end)), 10).await?;
    let ranks = crate::domain::points::ranks(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
    Ok(crate::models::VolunteerStars {
        month: first.format("%Y-%m").to_string(),
        stars: rows
            .into_iter()
            .zip(ranks)
            .map(
                |((display_name, minutes), rank)| crate::models::VolunteerStar {
                    rank,
                    display_name,
                    minutes,
                },
            )
            .collect(),
    })
}

fn key_hash(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

/// Makes (or replaces) the caller's private calendar link; the old link stops
/// working. Returns the path of the feed.
pub async fn new_calendar_link(state: &AppState, me: &CurrentUser) -> Result<String, AppError> {
    use rand::RngCore;
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    let token = hex::encode(b);
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET calendar_token = $1 WHERE id = $2")
        .bind(key_hash(&token))
        .bind(me.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // The path is logged by the server, the query string never is; only a
    // hash of the key is kept.
    Ok(format!("/calendar.ics?key={token}"))
}

/// The shifts behind a private calendar link, as iCalendar text: from 30
/// days ago on, cancelled ones left out.
pub async fn calendar(state: &AppState, token: &str) -> Result<String, AppError> {
    use icalendar::{Calendar, Component, Event, EventLike};
    if token.len() != 40 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let user: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE calendar_token = $1")
        .bind(key_hash(token))
        .fetch_optional(&state.db.pool)
        .await?;
    let (user,) = user.ok_or(AppError::NotFound)?;
    let rows: Vec<(i64, String, i64, i64, String, f64, f64)> = sqlx::query_as(
        "SELECT s.id, s.status, s.starts_at, s.ends_at, p.name, p.lat, p.lon FROM signups s \
         JOIN shifts sh ON sh.id = s.shift_id JOIN posts p ON p.id = sh.post_id \
         WHERE s.user_id = $1 AND s.status <> 'cancelled' AND s.ends_at >= $2 ORDER BY s.starts_at",
    )
    .bind(user)
    .bind(state.clock.now_ms() - 30 * 24 * volunteer::HOUR_MS)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cal = Calendar::new();
    cal.name("啄木 · 我的志愿岗位");
    for (id, status, starts, ends, name, lat, lon) in rows {
        let utc = |ms: i64| chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms);
        let (Some(s), Some(e)) = (utc(starts), utc(ends)) else {
            continue;
        };
        let note = match status.as_str() {
            "waitlisted" => "候补中",
            "completed" => "已完成",
            "no_show" => "未到岗",
            "checked_in" => "已签到",
            _ => "已报名",
        };
        cal.push(
            Event::new()
                .uid(&format!("signup-{id}@zhuomu"))
                .summary(&format!("志愿岗位：{name}（{note}）"))
                .location(&name)
                .description(&format!(
                    "开始前15分钟起至结束，可在岗位现场签到。位置 {lat:.5}, {lon:.5}"
                ))
                .starts(s)
                .ends(e)
                .done(),
        );
    }
    Ok(cal.done().to_string())
}
