//! 好人 campaigns (DESIGN.md §4, API.md "好人 campaigns"): campaigns and
//! their windows, nominations with an optional photo, the moderators'
//! review, votes, results and the 红榜.
//!
//! The vote limits hold in the database: one vote per nomination per person
//! per city day (a UNIQUE key), and `votes_per_day` per campaign per person
//! per day, because every vote takes a numbered slot (UNIQUE) counted under
//! the voter's row lock. "A day" is the city's calendar day (`Clock::date`).

use serde::Deserialize;
use sqlx::Any;

use super::auth::CurrentUser;
use super::notify::{self, Outgoing};
use super::photos::Upload;
use super::points::{self, Reference};
use super::{AppState, audit, badges};
use crate::domain::campaign::{
    self, MinAccountAge, VotesPerDay, Windows, hours_until_old_enough, votes_left,
};
use crate::domain::{Fields, PointsDelta, PointsReason};
use crate::error::AppError;
use crate::models::{Campaign, MyVotes, Nomination, RankedNomination, VoteResult};

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

#[derive(sqlx::FromRow, Clone)]
struct CampaignRow {
    id: i64,
    title: String,
    description: String,
    nomination_starts_at: i64,
    nomination_ends_at: i64,
    voting_starts_at: i64,
    voting_ends_at: i64,
    votes_per_day: i64,
    min_account_age_hours: i64,
    nomination_count: i64,
    winner_count: i64,
}

const CAMPAIGN: &str = "SELECT c.id, c.title, c.description, c.nomination_starts_at, c.nomination_ends_at, \
     c.voting_starts_at, c.voting_ends_at, c.votes_per_day, c.min_account_age_hours, \
     (SELECT COUNT(*) FROM nominations n WHERE n.campaign_id = c.id AND n.status = 'approved') AS nomination_count, \
     (SELECT COUNT(*) FROM nominations n WHERE n.campaign_id = c.id AND n.winner = 1) AS winner_count \
     FROM campaigns c";

impl CampaignRow {
    fn windows(&self) -> Windows {
        Windows {
            nomination_starts_at: self.nomination_starts_at,
            nomination_ends_at: self.nomination_ends_at,
            voting_starts_at: self.voting_starts_at,
            voting_ends_at: self.voting_ends_at,
        }
    }

    fn into_campaign(self, state: &AppState) -> Campaign {
        let now = state.clock.now_ms();
        let w = self.windows();
        let phase = w.phase(now);
        let next = w.next_deadline(now);
        let t = |ms| state.clock.rfc3339(ms);
        Campaign {
            id: self.id,
            title: self.title,
            description: self.description,
            nomination_starts_at: t(self.nomination_starts_at),
            nomination_ends_at: t(self.nomination_ends_at),
            voting_starts_at: t(self.voting_starts_at),
            voting_ends_at: t(self.voting_ends_at),
            votes_per_day: self.votes_per_day,
            min_account_age_hours: self.min_account_age_hours,
            phase: serde_json::to_value(phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            phase_label: if w.voting(now) && w.nominating(now) {
                "推荐、投票中".into()
            } else {
                phase.label().into()
            },
            nominating_open: w.nominating(now),
            voting_open: w.voting(now),
            next_deadline: next.map(|(what, _)| what.to_owned()),
            next_deadline_at: next.map(|(_, at)| at),
            next_deadline_in: next.map(|(_, at)| campaign::time_left(at - now)),
            nomination_count: self.nomination_count,
            winner_count: self.winner_count,
        }
    }
}

async fn row(state: &AppState, id: i64) -> Result<CampaignRow, AppError> {
    sqlx::query_as(&format!("{CAMPAIGN} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every campaign: open ones first (by when voting ends), then past ones,
/// newest first.
pub async fn list(state: &AppState) -> Result<Vec<Campaign>, AppError> {
    let now = state.clock.now_ms();
    let rows: Vec<CampaignRow> = sqlx::query_as(&format!(
        "{CAMPAIGN} ORDER BY CASE WHEN c.voting_ends_at > $1 THEN 0 ELSE 1 END, \
         CASE WHEN c.voting_ends_at > $1 THEN c.voting_ends_at ELSE -c.voting_ends_at END, c.id"
    ))
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_campaign(state)).collect())
}

pub async fn get(state: &AppState, id: i64) -> Result<Campaign, AppError> {
    Ok(row(state, id).await?.into_campaign(state))
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
        (Some(s), _) => f.check(field, super::clock::parse_instant(s)),
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
    actor: Option<&CurrentUser>,
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
    save(state, Some(actor), Some(id), input).await
}

/// Writes a new campaign (`id` = `None`) or what `input` changes of one,
/// with its audit record.
async fn save(
    state: &AppState,
    actor: Option<&CurrentUser>,
    id: Option<i64>,
    input: CampaignInput,
) -> Result<Campaign, AppError> {
    if let Some(a) = actor {
        a.require_admin()?;
    }
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
        actor.map(|a| a.id),
        action,
        "campaign",
        Some(id),
        &detail,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

#[derive(sqlx::FromRow)]
struct NominationRow {
    id: i64,
    campaign_id: i64,
    campaign_title: String,
    nominator_id: i64,
    nominator_name: String,
    nominee_name: String,
    category: String,
    story: String,
    photo_key: Option<String>,
    thumb_key: Option<String>,
    status: String,
    reject_reason: Option<String>,
    vote_count: i64,
    winner: i64,
    created_at: i64,
}

const NOMINATION: &str = "SELECT n.id, n.campaign_id, c.title AS campaign_title, n.nominator_id, \
     u.display_name AS nominator_name, n.nominee_name, n.category, n.story, n.photo_key, n.thumb_key, \
     n.status, n.reject_reason, n.vote_count, n.winner, n.created_at \
     FROM nominations n JOIN campaigns c ON c.id = n.campaign_id JOIN users u ON u.id = n.nominator_id";

/// A nomination's status in words.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending_review" => "待审核",
        "approved" => "已通过",
        "rejected" => "未通过",
        _ => "未知",
    }
}

impl NominationRow {
    /// `staff`: moderators see who nominated.
    fn into_nomination(self, state: &AppState, staff: bool) -> Nomination {
        let url = |k: Option<String>| k.map(|k| super::reports::photo_url(&k));
        Nomination {
            id: self.id,
            campaign_id: self.campaign_id,
            campaign_title: self.campaign_title,
            nominee_name: self.nominee_name,
            category: self.category,
            story: self.story,
            photo_url: url(self.photo_key),
            thumb_url: url(self.thumb_key),
            status_label: status_label(&self.status).into(),
            status: self.status,
            reject_reason: self.reject_reason,
            vote_count: self.vote_count,
            winner: self.winner != 0,
            nominator_name: staff.then_some(self.nominator_name),
            created_at: state.clock.rfc3339(self.created_at),
        }
    }
}

/// `POST /campaigns/{id}/nominations`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NominationInput {
    /// 2–20 characters.
    pub nominee_name: String,
    /// 助人为乐, 见义勇为, 诚实守信, 敬业奉献 or 孝老爱亲.
    pub category: String,
    /// 30–1500 characters.
    pub story: String,
}

/// A citizen nominates someone during the nomination window, with an
/// optional photo (the report photo pipeline: decoded with limits,
/// re-encoded without EXIF). It waits for review.
pub async fn nominate(
    state: &AppState,
    actor: &CurrentUser,
    campaign_id: i64,
    input: NominationInput,
    photo: Option<Upload>,
) -> Result<Nomination, AppError> {
    let c = row(state, campaign_id).await?;
    let mut f = Fields::new();
    let name = f.check("nominee_name", campaign::nominee_name(&input.nominee_name));
    let category = f.check("category", campaign::category(&input.category));
    let story = f.check("story", campaign::story(&input.story));
    f.finish()?;
    let now = state.clock.now_ms();
    if !c.windows().nominating(now) {
        return Err(nomination_closed(&c, now));
    }
    let stored = match photo {
        Some(p) => super::reports::store_all(state, vec![p], "photo")
            .await?
            .pop(),
        None => None,
    };
    let result = async {
        let mut tx = state.db.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO nominations (campaign_id, nominator_id, nominee_name, category, story, \
             photo_key, thumb_key, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending_review', $8) RETURNING id",
        )
        .bind(campaign_id)
        .bind(actor.id)
        .bind(name.as_deref())
        .bind(category)
        .bind(story.as_deref())
        .bind(stored.as_ref().map(|p| p.key.as_str()))
        .bind(stored.as_ref().map(|p| p.thumb_key.as_str()))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(super::db::conflict_on_unique(
            "duplicate_nomination",
            "你已经在本次评选中推荐过这个人了",
        ))?;
        tx.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => nomination_row(state, id)
            .await
            .map(|r| r.into_nomination(state, false)),
        Err(e) => {
            if let Some(p) = stored {
                state.photos.delete(&[p.key, p.thumb_key]).await;
            }
            Err(e)
        }
    }
}

fn nomination_closed(c: &CampaignRow, now: i64) -> AppError {
    let message = if now < c.nomination_starts_at {
        "推荐还没有开始"
    } else {
        "推荐已经截止"
    };
    AppError::conflict("nomination_closed", message)
}

async fn nomination_row(state: &AppState, id: i64) -> Result<NominationRow, AppError> {
    sqlx::query_as(&format!("{NOMINATION} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// One nomination: public once approved; before that (or when rejected)
/// only its nominator and moderators see it.
pub async fn nomination(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    id: i64,
) -> Result<Nomination, AppError> {
    let r = nomination_row(state, id).await?;
    let staff = viewer.is_some_and(|v| v.roles.can_moderate());
    if r.status != "approved" && !staff && viewer.is_none_or(|v| v.id != r.nominator_id) {
        return Err(AppError::NotFound);
    }
    Ok(r.into_nomination(state, staff))
}

/// The approved nominations of a campaign (optionally of one category), most
/// votes first.
pub async fn nominations(
    state: &AppState,
    campaign_id: i64,
    category: Option<&str>,
) -> Result<Vec<Nomination>, AppError> {
    row(state, campaign_id).await?;
    let category = match category.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(campaign::category(c).map_err(|e| AppError::field("category", e))?),
        None => None,
    };
    let rows: Vec<NominationRow> = sqlx::query_as(&format!(
        "{NOMINATION} WHERE n.campaign_id = $1 AND n.status = 'approved' \
         AND ($2 = '' OR n.category = $2) ORDER BY n.vote_count DESC, n.id"
    ))
    .bind(campaign_id)
    .bind(category.unwrap_or(""))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_nomination(state, false))
        .collect())
}

/// The nominations someone made in a campaign, whatever their status.
pub async fn mine(
    state: &AppState,
    actor: &CurrentUser,
    campaign_id: i64,
) -> Result<Vec<Nomination>, AppError> {
    let rows: Vec<NominationRow> = sqlx::query_as(&format!(
        "{NOMINATION} WHERE n.campaign_id = $1 AND n.nominator_id = $2 ORDER BY n.id DESC"
    ))
    .bind(campaign_id)
    .bind(actor.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_nomination(state, false))
        .collect())
}

/// Moderators: nominations waiting for review, oldest first.
pub async fn queue(state: &AppState, actor: &CurrentUser) -> Result<Vec<Nomination>, AppError> {
    actor.require_moderator()?;
    let rows: Vec<NominationRow> = sqlx::query_as(&format!(
        "{NOMINATION} WHERE n.status = 'pending_review' ORDER BY n.id LIMIT 200"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_nomination(state, true))
        .collect())
}

/// `POST /nominations/{id}/review`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required to reject; told to the nominator.
    pub reason: Option<String>,
}

/// A moderator approves (the nominator earns points, once) or rejects with
/// a reason. A nomination is reviewed once: the update is conditional on
/// `pending_review`, so two moderators at once cannot both decide.
pub async fn review(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: ReviewInput,
) -> Result<Nomination, AppError> {
    actor.require_moderator()?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field("decision", "应为 approve 或 reject")),
    };
    let reason = if approve {
        None
    } else {
        Some(
            campaign::reject_reason(input.reason.as_deref())
                .map_err(|e| AppError::field("reason", e))?,
        )
    };
    let current = nomination_row(state, id).await?;
    let now = state.clock.now_ms();
    if approve && now >= row(state, current.campaign_id).await?.voting_ends_at {
        return Err(AppError::conflict(
            "voting_closed",
            "投票已经结束，不能再公示新的推荐",
        ));
    }
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(
        "UPDATE nominations SET status = $1, reject_reason = $2, reviewed_by = $3, reviewed_at = $4 \
         WHERE id = $5 AND status = 'pending_review'",
    )
    .bind(if approve { "approved" } else { "rejected" })
    .bind(reason.as_deref())
    .bind(actor.id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::conflict(
            "invalid_transition",
            "这条推荐已经审核过了",
        ));
    }
    let mut messages = vec![];
    if approve {
        let rules = points::rules(&mut *tx).await?;
        let paid = match PointsDelta::parse(rules.nomination_approved) {
            Ok(delta) => points::append(
                &mut tx,
                now,
                current.nominator_id,
                delta,
                PointsReason::NominationApproved,
                Some(Reference {
                    kind: "nomination",
                    id,
                }),
                None,
                Some(actor.id),
            )
            .await?
            .map(|_| rules.nomination_approved)
            .unwrap_or(0),
            // An admin set the reward to 0: nothing to pay.
            Err(_) => 0,
        };
        let body = if paid > 0 {
            format!(
                "你推荐的「{}」已通过审核，将在评选页展示。奖励{paid}积分。",
                current.nominee_name
            )
        } else {
            format!(
                "你推荐的「{}」已通过审核，将在评选页展示。",
                current.nominee_name
            )
        };
        messages.push(
            notify::queue(
                &mut tx,
                now,
                current.nominator_id,
                "nomination_approved",
                None,
                "好人推荐已通过",
                &body,
            )
            .await?,
        );
    } else {
        let body = format!(
            "你推荐的「{}」未通过审核。原因：{}",
            current.nominee_name,
            reason.as_deref().unwrap_or_default()
        );
        messages.push(
            notify::queue(
                &mut tx,
                now,
                current.nominator_id,
                "nomination_rejected",
                None,
                "好人推荐未通过",
                &body,
            )
            .await?,
        );
    }
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        if approve {
            "nomination.approve"
        } else {
            "nomination.reject"
        },
        "nomination",
        Some(id),
        reason.as_deref().unwrap_or(""),
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok(nomination_row(state, id)
        .await?
        .into_nomination(state, true))
}

#[derive(sqlx::FromRow)]
struct VoteTarget {
    status: String,
    campaign_id: i64,
    voting_starts_at: i64,
    voting_ends_at: i64,
    votes_per_day: i64,
    min_account_age_hours: i64,
}

fn city_day(state: &AppState, now: i64) -> Result<String, AppError> {
    state
        .clock
        .date(now)
        .map(|d| d.to_string())
        .ok_or(AppError::Internal)
}

/// Why this account may not vote yet, if so.
fn too_new(created_at: i64, min_hours: i64, now: i64) -> Option<String> {
    hours_until_old_enough(created_at, min_hours, now)
        .map(|h| format!("为防止刷票，注册满{min_hours}小时的账号才能投票（还需约{h}小时）"))
}

async fn account_created_at<'c, E>(db: E, user: i64) -> Result<i64, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let (at,): (i64,) = sqlx::query_as("SELECT created_at FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(db)
        .await?;
    Ok(at)
}

/// A citizen votes for an approved nomination during the voting window.
/// `ip` is the client's address, for the per-address limit.
pub async fn vote(
    state: &AppState,
    actor: &CurrentUser,
    nomination_id: i64,
    ip: Option<String>,
) -> Result<VoteResult, AppError> {
    let now = state.clock.now_ms();
    let day = city_day(state, now)?;
    let mut tx = state.db.begin_write().await?;
    let target: Option<VoteTarget> = sqlx::query_as(
        "SELECT n.status, n.campaign_id, c.voting_starts_at, c.voting_ends_at, c.votes_per_day, \
         c.min_account_age_hours FROM nominations n JOIN campaigns c ON c.id = n.campaign_id \
         WHERE n.id = $1",
    )
    .bind(nomination_id)
    .fetch_optional(&mut *tx)
    .await?;
    let t = target
        .filter(|t| t.status == "approved")
        .ok_or(AppError::NotFound)?;
    if now < t.voting_starts_at {
        return Err(AppError::conflict("voting_closed", "投票还没有开始"));
    }
    if now >= t.voting_ends_at {
        return Err(AppError::conflict("voting_closed", "投票已经结束"));
    }
    let created = account_created_at(&mut *tx, actor.id).await?;
    if let Some(message) = too_new(created, t.min_account_age_hours, now) {
        return Err(AppError::Refused {
            code: "account_too_new".into(),
            message,
        });
    }
    // One voter at a time from here: the counts below stay true until the
    // commit (SQLite's write transaction already serialises).
    points::lock_user(&mut tx, actor.id).await?;
    if let Some(ip) = ip.as_ref().filter(|_| state.config.rate_limits) {
        let (recent,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM votes WHERE ip = $1 AND created_at > $2")
                .bind(ip)
                .bind(now - campaign::IP_WINDOW_MS)
                .fetch_one(&mut *tx)
                .await?;
        if recent >= campaign::VOTES_PER_IP {
            return Err(AppError::RateLimited);
        }
    }
    if voted_for(&mut *tx, nomination_id, actor.id, &day).await? {
        return Err(already_voted());
    }
    let used = used_today(&mut *tx, t.campaign_id, actor.id, &day).await?;
    if used >= t.votes_per_day {
        return Err(daily_limit(t.votes_per_day));
    }
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO votes (campaign_id, nomination_id, voter_id, day, slot, ip, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.campaign_id)
    .bind(nomination_id)
    .bind(actor.id)
    .bind(&day)
    .bind(used + 1)
    .bind(ip.as_deref())
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let vote_id = match inserted {
        Ok((id,)) => id,
        // The keys hold even if the lock above were ever lost: the same
        // nomination twice, or a slot already taken.
        Err(e) if super::db::is_unique_violation(&e) => {
            drop(tx);
            return Err(
                if voted_for(&state.db.pool, nomination_id, actor.id, &day).await? {
                    already_voted()
                } else {
                    daily_limit(t.votes_per_day)
                },
            );
        }
        Err(e) => return Err(e.into()),
    };
    let (vote_count,): (i64,) = sqlx::query_as(
        "UPDATE nominations SET vote_count = vote_count + 1 WHERE id = $1 RETURNING vote_count",
    )
    .bind(nomination_id)
    .fetch_one(&mut *tx)
    .await?;
    // The day's first vote, in any campaign, earns the daily-vote points.
    let (today_total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM votes WHERE voter_id = $1 AND day = $2")
            .bind(actor.id)
            .bind(&day)
            .fetch_one(&mut *tx)
            .await?;
    let mut paid = 0;
    if today_total == 1 {
        let rules = points::rules(&mut *tx).await?;
        if let Ok(delta) = PointsDelta::parse(rules.daily_vote) {
            let entry = points::append(
                &mut tx,
                now,
                actor.id,
                delta,
                PointsReason::DailyVote,
                Some(Reference {
                    kind: "vote",
                    id: vote_id,
                }),
                None,
                None,
            )
            .await?;
            if entry.is_some() {
                paid = rules.daily_vote;
            }
        }
    }
    let messages: Vec<Outgoing> = badges::award_due(&mut tx, now, actor.id).await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok(VoteResult {
        nomination_id,
        vote_count,
        votes_left_today: votes_left(t.votes_per_day, used + 1),
        points: paid,
    })
}

fn already_voted() -> AppError {
    AppError::conflict(
        "already_voted_today",
        "今天已经给这位候选人投过票了，明天再来吧",
    )
}

fn daily_limit(per_day: i64) -> AppError {
    AppError::conflict(
        "daily_vote_limit",
        format!("本次评选每天最多投{per_day}票，今天的票已经用完了，明天再来吧"),
    )
}

/// Votes a person gave in a campaign on a city day.
async fn used_today<'c, E>(db: E, campaign_id: i64, voter: i64, day: &str) -> Result<i64, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM votes WHERE campaign_id = $1 AND voter_id = $2 AND day = $3",
    )
    .bind(campaign_id)
    .bind(voter)
    .bind(day)
    .fetch_one(db)
    .await?;
    Ok(n)
}

/// Whether a person voted for a nomination on a city day.
async fn voted_for<'c, E>(
    db: E,
    nomination_id: i64,
    voter: i64,
    day: &str,
) -> Result<bool, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM votes WHERE nomination_id = $1 AND voter_id = $2 AND day = $3",
    )
    .bind(nomination_id)
    .bind(voter)
    .bind(day)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// A signed-in person's votes in a campaign today: left, given, or why not.
pub async fn my_votes(
    state: &AppState,
    actor: &CurrentUser,
    campaign_id: i64,
) -> Result<MyVotes, AppError> {
    let c = row(state, campaign_id).await?;
    let now = state.clock.now_ms();
    let day = city_day(state, now)?;
    let voted: Vec<(i64,)> = sqlx::query_as(
        "SELECT nomination_id FROM votes WHERE campaign_id = $1 AND voter_id = $2 AND day = $3 ORDER BY slot",
    )
    .bind(campaign_id)
    .bind(actor.id)
    .bind(&day)
    .fetch_all(&state.db.pool)
    .await?;
    let created = account_created_at(&state.db.pool, actor.id).await?;
    Ok(MyVotes {
        votes_left_today: votes_left(c.votes_per_day, voted.len() as i64),
        voted_today: voted.into_iter().map(|(id,)| id).collect(),
        refused: too_new(created, c.min_account_age_hours, now),
    })
}

/// The ranking (API.md: "nominations ranked by votes"): live while voting,
/// final once the campaign's phase is `ended`.
pub async fn results(
    state: &AppState,
    campaign_id: i64,
) -> Result<Vec<RankedNomination>, AppError> {
    row(state, campaign_id).await?;
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, nominee_name, category, vote_count, winner FROM nominations \
         WHERE campaign_id = $1 AND status = 'approved' ORDER BY vote_count DESC, id",
    )
    .bind(campaign_id)
    .fetch_all(&state.db.pool)
    .await?;
    let counts: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let ranks = crate::domain::points::ranks(&counts);
    Ok(rows
        .into_iter()
        .zip(ranks)
        .map(
            |((id, name, category, votes, winner), rank)| RankedNomination {
                rank,
                nomination_id: id,
                nominee_name: name,
                category,
                vote_count: votes,
                winner: winner != 0,
            },
        )
        .collect())
}

/// Admin: mark (or unmark) an approved nomination as a winner, once voting
/// has ended. Winners appear on the 红榜.
pub async fn set_winner(
    state: &AppState,
    actor: &CurrentUser,
    nomination_id: i64,
    winner: bool,
) -> Result<Nomination, AppError> {
    actor.require_admin()?;
    let n = nomination_row(state, nomination_id).await?;
    if n.status != "approved" {
        return Err(AppError::conflict(
            "invalid_transition",
            "只有通过审核的推荐才能评为好人",
        ));
    }
    let c = row(state, n.campaign_id).await?;
    let now = state.clock.now_ms();
    if now < c.voting_ends_at {
        return Err(AppError::conflict(
            "voting_not_ended",
            "投票结束后才能公布评选结果",
        ));
    }
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE nominations SET winner = $1 WHERE id = $2")
        .bind(i64::from(winner))
        .bind(nomination_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        if winner {
            "nomination.winner"
        } else {
            "nomination.unwinner"
        },
        "nomination",
        Some(nomination_id),
        &n.nominee_name,
    )
    .await?;
    tx.commit().await?;
    Ok(nomination_row(state, nomination_id)
        .await?
        .into_nomination(state, true))
}

/// The 红榜: every campaign's winners, most recent campaign first.
pub async fn honors(state: &AppState) -> Result<Vec<(Campaign, Vec<Nomination>)>, AppError> {
    let rows: Vec<NominationRow> = sqlx::query_as(&format!(
        "{NOMINATION} WHERE n.winner = 1 AND n.status = 'approved' \
         ORDER BY c.voting_ends_at DESC, c.id DESC, n.vote_count DESC, n.id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    let mut out: Vec<(Campaign, Vec<Nomination>)> = vec![];
    for r in rows {
        let n = r.into_nomination(state, false);
        match out.last_mut() {
            Some((c, list)) if c.id == n.campaign_id => list.push(n),
            _ => {
                let c = get(state, n.campaign_id).await?;
                out.push((c, vec![n]));
            }
        }
    }
    Ok(out)
}

/// Who may see a nomination's photo: anyone once approved, else its
/// nominator and moderators. `None` when the key is not a nomination's.
pub async fn photo_owner(state: &AppState, key: &str) -> Result<Option<(bool, i64)>, AppError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT status, nominator_id FROM nominations WHERE photo_key = $1 OR thumb_key = $1",
    )
    .bind(key)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(|(status, who)| (status == "approved", who)))
}
