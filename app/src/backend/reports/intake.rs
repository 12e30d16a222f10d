//! Filing a report (随手拍, or an Open311 request): checks, routing to a
//! unit, photos stored before the transaction, search terms.

#[allow(unused_imports)]
use super::*;

/// A new report as it comes from a form: text fields as sent, photos as
/// uploaded bytes. Everything is checked here.
#[derive(Debug, Default)]
pub struct NewReport {
    pub category_id: Option<String>,
    pub description: Option<String>,
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub address: Option<String>,
    /// `true`: show my nickname on the public report. Hidden by default
    /// (后台实名、前台自愿); `hide_name` is still accepted and wins.
    pub show_name: Option<String>,
    pub hide_name: Option<String>,
    pub fixed_on_spot: Option<String>,
    /// The phone's own id for this report (offline outbox): a retry with the
    /// same id answers with the report already filed.
    pub client_ref: Option<String>,
    pub photos: Vec<Upload>,
    pub after_photos: Vec<Upload>,
    /// Set for a request POSTed through Open311 (no photo needed; the client
    /// may link its own).
    pub open311: Option<Open311Filing>,
}

/// The note on the `submitted` event of a report filed through Open311.
pub const OPEN311_NOTE: &str = "Open311";

/// What an Open311 request adds to a report.
#[derive(Debug, Clone)]
pub struct Open311Filing {
    /// Answered to the client; finds the report once approved.
    pub token: String,
    /// The client's own photo link, checked by the caller (never fetched).
    pub media_url: Option<String>,
}

fn flag(v: Option<&str>) -> Result<bool, String> {
    match v.map(str::trim) {
        None | Some("") | Some("false") | Some("0") | Some("off") => Ok(false),
        Some("true") | Some("1") | Some("on") => Ok(true),
        Some(_) => Err("应为 true 或 false".into()),
    }
}

fn number<T: std::str::FromStr>(v: Option<&str>, missing: &str) -> Result<T, String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing.to_owned())?
        .parse()
        .map_err(|_| "格式不正确".to_owned())
}

/// The segment or grid a point falls in, with its unit.
pub(super) async fn route(state: &AppState, p: GeoPoint) -> Result<Option<(i64, i64)>, AppError> {
    // Candidates whose box (widened by the largest buffer) holds the point.
    let pad = AreaGeometry::MAX_BUFFER_M / 111_000.0 * 2.0;
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, kind, unit_id, geometry FROM areas \
         WHERE min_lon <= $1 AND max_lon >= $2 AND min_lat <= $3 AND max_lat >= $4",
    )
    .bind(p.lon + pad)
    .bind(p.lon - pad)
    .bind(p.lat + pad)
    .bind(p.lat - pad)
    .fetch_all(&state.db.pool)
    .await?;
    let parsed: Vec<(i64, AreaKind, i64, AreaGeometry)> = rows
        .into_iter()
        .filter_map(|(id, kind, unit, g)| {
            Some((
                id,
                AreaKind::parse(&kind).ok()?,
                unit,
                serde_json::from_str(&g).ok()?,
            ))
        })
        .collect();
    let areas: Vec<RoutableArea<'_>> = parsed
        .iter()
        .map(|(id, kind, unit_id, geometry)| RoutableArea {
            id: *id,
            kind: *kind,
            unit_id: *unit_id,
            geometry,
        })
        .collect();
    Ok(report::route_area(p, &areas).map(|a| (a.id, a.unit_id)))
}

pub(super) async fn insert_photos(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    kind: &str,
    photos: &[StoredPhoto],
) -> Result<(), AppError> {
    let (start,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM report_photos WHERE report_id = $1",
    )
    .bind(report_id)
    .fetch_one(&mut **tx)
    .await?;
    for (i, p) in photos.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_photos (report_id, kind, object_key, thumb_key, width, height, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(report_id)
        .bind(kind)
        .bind(&p.key)
        .bind(&p.thumb_key)
        .bind(p.width as i64)
        .bind(p.height as i64)
        .bind(start + 1 + i as i64)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn index_terms(
    tx: &mut Transaction<'static, Any>,
    report_id: i64,
    text: &str,
) -> Result<(), AppError> {
    for term in report::index_terms(text) {
        sqlx::query(
            "INSERT INTO report_terms (term, report_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(term)
        .bind(report_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Files a report. Citizens' reports wait for review; staff on patrol skip
/// review (routed at once), and with `fixed_on_spot` and after photos the
/// report is closed at once (立行立改).
pub async fn create(
    state: &AppState,
    actor: &CurrentUser,
    input: NewReport,
) -> Result<Report, AppError> {
    let mut f = Fields::new();
    let category_id: Option<i64> = f.check(
        "category_id",
        number(input.category_id.as_deref(), "请选择类别"),
    );
    let description = f.check(
        "description",
        report::description(input.description.as_deref().unwrap_or("")),
    );
    let lat: Option<f64> = f.check("lat", number(input.lat.as_deref(), "请给出位置"));
    let lon: Option<f64> = f.check("lon", number(input.lon.as_deref(), "请给出位置"));
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => f.check("lat", GeoPoint::parse(lat, lon)),
        _ => None,
    };
    let address = f.check("address", report::address(input.address.as_deref()));
    let show_name = f.check("show_name", flag(input.show_name.as_deref()));
    let hide_name = f
        .check("hide_name", flag(input.hide_name.as_deref()))
        .zip(show_name)
        .map(|(hide, show)| hide || !show);
    let fixed_on_spot = f
        .check("fixed_on_spot", flag(input.fixed_on_spot.as_deref()))
        .unwrap_or(false);
    let client_ref = match input
        .client_ref
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(r) => f.check("client_ref", report::client_ref(r)),
    };
    if input.open311.is_none() || !input.photos.is_empty() {
        f.check("photo", report::photo_count(input.photos.len()));
    }
    if fixed_on_spot {
        if !is_staff(actor) {
            f.push("fixed_on_spot", "只有巡查的工作人员可以标记立行立改");
        } else {
            f.check("after_photo", report::photo_count(input.after_photos.len()));
        }
    } else if !input.after_photos.is_empty() {
        f.push("after_photo", "只有立行立改的报告可以附整改后照片");
    }
    let cat = match category_id {
        Some(id) => category(state, id).await?,
        None => None,
    };
    if category_id.is_some() && cat.is_none() {
        f.push("category_id", "类别不存在");
    }
    let (category_id, description, p, address, hide_name, cat) =
        f.done((category_id, description, point, address, hide_name, cat))?;

    if let Some(r) = &client_ref
        && let Some(id) = filed_as(state, actor.id, r).await?
    {
        return get(state, id, Some(actor)).await;
    }

    // Patrol reports are routed now; without an owner they fall back to the
    // patrolling unit, else to the review queue.
    let patrol = is_staff(actor) && input.open311.is_none();
    let routed = if patrol {
        let area = route(state, p).await?;
        report::responsible_unit(None, cat.unit_id, area.map(|a| a.1))
            .or(actor.unit_id)
            .map(|unit| (unit, area.map(|a| a.0)))
    } else {
        None
    };
    if fixed_on_spot && routed.is_none() {
        return Err(AppError::field(
            "fixed_on_spot",
            "该位置不在任何路段或网格内，无法确定责任单位，不能直接销号",
        ));
    }

    photos::allow(state, actor, input.photos.len() + input.after_photos.len()).await?;
    let before = photos::store_all(state, input.photos, "photo").await?;
    let after = match photos::store_all(state, input.after_photos, "after_photo").await {
        Ok(a) => a,
        Err(e) => {
            photos::forget(state, &before).await;
            return Err(e);
        }
    };
    let now = state.clock.now_ms();
    let result = async {
        let (status, unit, area, deadline) = match routed {
            None => (ReportStatus::PendingReview, None, None, None),
            Some((unit, area)) => {
                let status = if fixed_on_spot {
                    ReportStatus::Closed
                } else {
                    ReportStatus::Assigned
                };
                (status, Some(unit), area, Some(now + cat.sla_days * DAY_MS))
            }
        };
        let closed = status == ReportStatus::Closed;
        let mut tx = state.db.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reports (reporter_id, category_id, description, lat, lon, address, hide_name, \
             status, unit_id, area_id, deadline, patrol, fixed_on_spot, assigned_at, rectified_at, closed_at, \
             created_at, updated_at, client_ref, source, open311_token, media_url) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $16, $17, \
                     $18, $19, $20) RETURNING id",
        )
        .bind(actor.id)
        .bind(category_id)
        .bind(&description)
        .bind(p.lat)
        .bind(p.lon)
        .bind(&address)
        .bind(hide_name as i64)
        .bind(status.as_str())
        .bind(unit)
        .bind(area)
        .bind(deadline)
        .bind(patrol as i64)
        .bind(closed as i64)
        .bind(unit.map(|_| now))
        .bind(closed.then_some(now))
        .bind(now)
        .bind(client_ref.as_deref())
        .bind(if input.open311.is_some() { "open311" } else { "web" })
        .bind(input.open311.as_ref().map(|o| o.token.clone()))
        .bind(input.open311.as_ref().and_then(|o| o.media_url.clone()))
        .fetch_one(&mut *tx)
        .await?;
        insert_photos(&mut tx, now, id, "before", &before).await?;
        insert_photos(&mut tx, now, id, "after", &after).await?;
        let role = if patrol { staff_role(actor) } else { "citizen" };
        let note = if input.open311.is_some() {
            OPEN311_NOTE
        } else {
            ""
        };
        event(&mut tx, now, id, "submitted", Some(actor.id), role, note).await?;
        match status {
            ReportStatus::Assigned => {
                event(&mut tx, now, id, "assigned", None, "system", "巡查上报，直接交办").await?
            }
            ReportStatus::Closed => {
                event(&mut tx, now, id, "fixed_on_spot", Some(actor.id), role, "立行立改").await?
            }
            _ => {}
        }
        index_terms(&mut tx, id, &format!("{description} {address}")).await?;
        tx.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => get(state, id, Some(actor)).await,
        Err(e) => {
            photos::forget(state, &before).await;
            photos::forget(state, &after).await;
            // The same outbox item sent twice at once: the other one won.
            if let Some(r) = &client_ref
                && let Some(id) = filed_as(state, actor.id, r).await?
            {
                return get(state, id, Some(actor)).await;
            }
            Err(e)
        }
    }
}

/// The report this person already filed under a phone's id, if any.
async fn filed_as(
    state: &AppState,
    reporter: i64,
    client_ref: &str,
) -> Result<Option<i64>, AppError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM reports WHERE reporter_id = $1 AND client_ref = $2")
            .bind(reporter)
            .bind(client_ref)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.map(|(id,)| id))
}
