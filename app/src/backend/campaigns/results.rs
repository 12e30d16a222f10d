//! Results (live while voting, final after), winners, and the 红榜.

#[allow(unused_imports)]
use super::*;

/// The ranking (the API contract: "nominations ranked by votes"): live while voting,
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
        return Err(AppError::invalid_transition(
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
