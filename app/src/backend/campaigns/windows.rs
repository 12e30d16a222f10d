//! Campaigns as admins set them up: title, description, the nomination and
//! voting windows (city time), votes per day, minimum account age.

#[allow(unused_imports)]
use super::*;

/// `POST /admin/campaigns`: a new campaign. `PATCH /admin/campaigns/{id}`
/// takes the same fields, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// RFC 3339, e.g. `2026-12-01T00:00:00+08:00`.
    pub nomination_starts_at: Option<String>,
    pub nomination_ends_at: Option<String>,
    pub voting_starts_at: Option<String>,
    pub voting_ends_at: Option<String>,
    /// 1–20, 3 when left out.
    pub votes_per_day: Option<i64>,
    /// 0–720, 24 when left out.
    pub min_account_age_hours: Option<i64>,
}

/// The checked fields of a campaign: what `input` sets over `base`.
fn checked(
    input: &CampaignInput,
    base: Option<&CampaignRow>,
) -> Result<(String, String, Windows, VotesPerDay, MinAccountAge), AppError> {
    let mut f = Fields::new();
    let title = match (&input.title, base) {
        (Some(t), _) => f.check("title", campaign::title(t)),
        (None, Some(b)) => Some(b.title.clone()),
        (None, None) => f.check("title", campaign::title("")),
    };
    let description = match (&input.description, base) {
        (Some(d), _) => f.check("description", campaign::description(Some(d))),
        (None, Some(b)) => Some(b.description.clone()),
        (None, None) => Some(String::new()),
    };
    let mut time = |field: &str, given: &Option<String>, old: Option<i64>| match (given, old) {
        (Some(s), _) => f.check(field, crate::backend::clock::parse_instant(s)),
        (None, Some(o)) => Some(o),
        (None, None) => f.check(field, Err("请填写时间".into())),
    };
    let ns = time(
        "nomination_starts_at",
        &input.nomination_starts_at,
        base.map(|b| b.nomination_starts_at),
    );
    let ne = time(
        "nomination_ends_at",
        &input.nomination_ends_at,
        base.map(|b| b.nomination_ends_at),
    );
    let vs = time(
        "voting_starts_at",
        &input.voting_starts_at,
        base.map(|b| b.voting_starts_at),
    );
    let ve = time(
        "voting_ends_at",
        &input.voting_ends_at,
        base.map(|b| b.voting_ends_at),
    );
    let per_day = f.check(
        "votes_per_day",
        VotesPerDay::parse(
            input
                .votes_per_day
                .or(base.map(|b| b.votes_per_day))
                .unwrap_or(VotesPerDay::DEFAULT),
        ),
    );
    let age = f.check(
        "min_account_age_hours",
        MinAccountAge::parse(
            input
                .min_account_age_hours
                .or(base.map(|b| b.min_account_age_hours))
                .unwrap_or(MinAccountAge::DEFAULT),
        ),
    );
    let mut windows = None;
    if let (Some(ns), Some(ne), Some(vs), Some(ve)) = (ns, ne, vs, ve) {
        let w = Windows {
            nomination_starts_at: ns,
            nomination_ends_at: ne,
            voting_starts_at: vs,
            voting_ends_at: ve,
        };
        match w.check() {
            Ok(w) => windows = Some(w),
            Err((field, message)) => f.push(field, message),
        }
    }
    f.finish()?;
    Ok((
        title.unwrap_or_default(),
        description.unwrap_or_default(),
        windows.ok_or(AppError::Internal)?,
        per_day.ok_or(AppError::Internal)?,
        age.ok_or(AppError::Internal)?,
    ))
}

/// Admin (or the seed loader, `None`): a new campaign.
pub async fn create(
    state: &AppState,
    actor: Actor<'_>,
    input: CampaignInput,
) -> Result<Campaign, AppError> {
    save(state, actor, None, input).await
}

/// Admin: change a campaign's title, windows or limits.
pub async fn update(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: CampaignInput,
) -> Result<Campaign, AppError> {
    save(state, Actor::Person(actor), Some(id), input).await
}

/// Writes a new campaign (`id` = `None`) or what `input` changes of one,
/// with its audit record.
async fn save(
    state: &AppState,
    actor: Actor<'_>,
    id: Option<i64>,
    input: CampaignInput,
) -> Result<Campaign, AppError> {
    actor.require_admin()?;
    let base = match id {
        Some(id) => Some(row(state, id).await?),
        None => None,
    };
    let (title, description, w, per_day, age) = checked(&input, base.as_ref())?;
    let now = state.clock.now_ms();
    // The ninth value is the row to change, or the new row's creation time.
    let (sql, last, action) = match id {
        Some(id) => (
            "UPDATE campaigns SET title = $1, description = $2, nomination_starts_at = $3, \
             nomination_ends_at = $4, voting_starts_at = $5, voting_ends_at = $6, votes_per_day = $7, \
             min_account_age_hours = $8 WHERE id = $9 RETURNING id",
            id,
            "campaign.update",
        ),
        None => (
            "INSERT INTO campaigns (title, description, nomination_starts_at, nomination_ends_at, \
             voting_starts_at, voting_ends_at, votes_per_day, min_account_age_hours, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            now,
            "campaign.create",
        ),
    };
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(sql)
        .bind(&title)
        .bind(&description)
        .bind(w.nomination_starts_at)
        .bind(w.nomination_ends_at)
        .bind(w.voting_starts_at)
        .bind(w.voting_ends_at)
        .bind(per_day.get())
        .bind(age.get())
        .bind(last)
        .fetch_one(&mut *tx)
        .await?;
    let t = |ms| state.clock.rfc3339(ms);
    let detail = format!(
        "{title}；推荐 {} 至 {}；投票 {} 至 {}；每日{}票；注册满{}小时",
        t(w.nomination_starts_at),
        t(w.nomination_ends_at),
        t(w.voting_starts_at),
        t(w.voting_ends_at),
        per_day.get(),
        age.get()
    );
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        action,
        "campaign",
        Some(id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}
