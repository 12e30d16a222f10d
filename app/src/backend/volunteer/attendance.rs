//! On duty: check-in and check-out inside the post's fence, credited
//! minutes and their points, moderators' corrections and attendance lists,
//! suspensions for no-shows.

#[allow(unused_imports)]
use super::*;

/// Where the volunteer stands, from the phone.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
}

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
    let badges = crate::backend::badges::award_due(&mut tx, now, a.user_id).await?;
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
        return Err(AppError::invalid_transition("班次还没有开始，不能确认出勤"));
    }
    if a.status == "checked_in" && now < a.ends_at {
        return Err(AppError::invalid_transition(
            "志愿者还在岗，班次结束后再确认出勤",
        ));
    }
    let longest = (a.ends_at - a.starts_at) / crate::domain::time::MINUTE_MS;
    if !(0..=longest).contains(&input.credited_minutes) {
        return Err(AppError::field(
            "credited_minutes",
            format!("应在0到{longest}分钟之间"),
        ));
    }
    if matches!(a.status.as_str(), "cancelled" | "waitlisted") {
        return Err(AppError::invalid_transition(
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
        crate::backend::points::rules(&mut *tx)
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
    let badges = crate::backend::badges::award_due(&mut tx, now, a.user_id).await?;
    tx.commit().await?;
    notify::deliver(state, &badges).await;
    Ok(crate::models::Attendance {
        signup_id: a.id,
        status: "completed".into(),
        credited_minutes: input.credited_minutes,
        points,
    })
}

/// Moderator: lifts a volunteer's suspension.
pub async fn lift_suspension(
    state: &AppState,
    actor: &CurrentUser,
    user_id: i64,
) -> Result<(), AppError> {
    actor.require_moderator()?;
    actor.not_on_self(user_id)?;
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
