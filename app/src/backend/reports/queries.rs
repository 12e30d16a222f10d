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

/// One list of reports: which rows, in which order, and how its total is
/// counted. Every list walks an index in its order and stops after the page
/// (`LIMIT`), so its cost is the rows it skips and shows, not the rows it
/// matches; the total comes from the tallies or a bounded count.
pub(crate) struct Listing {
    /// `reports r`, or for a search `report_terms t0 CROSS JOIN reports r`
    /// (the rarest term's postings first, in report order).
    from: &'static str,
    w: Where,
    /// The order, on the index that gives it (`t0.report_id DESC` for a search).
    order: &'static str,
    total: Counting,
    /// Keyset paging (newest-first lists): only rows with `key < before`.
    /// Not part of the filter: the total stays the whole list's.
    before: Option<(&'static str, i64)>,
    /// The best walk depends on the values (a search's terms, a date
    /// range): PostgreSQL plans these queries for each request's values
    /// instead of reusing a plan made for any values (which walked 80,000
    /// rows of a date index for Open311's newest twenty).
    per_values: bool,
}

/// How a list counts its total.
enum Counting {
    /// Exact, from the tallies: the filter is statuses, a category, a unit.
    Tally {
        statuses: Vec<ReportStatus>,
        category_id: Option<i64>,
        unit_id: Option<i64>,
    },
    /// Counted up to `Total::COUNT_LIMIT`, an estimate beyond.
    Bounded,
    /// The same, over `reports r` with a condition that selects the same
    /// rows through another index than the page's walk.
    BoundedBy(Where),
    /// A search's: the matches among the newest `SEARCH_SCAN` postings of
    /// its rarest term (`w` with the cut), up to `Total::COUNT_LIMIT`; an
    /// estimate (at least this many) when the term has more postings.
    Scanned { w: Where, cut: bool },
    /// Not wanted (Open311 has no totals).
    Skip,
}

impl Listing {
    /// Reports matching `w`, in `order` of `reports r`.
    pub(crate) fn new(w: Where, order: &'static str) -> Self {
        Listing {
            from: "reports r",
            w,
            order,
            total: Counting::Bounded,
            before: None,
            per_values: false,
        }
    }

    /// Planned for each request's values (see `per_values`).
    pub(crate) fn planned_per_values(mut self) -> Self {
        self.per_values = true;
        self
    }

    /// Whether statements are kept prepared: not when planned per values on
    /// PostgreSQL (an unnamed statement is planned with its values).
    fn persistent(&self, state: &AppState) -> bool {
        !(self.per_values && state.db.backend == crate::backend::db::Backend::Postgres)
    }

    /// The total is not needed.
    pub(crate) fn uncounted(mut self) -> Self {
        self.total = Counting::Skip;
        self
    }

    fn tallied(
        mut self,
        statuses: Vec<ReportStatus>,
        category_id: Option<i64>,
        unit_id: Option<i64>,
    ) -> Self {
        self.total = Counting::Tally {
            statuses,
            category_id,
            unit_id,
        };
        self
    }

    async fn total(&self, state: &AppState) -> Result<Total, AppError> {
        Ok(match &self.total {
            Counting::Tally {
                statuses,
                category_id,
                unit_id,
            } => Total::exact(
                super::super::stats::count(state, statuses, *category_id, *unit_id).await?,
            ),
            Counting::Bounded => {
                bounded_count(state, self.from, &self.w, self.persistent(state)).await?
            }
            Counting::BoundedBy(w) => {
                bounded_count(state, "reports r", w, self.persistent(state)).await?
            }
            Counting::Scanned { w, cut } => {
                let counted = bounded_count(state, self.from, w, self.persistent(state)).await?;
                Total {
                    estimate: counted.estimate || *cut,
                    ..counted
                }
            }
            Counting::Skip => Total::exact(0),
        })
    }

    /// The rows of one page, in order: the page's ids walk the list's index
    /// (a subquery with `LIMIT`), then only those rows are read, with their
    /// names, in one query.
    async fn rows(&self, state: &AppState, paging: Paging) -> Result<Vec<Row>, AppError> {
        let mut key = Where::continuing(&self.w);
        if let Some((column, before)) = self.before {
            key.and(&format!("{column} < ?"), [Param::Int(before)]);
        }
        let sql = match (self.w.sql(), key.sql()) {
            (w, k) if w.is_empty() => k,
            (w, k) if k.is_empty() => w,
            (w, k) => format!("{w} AND {}", &k[" WHERE ".len()..]),
        };
        let n = key.next_placeholder();
        let mut params = self.w.params().to_vec();
        params.extend(key.params().iter().cloned());
        params.extend([Param::Int(paging.limit()), Param::Int(paging.offset())]);
        // The outer order is the walk's, on the report's own columns (a
        // search walks `t0.report_id`, which is `r.id`).
        let outer = self.order.replace("t0.report_id", "r.id");
        let rows: Vec<Row> = bind_all(
            sqlx::query_as(&format!(
                "{SELECT} WHERE r.id IN (SELECT r.id FROM {}{sql} ORDER BY {} LIMIT ${n} OFFSET ${}) \
                 ORDER BY {outer}",
                self.from,
                self.order,
                n + 1
            )),
            &params,
        )
        .persistent(self.persistent(state))
        .fetch_all(&state.db.pool)
        .await?;
        Ok(rows)
    }
}

/// How many rows `from` and `w` select, counted up to the bound.
async fn bounded_count(
    state: &AppState,
    from: &str,
    w: &Where,
    persistent: bool,
) -> Result<Total, AppError> {
    let (n,): (i64,) = bind_all(
        sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {from}{} LIMIT {}) t",
            w.sql(),
            Total::COUNT_LIMIT + 1
        )),
        w.params(),
    )
    .persistent(persistent)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(Total::bounded(n))
}

pub(crate) async fn page(
    state: &AppState,
    listing: Listing,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let total = listing.total(state).await?;
    let rows = listing.rows(state, paging).await?;
    Ok(Page::counted(
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
    /// Keyset paging: only reports older than this one (the last id of the
    /// page before). Costs the same however deep; `page` counts from here.
    pub before_id: Option<i64>,
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

/// How many postings a term has, counted up to this: enough to tell a rare
/// term from a common one, and whether a search's count can read all of
/// its rarest term's postings.
const TERM_PROBE: i64 = 2_000;

/// A search's total reads at most this many postings of its rarest term
/// (the newest): several common words that rarely meet would otherwise
/// read every posting of the rarest (25,000 for a street's name) to count.
const SEARCH_SCAN: i64 = TERM_PROBE;

/// A search: the filter, and where its count stops.
struct Search {
    w: Where,
    /// The report id of the rarest term's `SEARCH_SCAN`-th newest posting,
    /// when it has that many: the count reads only postings from there on.
    cut: Option<i64>,
}

impl Search {
    /// How the list counts: `w` is the finished filter. The cut is bound on
    /// both sides of the join, so a merge join starts there too.
    fn counting(&self, w: &Where) -> Counting {
        let mut counted = w.clone();
        if let Some(cut) = self.cut {
            counted.and(
                "t0.report_id >= ? AND r.id >= ?",
                [Param::Int(cut), Param::Int(cut)],
            );
        }
        Counting::Scanned {
            w: counted,
            cut: self.cut.is_some(),
        }
    }
}

/// The search: every query term among the report's terms. The list walks
/// the rarest term's postings (newest report first, the primary key of
/// `report_terms`) and looks up the others for each, so a page costs about
/// `per_page ÷ (share of the rarest term's reports that match)` lookups,
/// and its count at most `SEARCH_SCAN` postings' worth. `None` when the
/// query has no terms.
async fn search(state: &AppState, q: &str) -> Result<Option<Search>, AppError> {
    let terms = report::query_terms(q);
    if terms.is_empty() {
        return Ok(None);
    }
    let probes: Vec<String> = (1..=terms.len())
        .map(|i| {
            format!(
                "(SELECT COUNT(*) FROM (SELECT 1 FROM report_terms WHERE term = ${i} LIMIT {TERM_PROBE}) t{i})"
            )
        })
        .collect();
    let sql = format!("SELECT {}", probes.join(", "));
    let mut probe = sqlx::query(&sql);
    for t in &terms {
        probe = probe.bind(t.clone());
    }
    let row = probe.fetch_one(&state.db.pool).await?;
    let mut counted: Vec<(i64, usize, &String)> = Vec::with_capacity(terms.len());
    for (i, t) in terms.iter().enumerate() {
        let n: i64 = sqlx::Row::try_get(&row, i)?;
        // Among equally common terms, longer ones (pairs, words) are rarer.
        counted.push((n, usize::MAX - t.chars().count(), t));
    }
    counted.sort();
    let mut w = Where::new();
    w.and(
        "t0.term = ? AND r.id = t0.report_id",
        [Param::Text(counted[0].2.clone())],
    );
    for (_, _, t) in &counted[1..] {
        w.and(
            "EXISTS (SELECT 1 FROM report_terms tk WHERE tk.term = ? AND tk.report_id = t0.report_id)",
            [Param::Text((*t).clone())],
        );
    }
    let cut = if counted[0].0 >= SEARCH_SCAN {
        // (None if postings went meanwhile: then the count reads them all.)
        let id: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT report_id FROM report_terms WHERE term = $1 \
             ORDER BY report_id DESC LIMIT 1 OFFSET {}",
            SEARCH_SCAN - 1
        ))
        .bind(counted[0].2.clone())
        .fetch_optional(&state.db.pool)
        .await?;
        id.map(|(id,)| id)
    } else {
        None
    };
    Ok(Some(Search { w, cut }))
}

/// The public list: never `pending_review` or `rejected`. Newest first;
/// the total is exact from the tallies unless the list is searched, cut to
/// a place or overdue (then counted up to `Total::COUNT_LIMIT`).
pub async fn list_public(
    state: &AppState,
    query: ListQuery,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let mut f = Fields::new();
    let public: Vec<ReportStatus> = ReportStatus::ALL
        .into_iter()
        .filter(|s| s.is_public())
        .collect();
    let statuses = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match ReportStatus::parse(s) {
            Ok(st) if st.is_public() => vec![st],
            _ => {
                f.push("status", "只能查看公开的状态");
                public
            }
        },
        None => public,
    };
    let bbox = query
        .bbox
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|b| f.check("bbox", parse_bbox(b)));
    let q = query.q.as_deref().unwrap_or("");
    if q.chars().count() > 50 {
        f.push("q", "搜索词最多50个字");
    }
    if query.before_id.is_some_and(|id| id < 1) {
        f.push("before_id", "应为报告编号");
    }
    f.finish()?;
    // The search's terms come first: their postings drive the walk.
    let mut searched = search(state, q).await?;
    let is_search = searched.is_some();
    let mut w = searched
        .as_mut()
        .map(|s| std::mem::take(&mut s.w))
        .unwrap_or_default();
    let overdue = query.overdue == Some(true);
    if statuses.len() == 1 {
        w.and("r.status = ?", [Param::Text(statuses[0].as_str().into())]);
    } else if !overdue {
        // The generated column `public` (migration 0018): one index range.
        // (Overdue ones are `assigned`, a public status, below.)
        w.and("r.public = 1", []);
    }
    if let Some(c) = query.category_id {
        w.and("r.category_id = ?", [Param::Int(c)]);
    }
    if let Some([a, b, c, d]) = bbox {
        w.and(
            "r.lon >= ? AND r.lat >= ? AND r.lon <= ? AND r.lat <= ?",
            [a, b, c, d].map(Param::Float),
        );
    }
    // Overdue: the page walks the assigned ones newest first and checks
    // each deadline on the index entry (`reports_status`; `+`: rather than
    // sort every overdue one by id); the count is a range of the deadline
    // index.
    let mut count = None;
    if overdue {
        let now = state.clock.now_ms();
        if !is_search && bbox.is_none() {
            let mut c = Where::new();
            c.and(
                "r.status = 'assigned' AND r.deadline < ?",
                [Param::Int(now)],
            );
            if let [only] = statuses[..] {
                c.and("r.status = ?", [Param::Text(only.as_str().into())]);
            }
            if let Some(cat) = query.category_id {
                c.and("r.category_id = ?", [Param::Int(cat)]);
            }
            count = Some(c);
        }
        w.and(
            "r.status = 'assigned' AND +r.deadline < ?",
            [Param::Int(now)],
        );
    }
    let mut listing = if let Some(s) = &searched {
        Listing {
            from: "report_terms t0 CROSS JOIN reports r",
            total: s.counting(&w),
            w,
            order: "t0.report_id DESC",
            before: None,
            per_values: true,
        }
    } else if bbox.is_none() && !overdue {
        Listing::new(w, "r.id DESC").tallied(statuses, query.category_id, None)
    } else {
        Listing::new(w, "r.id DESC")
    };
    if let Some(c) = count {
        listing.total = Counting::BoundedBy(c);
    }
    let key = if is_search { "t0.report_id" } else { "r.id" };
    listing.before = query.before_id.map(|id| (key, id));
    page(state, listing, paging, viewer).await
}

/// My own reports, any status, newest first.
pub async fn mine(
    state: &AppState,
    me: &CurrentUser,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    let mut w = Where::new();
    w.and("r.reporter_id = ?", [Param::Int(me.id)]);
    page(state, Listing::new(w, "r.id DESC"), paging, Some(me)).await
}

/// Moderator queues: `pending_review` (审核, oldest first), `rectified`
/// (督查: disputed first, then oldest) or `returned` (改派, oldest first).
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
    // 督查 and 改派: disputed first, then the longest waiting.
    let order = if matches!(status, ReportStatus::Rectified | ReportStatus::Returned) {
        "r.disputed DESC, r.updated_at, r.id"
    } else {
        "r.id"
    };
    let listing = Listing::new(w, order).tallied(vec![status], None, None);
    page(state, listing, paging, Some(actor)).await
}

/// A unit's task list: its `assigned` reports (or `?status=rectified`):
/// red, then yellow (督办), then the rest, each nearest deadline first, on
/// the index `reports_unit_tasks`.
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
    let listing =
        Listing::new(w, "r.urgency, r.deadline, r.id").tallied(vec![status], None, Some(unit));
    page(state, listing, paging, Some(actor)).await
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
        "r.category_id = ? AND r.status IN ('assigned', 'returned', 'rectified') AND r.created_at >= ? \
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
/// with the most followers. This minute's, computed once a minute.
pub async fn hot(state: &AppState) -> Result<std::sync::Arc<HotIssues>, AppError> {
    state.figures.hot.get(&state.clock, || hot_now(state)).await
}

async fn hot_now(state: &AppState) -> Result<HotIssues, AppError> {
    let since = state.clock.now_ms() - 7 * DAY_MS;
    // 我也看到 counts as a report of the place.
    let base = "SELECT CAST(COUNT(*) + COALESCE(SUM(seen_count), 0) AS BIGINT) AS reports, CAST(COALESCE(SUM(follower_count), 0) AS BIGINT) AS followers, \
                MAX(CASE WHEN status <> 'duplicate' THEN id END) AS latest FROM reports \
                WHERE created_at >= $1 AND status IN ('assigned', 'returned', 'rectified', 'closed', 'duplicate') \
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
    let areas = crate::backend::city::places::places(state).await?;
    Ok(HotIssues {
        most_reported: places(state, &areas, most_reported).await?,
        most_followed: places(state, &areas, most_followed).await?,
        by_area: by_area(state, &areas, since).await?,
    })
}

/// The week's segments and grids by reports: each public report of the
/// week counted in the place its position falls in (the same rule as
/// routing), ten at most. Computed once a minute with the other hot spots;
/// its cost grows with the week's reports, not with all of them.
async fn by_area(
    state: &AppState,
    areas: &crate::backend::city::places::Places,
    since: i64,
) -> Result<Vec<HotArea>, AppError> {
    let rows: Vec<(i64, f64, f64, i64, i64, String)> = sqlx::query_as(
        "SELECT id, lat, lon, seen_count, follower_count, status FROM reports \
         WHERE created_at >= $1 AND status IN ('assigned', 'returned', 'rectified', 'closed', 'duplicate')",
    )
    .bind(since)
    .fetch_all(&state.db.pool)
    .await?;
    let mut tally: HashMap<i64, HotArea> = HashMap::new();
    for (id, lat, lon, seen, followers, status) in rows {
        let Some(a) = areas.at(GeoPoint { lat, lon }) else {
            continue;
        };
        let t = tally.entry(a.id).or_insert_with(|| HotArea {
            area_id: a.id,
            name: a.name.clone(),
            kind: a.kind,
            unit_name: a.unit_name.clone(),
            reports: 0,
            followers: 0,
            report_id: 0,
        });
        t.reports += 1 + seen;
        t.followers += followers;
        if status != "duplicate" {
            t.report_id = t.report_id.max(id);
        }
    }
    let mut out: Vec<HotArea> = tally.into_values().filter(|a| a.report_id > 0).collect();
    out.sort_by(|a, b| {
        (b.reports, b.followers, b.report_id).cmp(&(a.reports, a.followers, a.report_id))
    });
    out.truncate(10);
    Ok(out)
}

async fn places(
    state: &AppState,
    areas: &crate::backend::city::places::Places,
    rows: Vec<HotRow>,
) -> Result<Vec<HotPlace>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let r = load(state, h.latest).await?;
        out.push(HotPlace {
            area_name: areas.name_at(GeoPoint {
                lat: r.lat,
                lon: r.lon,
            }),
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
