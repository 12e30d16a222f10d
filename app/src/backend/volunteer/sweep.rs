//! The minute sweep: reminders, no-shows (and the suspensions they bring),
//! check-ins never closed, waitlists of started shifts. Each job claims its
//! rows with a conditional update, so every server may run it.

#[allow(unused_imports)]
use super::*;

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
