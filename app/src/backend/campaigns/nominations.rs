//! Nominations (我要推荐) during the nomination window, with an optional
//! photo; who sees them before approval; the moderators' review (points to
//! the nominator once).

#[allow(unused_imports)]
use super::*;

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
    crate::backend::photos::allow(state, actor, usize::from(photo.is_some())).await?;
    let stored = match photo {
        Some(p) => crate::backend::photos::store_all(state, vec![p], "photo")
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
        .map_err(crate::backend::db::conflict_on_unique(
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = NominationReview))]
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
    actor.not_on_self(current.nominator_id)?;
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
        return Err(AppError::invalid_transition("这条推荐已经审核过了"));
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
