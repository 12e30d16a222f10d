//! The gift shop: a catalogue with stock, redemptions with pickup codes,
//! cancellation and fulfilment.
//!
//! A redemption takes one unit of stock (`UPDATE gifts SET stock = stock - 1
//! WHERE stock > 0`, with a CHECK behind it) and the points (the ledger's
//! conditional balance update) in one transaction, so stock is never
//! oversold and points never double-spent, on any number of servers.
//! Cancelling and fulfilling both move a redemption out of `pending_pickup`
//! by a conditional update, so exactly one of them wins.

use serde::Deserialize;

use super::auth::{Actor, CurrentUser};
use super::db::conflict_on_unique;
use super::points::{self, Reference};
use super::{AppState, audit};
use crate::domain::points::{GiftCost, Stock, parse_code, pickup_code, redemption_label};
use crate::domain::{Fields, PointsDelta, PointsReason, Role, clean_text};
use crate::error::AppError;
use crate::models::{Gift, Redemption};

#[derive(sqlx::FromRow)]
struct GiftRow {
    id: i64,
    name: String,
    description: String,
    cost: i64,
    stock: i64,
    hidden: i64,
    photo_key: Option<String>,
}

impl From<GiftRow> for Gift {
    fn from(r: GiftRow) -> Gift {
        Gift {
            id: r.id,
            name: r.name,
            description: r.description,
            cost: r.cost,
            stock: r.stock,
            hidden: r.hidden != 0,
            photo_url: r.photo_key.as_deref().map(super::photos::photo_url),
        }
    }
}

const GIFT_COLUMNS: &str = "id, name, description, cost, stock, hidden, photo_key";

/// The catalogue, cheapest first; hidden gifts only for staff views.
pub async fn list(state: &AppState, include_hidden: bool) -> Result<Vec<Gift>, AppError> {
    let filter = if include_hidden {
        ""
    } else {
        " WHERE hidden = 0"
    };
    let rows: Vec<GiftRow> = sqlx::query_as(&format!(
        "SELECT {GIFT_COLUMNS} FROM gifts{filter} ORDER BY cost, id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(state: &AppState, id: i64) -> Result<Gift, AppError> {
    let row: Option<GiftRow> =
        sqlx::query_as(&format!("SELECT {GIFT_COLUMNS} FROM gifts WHERE id = $1"))
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    row.map(Into::into).ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GiftInput {
    pub name: String,
    pub description: Option<String>,
    pub cost: i64,
    pub stock: i64,
}

/// Admin: a new gift (`None` actor only when seeding).
pub async fn create(
    state: &AppState,
    actor: Actor<'_>,
    input: GiftInput,
) -> Result<Gift, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let name = f.check("name", clean_text(&input.name, 60, "请填写礼品名称"));
    let description = f.check(
        "description",
        match input.description.as_deref().map(str::trim) {
            None | Some("") => Ok(String::new()),
            Some(d) => clean_text(d, 500, ""),
        },
    );
    let cost = f.check("cost", GiftCost::parse(input.cost));
    let stock = f.check("stock", Stock::parse(input.stock));
    let (name, description, cost, stock) = f.done((name, description, cost, stock))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row: GiftRow = sqlx::query_as(&format!(
        "INSERT INTO gifts (name, description, cost, stock, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING {GIFT_COLUMNS}"
    ))
    .bind(name)
    .bind(description)
    .bind(cost.get())
    .bind(stock.get())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("name_taken", "已有同名礼品"))?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "gift.create",
        "gift",
        Some(row.id),
        &format!("cost={} stock={}", row.cost, row.stock),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GiftUpdate {
    /// Units to add to the stock.
    pub restock: Option<i64>,
    /// Hidden gifts leave the catalogue; pending pickups stay valid.
    pub hidden: Option<bool>,
    pub cost: Option<i64>,
}

/// Admin: restock, hide or show, reprice (what is already redeemed keeps its
/// price).
pub async fn update(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: GiftUpdate,
) -> Result<Gift, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let restock = input
        .restock
        .and_then(|r| f.check("restock", Stock::parse(r)));
    let cost = input.cost.and_then(|c| f.check("cost", GiftCost::parse(c)));
    f.finish()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row: Option<GiftRow> = sqlx::query_as(&format!(
        "UPDATE gifts SET stock = stock + $1, hidden = COALESCE($2, hidden), cost = COALESCE($3, cost) \
         WHERE id = $4 RETURNING {GIFT_COLUMNS}"
    ))
    .bind(restock.map(Stock::get).unwrap_or(0))
    .bind(input.hidden.map(i64::from))
    .bind(cost.map(GiftCost::get))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "gift.update",
        "gift",
        Some(id),
        &format!(
            "restock={} hidden={:?} cost={:?}",
            restock.map(Stock::get).unwrap_or(0),
            input.hidden,
            cost.map(GiftCost::get)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

#[derive(sqlx::FromRow)]
struct RedemptionRow {
    id: i64,
    user_id: i64,
    gift_id: i64,
    gift_name: String,
    cost: i64,
    code: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl RedemptionRow {
    fn into_redemption(self, state: &AppState) -> Redemption {
        Redemption {
            id: self.id,
            gift_id: self.gift_id,
            gift_name: self.gift_name,
            cost: self.cost,
            code: self.code,
            status_label: redemption_label(&self.status).into(),
            status: self.status,
            created_at: state.clock.rfc3339(self.created_at),
            updated_at: state.clock.rfc3339(self.updated_at),
        }
    }
}

const REDEMPTION: &str = "SELECT r.id, r.user_id, r.gift_id, g.name AS gift_name, r.cost, r.code, r.status, \
    r.created_at, r.updated_at FROM redemptions r JOIN gifts g ON g.id = r.gift_id";

async fn one(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<RedemptionRow, AppError> {
    sqlx::query_as(&format!("{REDEMPTION} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// Redeems one unit of a gift for its cost: stock and points together, or
/// neither.
pub async fn redeem(
    state: &AppState,
    actor: &CurrentUser,
    gift_id: i64,
) -> Result<Redemption, AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let taken: Option<(i64,)> = sqlx::query_as(
        "UPDATE gifts SET stock = stock - 1 WHERE id = $1 AND hidden = 0 AND stock > 0 RETURNING cost",
    )
    .bind(gift_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((cost,)) = taken else {
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM gifts WHERE id = $1 AND hidden = 0")
                .bind(gift_id)
                .fetch_optional(&mut *tx)
                .await?;
        return Err(match exists {
            Some(_) => AppError::conflict("out_of_stock", "这件礼品已经兑完了"),
            None => AppError::NotFound,
        });
    };
    let id = loop {
        let code = {
            use rand::Rng;
            let mut rng = rand::rng();
            pickup_code(|| rng.random())
        };
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO redemptions (user_id, gift_id, cost, code, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'pending_pickup', $5, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(actor.id)
        .bind(gift_id)
        .bind(cost)
        .bind(&code)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = inserted {
            break id;
        }
    };
    settle(
        state,
        tx,
        now,
        actor.id,
        -cost,
        PointsReason::GiftRedeemed,
        id,
    )
    .await
}

/// My redemptions, newest first.
pub async fn mine(state: &AppState, me: &CurrentUser) -> Result<Vec<Redemption>, AppError> {
    let rows: Vec<RedemptionRow> = sqlx::query_as(&format!(
        "{REDEMPTION} WHERE r.user_id = $1 ORDER BY r.id DESC LIMIT 200"
    ))
    .bind(me.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_redemption(state)).collect())
}

/// Moves a redemption's points (spent or refunded, referring to it), then
/// commits and answers with the redemption.
async fn settle(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    now: i64,
    user: i64,
    delta: i64,
    reason: PointsReason,
    id: i64,
) -> Result<Redemption, AppError> {
    let delta = PointsDelta::parse(delta).map_err(|_| AppError::Internal)?;
    let reference = Reference {
        kind: "redemption",
        id,
    };
    points::append(
        &mut tx,
        now,
        user,
        delta,
        reason,
        Some(reference),
        None,
        None,
    )
    .await?;
    let row = one(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row.into_redemption(state))
}

fn not_pending(status: &str) -> AppError {
    AppError::invalid_transition(match status {
        "fulfilled" => "礼品已经领取",
        "cancelled" => "兑换已经取消",
        _ => "兑换状态已变化",
    })
}

/// The owner cancels a pending pickup: points refunded, stock restored.
pub async fn cancel(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
) -> Result<Redemption, AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved: Option<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE redemptions SET status = 'cancelled', updated_at = $1 \
         WHERE id = $2 AND user_id = $3 AND status = 'pending_pickup' RETURNING id, gift_id, cost",
    )
    .bind(now)
    .bind(id)
    .bind(actor.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((_, gift_id, cost)) = moved else {
        let row = one(&mut tx, id).await?;
        if row.user_id != actor.id {
            return Err(AppError::NotFound);
        }
        return Err(not_pending(&row.status));
    };
    sqlx::query("UPDATE gifts SET stock = stock + 1 WHERE id = $1")
        .bind(gift_id)
        .execute(&mut *tx)
        .await?;
    settle(
        state,
        tx,
        now,
        actor.id,
        cost,
        PointsReason::GiftRefunded,
        id,
    )
    .await
}

/// An account is erased: each pending pickup is cancelled inside `tx`, its
/// stock put back and its points refunded (so the ledger still sums to the
/// balance). Returns how many were cancelled.
pub(crate) async fn cancel_pending(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    now: i64,
    user_id: i64,
) -> Result<usize, AppError> {
    let moved: Vec<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE redemptions SET status = 'cancelled', updated_at = $1 \
         WHERE user_id = $2 AND status = 'pending_pickup' RETURNING id, gift_id, cost",
    )
    .bind(now)
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    for (id, gift_id, cost) in &moved {
        sqlx::query("UPDATE gifts SET stock = stock + 1 WHERE id = $1")
            .bind(gift_id)
            .execute(&mut **tx)
            .await?;
        let delta = PointsDelta::parse(*cost).map_err(|_| AppError::Internal)?;
        points::append(
            tx,
            now,
            user_id,
            delta,
            PointsReason::GiftRefunded,
            Some(Reference {
                kind: "redemption",
                id: *id,
            }),
            None,
            None,
        )
        .await?;
    }
    Ok(moved.len())
}

/// Unit staff and admins hand gifts over.
pub fn require_fulfiller(actor: &CurrentUser) -> Result<(), AppError> {
    if actor.roles.has(Role::UnitStaff) || actor.roles.has(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Staff: what a code is for, before handing it over.
pub async fn by_code(
    state: &AppState,
    actor: &CurrentUser,
    code: &str,
) -> Result<Redemption, AppError> {
    require_fulfiller(actor)?;
    let code = parse_code(code).map_err(|e| AppError::field("code", e))?;
    let row: Option<RedemptionRow> = sqlx::query_as(&format!("{REDEMPTION} WHERE r.code = $1"))
        .bind(&code)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.ok_or(AppError::NotFound)?.into_redemption(state))
}

/// Staff: the redemption whose QR code is in a photo (a phone's camera in a
/// plain file input: no script, no camera permission). A console link or a
/// bare code both count.
pub async fn scan(
    state: &AppState,
    actor: &CurrentUser,
    upload: Option<super::photos::Upload>,
) -> Result<Redemption, AppError> {
    require_fulfiller(actor)?;
    let upload = upload.ok_or_else(|| AppError::field("photo", "请拍一张领取码二维码的照片"))?;
    let texts = state
        .photos
        .read_qr(upload)
        .await
        .map_err(|e| e.into_app_error("photo"))?;
    let code = texts
        .iter()
        .find_map(|t| parse_code(t).ok())
        .ok_or_else(|| {
            AppError::field(
                "photo",
                "照片里没有找到领取码，请对准二维码重拍，或手动输入",
            )
        })?;
    by_code(state, actor, &code).await
}

/// Staff: hand the gift over. A code is fulfilled once, never after a
/// cancellation.
pub async fn fulfil(
    state: &AppState,
    actor: &CurrentUser,
    code: &str,
) -> Result<Redemption, AppError> {
    require_fulfiller(actor)?;
    let code = parse_code(code).map_err(|e| AppError::field("code", e))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved: Option<(i64,)> = sqlx::query_as(
        "UPDATE redemptions SET status = 'fulfilled', updated_at = $1, fulfilled_by = $2 \
         WHERE code = $3 AND status = 'pending_pickup' AND user_id <> $2 RETURNING id",
    )
    .bind(now)
    .bind(actor.id)
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id,)) = moved else {
        let status: Option<(String, i64)> =
            sqlx::query_as("SELECT status, user_id FROM redemptions WHERE code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
        return Err(match status {
            None => AppError::NotFound,
            // Still pending: the only thing the update refused is one's own.
            Some((s, owner)) if s == "pending_pickup" && owner == actor.id => {
                super::auth::own_account()
            }
            Some((s, _)) => not_pending(&s),
        });
    };
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "redemption.fulfil",
        "redemption",
        Some(id),
        "",
    )
    .await?;
    let row = one(&mut tx, id).await?;
    let badges = super::badges::award_due(&mut tx, now, row.user_id).await?;
    tx.commit().await?;
    super::notify::deliver(state, &badges).await;
    Ok(row.into_redemption(state))
}

/// Admin: the gift's picture, through the same photo pipeline as reports
/// (type from the bytes, size limits, re-encoded without EXIF); the shop
/// shows its 400 px version.
pub async fn set_photo(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    upload: Option<super::photos::Upload>,
) -> Result<Gift, AppError> {
    actor.require_admin()?;
    get(state, id).await?;
    let upload = upload.ok_or_else(|| AppError::field("photo", "请选择一张照片"))?;
    let stored = super::photos::store_all(state, vec![upload], "photo").await?;
    let photo = &stored[0];
    let saved = save_photo(state, actor, id, &photo.thumb_key).await;
    let old = super::photos::unless_ok(state, &stored, saved).await?;
    // Only the 400 px version is shown; the old picture goes.
    let mut unused = vec![photo.key.clone()];
    unused.extend(old);
    state.photos.delete(&unused).await;
    get(state, id).await
}

/// Points the gift at its new picture; answers the old one's key.
async fn save_photo(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    thumb_key: &str,
) -> Result<Option<String>, AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (old,): (Option<String>,) = sqlx::query_as("SELECT photo_key FROM gifts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("UPDATE gifts SET photo_key = $1 WHERE id = $2")
        .bind(thumb_key)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "gift.photo",
        "gift",
        Some(id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(old)
}
