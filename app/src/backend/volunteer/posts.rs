//! Duty posts (志愿岗位): a place with a check-in fence, listed on the map
//! and with their coming shifts.

#[allow(unused_imports)]
use super::*;

pub async fn list_posts(state: &AppState) -> Result<Vec<Post>, AppError> {
    let rows: Vec<PostRow> =
        sqlx::query_as("SELECT id, name, lat, lon, radius_m, description FROM posts ORDER BY id")
            .fetch_all(&state.db.pool)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostInput {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Check-in fence in metres (default 150).
    pub radius_m: Option<f64>,
    pub description: Option<String>,
}

/// Admin: a new post (a crossing, a square, an activity's meeting point).
pub async fn create_post(
    state: &AppState,
    actor: Actor<'_>,
    input: PostInput,
) -> Result<Post, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let name = f.check(
        "name",
        crate::domain::clean_text(&input.name, 50, "请填写岗位名称"),
    );
    let place = f.check("lat", GeoPoint::parse(input.lat, input.lon));
    let radius = f.check("radius_m", volunteer::radius(input.radius_m));
    let description = match input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => Some(String::new()),
        Some(d) => f.check("description", crate::domain::clean_text(d, 500, "")),
    };
    let (name, place, radius, description) = f.done((name, place, radius, description))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO posts (name, lat, lon, radius_m, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&name)
    .bind(place.lat)
    .bind(place.lon)
    .bind(radius)
    .bind(&description)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("name_taken", "已有同名岗位"))?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "post.create",
        "post",
        Some(id),
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(Post {
        id,
        name,
        lat: place.lat,
        lon: place.lon,
        radius_m: radius,
        description,
    })
}

/// Per post, the shifts starting in `[from, to)` and the places left on them.
pub async fn post_summaries(
    state: &AppState,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT post_id, COUNT(*), CAST(SUM(capacity - taken) AS BIGINT) FROM shifts \
         WHERE starts_at >= $1 AND starts_at < $2 GROUP BY post_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&state.db.pool)
    .await?)
}

pub async fn get_post(state: &AppState, id: i64) -> Result<Post, AppError> {
    let row: Option<PostRow> =
        sqlx::query_as("SELECT id, name, lat, lon, radius_m, description FROM posts WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    row.map(Into::into).ok_or(AppError::NotFound)
}
