//! Votes with their limits in the database: one per nomination per person
//! per city day, `votes_per_day` slots, account age, per-address ceiling;
//! the day's first vote pays `daily_vote`.

#[allow(unused_imports)]
use super::*;

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
/// `client` is the client's address, for the per-address limit (kept and
/// counted by its key: an IPv6 address by its /64).
pub async fn vote(
    state: &AppState,
    actor: &CurrentUser,
    nomination_id: i64,
    client: Option<std::net::IpAddr>,
) -> Result<VoteResult, AppError> {
    let ip = client.map(crate::backend::limits::address_key);
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
        // Voters from one address, one at a time, whichever server they
        // reach: the count below then sees every vote committed before it.
        crate::backend::limits::hold(&mut tx, "vote-address", ip, now).await?;
        let (recent, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM votes WHERE ip = $1 AND created_at > $2",
        )
        .bind(ip)
        .bind(now - campaign::IP_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await?;
        if recent >= campaign::VOTES_PER_IP {
            let wait = oldest.unwrap_or(now) + campaign::IP_WINDOW_MS - now;
            return Err(AppError::rate_limited(wait));
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
        Err(e) if crate::backend::db::is_unique_violation(&e) => {
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
