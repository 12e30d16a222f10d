//! `GET /api/v1/me/export`: everything held about the caller, as one JSON
//! document (PIPL 查阅、复制). Each section reads its own table; times are
//! in the city's zone. docs/PRIVACY.md lists the same fields.

use serde_json::{Value, json};

use crate::backend::AppState;
use crate::backend::auth::CurrentUser;
use crate::backend::photos::photo_url;
use crate::error::AppError;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The whole download. Read in one transaction, so its parts agree.
pub async fn export(state: &AppState, me: &CurrentUser) -> Result<Value, AppError> {
    let mut tx: Tx = state.db.pool.begin().await?;
    let at = |ms: i64| state.clock.rfc3339(ms);
    let at_opt = |ms: Option<i64>| ms.map(|ms| state.clock.rfc3339(ms));
    let id = me.id;

    type ProfileRow = (
        String,
        String,
        String,
        Option<i64>,
        i64,
        i64,
        i64,
        Option<String>,
        i64,
        Option<i64>,
    );
    let profile: ProfileRow = sqlx::query_as(
        "SELECT phone, display_name, roles, unit_id, points_balance, points_lifetime, created_at, \
             privacy_version, show_name, volunteer_suspended_until FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let consents: Vec<(String, i64)> =
        sqlx::query_as("SELECT version, accepted_at FROM consents WHERE user_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    type ReportRow = (i64, String, String, f64, f64, String, String, i64, i64);
    let reports: Vec<ReportRow> = sqlx::query_as(
        "SELECT r.id, c.name, r.description, r.lat, r.lon, r.address, r.status, r.hide_name, r.created_at \
         FROM reports r JOIN categories c ON c.id = r.category_id WHERE r.reporter_id = $1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let photos: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.report_id, p.kind, p.object_key FROM report_photos p \
         JOIN reports r ON r.id = p.report_id WHERE r.reporter_id = $1 ORDER BY p.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let follows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT report_id, created_at FROM report_follows WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    type LedgerRow = (
        i64,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        i64,
    );
    let ledger: Vec<LedgerRow> = sqlx::query_as(
        "SELECT delta, reason, ref_type, ref_id, note, created_at FROM points_ledger \
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    type SignupRow = (
        i64,
        String,
        String,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
    );
    let signups: Vec<SignupRow> =
        sqlx::query_as(
            "SELECT s.shift_id, p.name, s.status, s.starts_at, s.ends_at, s.checked_in_at, s.checked_out_at, \
             s.credited_minutes, s.created_at FROM signups s JOIN shifts h ON h.id = s.shift_id \
             JOIN posts p ON p.id = h.post_id WHERE s.user_id = $1 ORDER BY s.starts_at",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
    let redemptions: Vec<(String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT g.name, r.cost, r.code, r.status, r.created_at FROM redemptions r \
         JOIN gifts g ON g.id = r.gift_id WHERE r.user_id = $1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let nominations: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT campaign_id, nominee_name, category, story, status, created_at FROM nominations \
         WHERE nominator_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let votes: Vec<(i64, i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT campaign_id, nomination_id, day, ip, created_at FROM votes WHERE voter_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let suggestions: Vec<(String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT title, body, answer, public, created_at FROM suggestions WHERE author_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let notifications: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT kind, title, body, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let (phone, name, roles, unit_id, balance, lifetime, created, version, shown, suspended) =
        profile;
    Ok(json!({
        "exported_at": at(state.clock.now_ms()),
        "profile": {
            "id": id, "phone": phone, "display_name": name, "roles": roles.split(',').collect::<Vec<_>>(),
            "unit_id": unit_id, "points_balance": balance, "points_lifetime": lifetime,
            "created_at": at(created), "privacy_version": version, "show_name": shown != 0,
            "volunteer_suspended_until": at_opt(suspended),
        },
        "consents": consents.into_iter().map(|(v, t)| json!({"version": v, "accepted_at": at(t)})).collect::<Vec<_>>(),
        "reports": reports.into_iter().map(|(rid, cat, desc, lat, lon, addr, status, hide, t)| json!({
            "id": rid, "category": cat, "description": desc, "lat": lat, "lon": lon, "address": addr,
            "status": status, "show_name": hide == 0, "created_at": at(t),
            "photos": photos.iter().filter(|p| p.0 == rid)
                .map(|(_, kind, key)| json!({"kind": kind, "url": photo_url(key)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "follows": follows.into_iter().map(|(r, t)| json!({"report_id": r, "since": at(t)})).collect::<Vec<_>>(),
        "ledger": ledger.into_iter().map(|(d, reason, rt, rid, note, t)| json!({
            "delta": d, "reason": reason, "ref_type": rt, "ref_id": rid, "note": note, "at": at(t),
        })).collect::<Vec<_>>(),
        "signups": signups.into_iter().map(|(shift, post, status, s, e, cin, cout, mins, t)| json!({
            "shift_id": shift, "post": post, "starts_at": at(s), "ends_at": at(e), "status": status,
            "checked_in_at": at_opt(cin), "checked_out_at": at_opt(cout), "credited_minutes": mins,
            "signed_up_at": at(t),
        })).collect::<Vec<_>>(),
        "redemptions": redemptions.into_iter().map(|(gift, cost, code, status, t)| json!({
            "gift": gift, "cost": cost, "code": code, "status": status, "at": at(t),
        })).collect::<Vec<_>>(),
        "nominations": nominations.into_iter().map(|(c, nominee, cat, story, status, t)| json!({
            "campaign_id": c, "nominee_name": nominee, "category": cat, "story": story, "status": status, "at": at(t),
        })).collect::<Vec<_>>(),
        "votes": votes.into_iter().map(|(c, n, day, ip, t)| json!({
            "campaign_id": c, "nomination_id": n, "day": day, "address": ip, "at": at(t),
        })).collect::<Vec<_>>(),
        "suggestions": suggestions.into_iter().map(|(title, body, answer, public, t)| json!({
            "title": title, "body": body, "answer": answer, "public": public != 0, "at": at(t),
        })).collect::<Vec<_>>(),
        "notifications": notifications.into_iter().map(|(kind, title, body, t, read)| json!({
            "kind": kind, "title": title, "body": body, "at": at(t), "read_at": at_opt(read),
        })).collect::<Vec<_>>(),
    }))
}
