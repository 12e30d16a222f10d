//! Shifts: one at a time or scheduled in bulk (date range × daily periods,
//! idempotent), and the list with its filters.

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShiftInput {
    pub post_id: i64,
    /// RFC 3339, e.g. `2026-12-01T07:00:00+08:00`.
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
}

/// Admin: one shift.
pub async fn create_shift(
    state: &AppState,
    actor: &CurrentUser,
    input: ShiftInput,
) -> Result<Shift, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let starts = f.check(
        "starts_at",
        crate::backend::clock::parse_instant(&input.starts_at),
    );
    let ends = f.check(
        "ends_at",
        crate::backend::clock::parse_instant(&input.ends_at),
    );
    if let (Some(s), Some(e)) = (starts, ends) {
        f.check("ends_at", volunteer::shift_span(s, e));
    }
    let capacity = f.check("capacity", Capacity::parse(input.capacity));
    if !post_exists(state, input.post_id).await? {
        f.push("post_id", "岗位不存在");
    }
    let (starts, ends, capacity) = f.done((starts, ends, capacity))?;
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
    actor: Actor<'_>,
    post_id: i64,
    input: ScheduleInput,
) -> Result<Scheduled, AppError> {
    actor.require_admin()?;
    if !post_exists(state, post_id).await? {
        return Err(AppError::NotFound);
    }
    let mut f = Fields::new();
    let from = f.check(
        "from_date",
        crate::domain::time::parse_date(&input.from_date),
    );
    let to = f.check("to_date", crate::domain::time::parse_date(&input.to_date));
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
    let (from, to, capacity) = f.done((from, to, capacity))?;
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
        actor.person_id(),
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
    let (rows, total): (Vec<ShiftRow>, i64) = fetch_page(
        &state.db.pool,
        &format!("SELECT {SHIFT_COLUMNS} FROM shifts"),
        "shifts",
        &w,
        "starts_at, id",
        paging,
    )
    .await?;
    let mine: Vec<(i64, String)> = match viewer {
        Some(v) if !rows.is_empty() => {
            let mut p = vec![Param::Int(v.id)];
            p.extend(rows.iter().map(|r| Param::Int(r.id)));
            bind_all(
                sqlx::query_as(&format!(
                    "SELECT shift_id, status FROM signups WHERE user_id = $1 AND status <> 'cancelled' \
                     AND shift_id IN ({})",
                    crate::backend::db::placeholders(2, rows.len())
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
