//! Reading reports: one, the public list with its filters and search, mine,
//! the moderation queue, the unit's tasks, the duplicate hint, hot spots, and
//! who may see a report's photos.

#[allow(unused_imports)]
use super::*;

/// A report as the viewer may see it (API `GET /reports/{id}`).
pub async fn get(
    state: &AppState,
    id: i64,
    viewer: Option<&CurrentUser>,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, viewer).await?;
    one(state, row, viewer).await
}

pub(crate) async fn page(
    state: &AppState,
    w: &Where,
    order: &str,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let (rows, total): (Vec<Row>, i64) =
        fetch_page(&state.db.pool, SELECT, "reports r", w, order, paging).await?;
    Ok(Page::of(
        to_reports(state, rows, viewer).await?,
        total,
        paging,
    ))
}

/// Filters of the public list (`GET /reports`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ListQuery {
    /// One of the public statuses.
    pub status: Option<String>,
    pub category_id: Option<i64>,
    /// Chinese full-text search.
    pub q: Option<String>,
    /// `minLon,minLat,maxLon,maxLat`.
    pub bbox: Option<String>,
    /// Only assigned reports past their deadline.
    pub overdue: Option<bool>,
}

fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| "bbox 应为 minLon,minLat,maxLon,maxLat".to_owned())?;
    let [min_lon, min_lat, max_lon, max_lat] = v[..] else {
        return Err("bbox 应为 minLon,minLat,maxLon,maxLat".into());
    };
    GeoPoint::parse(min_lat, min_lon)?;
    GeoPoint::parse(max_lat, max_lon)?;
    if min_lon > max_lon || min_lat > max_lat {
        return Err("bbox 的最小值应不大于最大值".into());
    }
    Ok([min_lon, min_lat, max_lon, max_lat])
}

/// Adds the search condition: every query term is among the report's terms.
fn search(w: &mut Where, q: &str) {
    let terms = report::query_terms(q);
    if terms.is_empty() {
        return;
    }
    let n = terms.len() as i64;
    let marks = vec!["?"; terms.len()].join(", ");
    let mut params: Vec<Param> = terms.into_iter().map(Param::Text).collect();
    params.push(Param::Int(n));
    w.and(
        &format!(
            "r.id IN (SELECT report_id FROM report_terms WHERE term IN ({marks}) \
             GROUP BY report_id HAVING COUNT(*) = ?)"
        ),
        params,
    );
}

/// The public list: never `pending_review` or `rejected`.
pub async fn list_public(
    state: &AppState,
    query: ListQuery,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let mut f = Fields::new();
    let mut w = Where::new();
    match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match ReportStatus::parse(s) {
            Ok(st) if st.is_public() => {
                w.and("r.status = ?", [Param::Text(st.as_str().into())]);
            }
            _ => f.push("status", "只能查看公开的状态"),
        },
        None => {
            w.and("r.status IN ('assigned', 'rectified', 'closed')", []);
        }
    }
    if let Some(c) = query.category_id {
        w.and("r.category_id = ?", [Param::Int(c)]);
    }
    if let Some(b) = query.bbox.as_deref().filter(|s| !s.is_empty())
        && let Some([a, b, c, d]) = f.check("bbox", parse_bbox(b))
    {
        w.and(
            "r.lon >= ? AND r.lat >= ? AND r.lon <= ? AND r.lat <= ?",
            [a, b, c, d].map(Param::Float),
        );
    }
    if let Some(q) = query.q.as_deref() {
        if q.chars().count() > 50 {
            f.push("q", "搜索词最多50个字");
        } else {
            search(&mut w, q);
        }
    }
    if query.overdue == Some(true) {
        w.and(
            "r.status = 'assigned' AND r.deadline < ?",
            [Param::Int(state.clock.now_ms())],
        );
    }
    f.finish()?;
    page(state, &w, "r.id DESC", paging, viewer).await
}

/// My own reports, any status, newest first.
pub async fn mine(
    state: &AppState,
    me: &CurrentUser,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    let mut w = Where::new();
    w.and("r.reporter_id = ?", [Param::Int(me.id)]);
    page(state, &w, "r.id DESC", paging, Some(me)).await
}

/// Moderator queues: `pending_review` (审核, oldest first) or `rectified`
/// (督查: disputed first, then oldest).
pub async fn moderation_queue(
    state: &AppState,
    actor: &CurrentUser,
    status: Option<&str>,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    actor.require_moderator()?;
    let status = match status.filter(|s| !s.is_empty()) {
        None => ReportStatus::PendingReview,
        Some(s) => ReportStatus::parse(s).map_err(|m| AppError::field("status", m))?,
    };
    let mut w = Where::new();
    w.and("r.status = ?", [Param::Text(status.as_str().into())]);
    let order = if status == ReportStatus::Rectified {
        "r.disputed DESC, r.updated_at, r.id"
    } else {
        "r.id"
    };
    page(state, &w, order, paging, Some(actor)).await
}

/// A unit's task list: its `assigned` reports (or `?status=rectified`),
/// nearest deadline — so overdue ones — first.
pub async fn unit_tasks(
    state: &AppState,
    actor: &CurrentUser,
    status: Option<&str>,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    let unit = match actor.unit_id {
        Some(u) if actor.roles.has(Role::UnitStaff) => u,
        _ => return Err(AppError::Forbidden),
    };
    let status = match status.filter(|s| !s.is_empty()) {
        None => ReportStatus::Assigned,
        Some(s) => match ReportStatus::parse(s) {
            Ok(st) if st != ReportStatus::PendingReview && st != ReportStatus::Rejected => st,
            _ => return Err(AppError::field("status", "未知的状态")),
        },
    };
    let mut w = Where::new();
    w.and(
        "r.unit_id = ? AND r.status = ?",
        [Param::Int(unit), Param::Text(status.as_str().into())],
    );
    page(state, &w, "r.deadline, r.id", paging, Some(actor)).await
}

/// The duplicate hint: open reports of the category within 100 m from the
/// last 72 hours, nearest first.
pub async fn nearby(
    state: &AppState,
    viewer: &CurrentUser,
    category_id: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Vec<Report>, AppError> {
    let mut f = Fields::new();
    let category_id = f.check("category_id", category_id.ok_or("请选择类别".to_owned()));
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => f.check("lat", GeoPoint::parse(lat, lon)),
        _ => {
            f.push("lat", "请给出位置");
            None
        }
    };
    let (category_id, p) = f.done((category_id, point))?;
    let (min_lat, max_lat, min_lon, max_lon) = p.bounds_within(DUPLICATE_RADIUS_M);
    let mut w = Where::new();
    w.and(
        "r.category_id = ? AND r.status IN ('assigned', 'rectified') AND r.created_at >= ? \
         AND r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?",
        [
            Param::Int(category_id),
            Param::Int(state.clock.now_ms() - DUPLICATE_WINDOW_MS),
            Param::Float(min_lat),
            Param::Float(max_lat),
            Param::Float(min_lon),
            Param::Float(max_lon),
        ],
    );
    let rows: Vec<Row> = bind_all(
        sqlx::query_as(&format!("{SELECT}{} ORDER BY r.id DESC LIMIT 50", w.sql())),
        w.params(),
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut near: Vec<(f64, Row)> = rows
        .into_iter()
        .map(|r| {
            let d = p.distance_m(r.point());
            (d, r)
        })
        .filter(|(d, _)| *d <= DUPLICATE_RADIUS_M)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    let distances: Vec<f64> = near.iter().map(|(d, _)| *d).collect();
    let mut reports = to_reports(
        state,
        near.into_iter().map(|(_, r)| r).collect(),
        Some(viewer),
    )
    .await?;
    for (r, d) in reports.iter_mut().zip(distances) {
        r.distance_m = Some(d.round());
    }
    Ok(reports)
}

#[derive(sqlx::FromRow)]
struct HotRow {
    reports: i64,
    followers: i64,
    latest: i64,
}

/// The week's hot spots: places (≈100 m cells) with the most reports and
/// with the most followers.
pub async fn hot(state: &AppState) -> Result<HotIssues, AppError> {
    let since = state.clock.now_ms() - 7 * DAY_MS;
    let base = "SELECT COUNT(*) AS reports, CAST(COALESCE(SUM(follower_count), 0) AS BIGINT) AS followers, \
                MAX(CASE WHEN status <> 'duplicate' THEN id END) AS latest FROM reports \
                WHERE created_at >= $1 AND status IN ('assigned', 'rectified', 'closed', 'duplicate') \
                GROUP BY CAST(ROUND(lat * 1000) AS BIGINT), CAST(ROUND(lon * 1000) AS BIGINT) \
                HAVING MAX(CASE WHEN status <> 'duplicate' THEN id END) IS NOT NULL";
    let most_reported: Vec<HotRow> = sqlx::query_as(&format!(
        "{base} ORDER BY reports DESC, followers DESC, latest DESC LIMIT 10"
    ))
    .bind(since)
    .fetch_all(&state.db.pool)
    .await?;
    let most_followed: Vec<HotRow> = sqlx::query_as(&format!(
        "{base} AND CAST(COALESCE(SUM(follower_count), 0) AS BIGINT) > 0 \
         ORDER BY followers DESC, reports DESC, latest DESC LIMIT 10"
    ))
    .bind(since)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(HotIssues {
        most_reported: places(state, most_reported).await?,
        most_followed: places(state, most_followed).await?,
    })
}

async fn places(state: &AppState, rows: Vec<HotRow>) -> Result<Vec<HotPlace>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let r = load(state, h.latest).await?;
        out.push(HotPlace {
            lat: r.lat,
            lon: r.lon,
            address: r.address,
            reports: h.reports,
            followers: h.followers,
            report_id: r.id,
            category_name: r.category_name,
        });
    }
    Ok(out)
}
