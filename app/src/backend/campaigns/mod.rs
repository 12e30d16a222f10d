//! 好人 campaigns: campaigns and
//! their windows, nominations with an optional photo, the moderators'
//! review, votes, results and the 红榜.
//!
//! The vote limits hold in the database: one vote per nomination per person
//! per city day (a UNIQUE key), and `votes_per_day` per campaign per person
//! per day, because every vote takes a numbered slot (UNIQUE) counted under
//! the voter's row lock. "A day" is the city's calendar day (`Clock::date`).

mod nominations;
mod results;
mod votes;
mod windows;

use serde::Deserialize;
use sqlx::Any;

use super::auth::{Actor, CurrentUser};
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

pub use nominations::*;
pub use results::*;
pub use votes::*;
pub use windows::*;

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
        let url = |k: Option<String>| k.map(|k| super::photos::photo_url(&k));
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

async fn nomination_row(state: &AppState, id: i64) -> Result<NominationRow, AppError> {
    sqlx::query_as(&format!("{NOMINATION} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}
