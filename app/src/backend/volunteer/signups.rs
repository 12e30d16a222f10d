//! Signing up for a shift (a seat or the waitlist) and cancelling (the
//! first on the waitlist moves up); my shifts.

#[allow(unused_imports)]
use super::*;

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
    let messages = release(state, &mut tx, now, shift_id, signup_id, &status, starts).await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok(())
}

/// Cancels one live sign-up inside `tx`: a confirmed seat goes to the first
/// on the waitlist (the messages to send once committed), a waitlist place
/// is just given up. Used by cancelling and by erasing an account.
pub(crate) async fn release(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    now: i64,
    shift_id: i64,
    signup_id: i64,
    status: &str,
    starts: i64,
) -> Result<Vec<notify::Outgoing>, AppError> {
    let mut messages = vec![];
    sqlx::query("UPDATE signups SET status = 'cancelled', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(signup_id)
        .execute(&mut **tx)
        .await?;
    if status == "confirmed" {
        let next: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, user_id FROM signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY seq LIMIT 1",
        )
        .bind(shift_id)
        .fetch_optional(&mut **tx)
        .await?;
        match next {
            Some((promoted, user)) => {
                sqlx::query(
                    "UPDATE signups SET status = 'confirmed', updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(promoted)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1")
                    .bind(shift_id)
                    .execute(&mut **tx)
                    .await?;
                messages.push(
                    notify::queue(
                        tx,
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
                    .execute(&mut **tx)
                    .await?;
            }
        }
    } else {
        sqlx::query("UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1")
            .bind(shift_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(messages)
}

/// An account is erased: every sign-up of a shift that has not started is
/// cancelled (the 2-hour rule does not hold a person who is gone), and each
/// freed seat goes to the waitlist. Returns the messages to send.
pub(crate) async fn release_future(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    now: i64,
    user_id: i64,
) -> Result<Vec<notify::Outgoing>, AppError> {
    let live: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, shift_id FROM signups WHERE user_id = $1 \
         AND status IN ('confirmed', 'waitlisted') AND starts_at > $2 ORDER BY shift_id",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let mut messages = vec![];
    for (signup_id, shift_id) in live {
        let (starts, _) = lock_shift(tx, shift_id).await?;
        // Read again under the lock: a sweep or a moderator may have moved it.
        let status: Option<(String,)> = sqlx::query_as(
            "SELECT status FROM signups WHERE id = $1 AND status IN ('confirmed', 'waitlisted')",
        )
        .bind(signup_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((status,)) = status {
            messages.extend(release(state, tx, now, shift_id, signup_id, &status, starts).await?);
        }
    }
    Ok(messages)
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
    let mut w = Where::new();
    w.and("s.user_id = ?", [Param::Int(me.id)]);
    if live_only {
        let now = state.clock.now_ms();
        w.and(
            "((s.status IN ('confirmed', 'waitlisted') AND s.ends_at >= ?) \
             OR (s.status = 'checked_in' AND s.ends_at >= ?))",
            [
                Param::Int(now),
                Param::Int(now - volunteer::CANCEL_BEFORE_MS),
            ],
        );
    }
    let (rows, total): (Vec<MyShiftRow>, i64) = fetch_page(
        &state.db.pool,
        "SELECT s.id, s.shift_id, sh.post_id, s.starts_at, s.ends_at, s.status, s.seq, \
         s.credited_minutes FROM signups s JOIN shifts sh ON sh.id = s.shift_id",
        "signups s",
        &w,
        "s.starts_at, s.id",
        paging,
    )
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
