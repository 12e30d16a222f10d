//! 志愿: posts, shifts, sign-ups, stars, and the staff consoles for shifts,
//! attendance and posts.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

use super::CityMap;
#[cfg(feature = "ssr")]
use super::{city::city_map, ssr};

/// A duty post on the 志愿 tab: how far it is (when the phone said where it
/// is) and what the next seven days offer there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostNear {
    pub post: crate::models::Post,
    pub distance_m: Option<f64>,
    /// Shifts in the next seven days, and places left on them.
    pub shifts: i64,
    pub places: i64,
}

/// What the 志愿 tab shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VolunteerTab {
    pub signed_in: bool,
    pub hours: Option<crate::models::VolunteerHours>,
    /// My sign-ups that are not over yet.
    pub mine: Vec<crate::models::MyShift>,
    /// Nearest first when `near` is known, else by name.
    pub posts: Vec<PostNear>,
    pub near: Option<crate::domain::GeoPoint>,
    pub map: CityMap,
    pub stars: crate::models::VolunteerStars,
    /// `YYYY-MM-DD` in the city: check-in is offered on the shift's day,
    /// and for a shift starting before `soon` (an hour from now, RFC 3339
    /// with the shifts' offset: after midnight, say).
    pub today: String,
    pub soon: String,
    /// Cancelling is open for shifts starting after this (RFC 3339).
    pub cancel_by: String,
    /// The site's origin, for the calendar subscription link.
    pub origin: String,
}

/// `lat,lon` from the page's address; anything else is ignored.
pub fn parse_near(s: &str) -> Option<crate::domain::GeoPoint> {
    let (lat, lon) = s.split_once(',')?;
    let p = crate::domain::GeoPoint {
        lat: lat.trim().parse().ok()?,
        lon: lon.trim().parse().ok()?,
    };
    ((-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)).then_some(p)
}

#[server(prefix = "/api/fn", endpoint = "volunteer")]
pub async fn volunteer_data(near: Option<String>) -> Result<VolunteerTab, AppError> {
    use crate::backend::volunteer;
    use crate::domain::Paging;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let now = state.clock.now_ms();
            let near = near.as_deref().and_then(parse_near);
            let (mine, hours) = match &me {
                Some(u) => (
                    volunteer::my_shifts(
                        &state,
                        u,
                        Paging {
                            page: 1,
                            per_page: 50,
                        },
                        true,
                    )
                    .await?
                    .items,
                    Some(volunteer::my_hours(&state, u).await?),
                ),
                None => (vec![], None),
            };
            let summaries =
                volunteer::post_summaries(&state, now, now + 7 * crate::domain::time::DAY_MS)
                    .await?;
            let mut posts: Vec<PostNear> = volunteer::list_posts(&state)
                .await?
                .into_iter()
                .map(|post| {
                    let (_, shifts, places) = summaries
                        .iter()
                        .find(|(id, ..)| *id == post.id)
                        .copied()
                        .unwrap_or_default();
                    PostNear {
                        distance_m: near.map(|n| {
                            n.distance_m(crate::domain::GeoPoint {
                                lat: post.lat,
                                lon: post.lon,
                            })
                        }),
                        post,
                        shifts,
                        places,
                    }
                })
                .collect();
            if near.is_some() {
                posts.sort_by(|a, b| {
                    a.distance_m
                        .unwrap_or(0.0)
                        .total_cmp(&b.distance_m.unwrap_or(0.0))
                });
            }
            Ok(VolunteerTab {
                signed_in: me.is_some(),
                hours,
                mine,
                posts,
                near,
                map: city_map(&state).await?,
                stars: crate::backend::boards::stars(&state, None).await?,
                today: state.clock.today()?.format("%Y-%m-%d").to_string(),
                soon: state.clock.rfc3339(now + crate::domain::time::HOUR_MS),
                cancel_by: state
                    .clock
                    .rfc3339(now + crate::domain::volunteer::CANCEL_BEFORE_MS),
                origin: crate::backend::auth::site_origin(&state.config, &ssr::parts()?.headers)
                    .unwrap_or_default(),
            })
        }
        .await,
    )
}

/// One day of a post's week.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShiftDay {
    /// `11月26日 周四`
    pub label: String,
    pub shifts: Vec<crate::models::Shift>,
}

/// A post with its shifts, a week from `from` (a `YYYY-MM-DD` in the city).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WeekOfPost {
    pub post: crate::models::Post,
    pub signed_in: bool,
    pub from: String,
    /// The week before, unless it would be in the past.
    pub prev: Option<String>,
    pub next: String,
    pub days: Vec<ShiftDay>,
    pub map: CityMap,
    /// The server's time (RFC 3339, the city's offset like the shifts'), so
    /// the page offers no sign-up for a shift that has started.
    pub now: String,
    /// Cancelling is open for shifts starting after this.
    pub cancel_by: String,
}

#[cfg(feature = "ssr")]
async fn week_of(
    state: &crate::backend::AppState,
    me: Option<&crate::backend::auth::CurrentUser>,
    post: crate::models::Post,
    from: Option<&str>,
) -> Result<WeekOfPost, AppError> {
    use crate::backend::volunteer;
    use chrono::Datelike;
    let today = state.clock.today()?;
    let first = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => crate::backend::clock::parse_date("from", s)?,
        None => today,
    };
    let (start, end) = (
        state.clock.start_of(first)?,
        state.clock.start_of(first + chrono::Days::new(7))?,
    );
    let shifts = volunteer::list_shifts(
        state,
        volunteer::ShiftQuery {
            post_id: Some(post.id),
            from: Some(state.clock.rfc3339(start)),
            to: Some(state.clock.rfc3339(end)),
        },
        crate::domain::Paging {
            page: 1,
            per_page: 100,
        },
        me,
    )
    .await?
    .items;
    const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let days = first
        .iter_days()
        .take(7)
        .map(|d| {
            let key = d.format("%Y-%m-%d").to_string();
            ShiftDay {
                label: format!(
                    "{}月{}日 {}",
                    d.month(),
                    d.day(),
                    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
                ),
                shifts: shifts
                    .iter()
                    .filter(|s| s.starts_at.starts_with(&key))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let prev = first - chrono::Days::new(7);
    Ok(WeekOfPost {
        post,
        signed_in: me.is_some(),
        from: first.format("%Y-%m-%d").to_string(),
        prev: (first > today).then(|| prev.max(today).format("%Y-%m-%d").to_string()),
        next: (first + chrono::Days::new(7))
            .format("%Y-%m-%d")
            .to_string(),
        days,
        map: city_map(state).await?,
        now: state.clock.rfc3339(state.clock.now_ms()),
        cancel_by: state
            .clock
            .rfc3339(state.clock.now_ms() + crate::domain::volunteer::CANCEL_BEFORE_MS),
    })
}

/// A post's page: its place and a week of shifts.
#[server(prefix = "/api/fn", endpoint = "post_week")]
pub async fn post_week(id: i64, from: Option<String>) -> Result<WeekOfPost, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::current_user().await?;
            let post = crate::backend::volunteer::get_post(&state, id).await?;
            week_of(&state, me.as_ref(), post, from.as_deref()).await
        }
        .await,
    )
}

/// Only the volunteer pages are places to come back to after a form.
#[cfg(feature = "ssr")]
fn back_to(back: Option<String>) -> String {
    back.filter(|b| {
        crate::domain::local_path(b).is_some()
            && (b == "/volunteer" || b.starts_with("/volunteer/") || b.starts_with("/volunteer?"))
            && !b.contains("//")
    })
    .unwrap_or_else(|| "/volunteer".into())
}

/// Sign up (or join the waitlist) from the 志愿 pages.
#[server(prefix = "/api/fn", endpoint = "shift_signup")]
pub async fn shift_signup(shift_id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::signup(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect(&back_to(back));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "shift_cancel")]
pub async fn shift_cancel(shift_id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::cancel(&ssr::state()?, &me, shift_id).await?;
            leptos_axum::redirect(&back_to(back));
            Ok(())
        }
        .await,
    )
}

/// A new private calendar link for my shifts (the old one stops working);
/// the page shows it once.
#[server(prefix = "/api/fn", endpoint = "calendar_link")]
pub async fn new_calendar_link() -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let path = crate::backend::volunteer::new_calendar_link(&ssr::state()?, &me).await?;
            let key = path.rsplit('=').next().unwrap_or_default();
            leptos_axum::redirect(&format!("/volunteer?calendar={key}#calendar"));
            Ok(())
        }
        .await,
    )
}

/// The 志愿服务之星 page: a month and its neighbours.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StarsMonth {
    pub stars: crate::models::VolunteerStars,
    pub prev: String,
    /// Not past the current month.
    pub next: Option<String>,
}

#[server(prefix = "/api/fn", endpoint = "stars")]
pub async fn stars_page(month: Option<String>) -> Result<StarsMonth, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let stars = crate::backend::boards::stars(&state, month.as_deref()).await?;
            let (prev, next) = ssr::month_neighbours(&state, &stars.month)?;
            Ok(StarsMonth { prev, next, stars })
        }
        .await,
    )
}

/// The moderator's day: every shift of a date with its places, and the
/// volunteers whose self sign-up is suspended.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShiftsOfDay {
    pub date: String,
    pub shifts: Vec<(crate::models::Shift, String)>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub suspended: Vec<crate::models::SuspendedVolunteer>,
}

#[server(prefix = "/api/fn", endpoint = "manage_shifts")]
pub async fn manage_shifts(
    date: Option<String>,
    page: Option<i64>,
) -> Result<ShiftsOfDay, AppError> {
    use crate::backend::volunteer;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            let suspended = volunteer::suspended(&state, &me).await?;
            let day = match date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => crate::backend::clock::parse_date("date", s)?,
                None => state.clock.today()?,
            };
            let (start, end) = (
                state.clock.start_of(day)?,
                state.clock.start_of(day + chrono::Days::new(1))?,
            );
            let shifts = volunteer::list_shifts(
                &state,
                volunteer::ShiftQuery {
                    post_id: None,
                    from: Some(state.clock.rfc3339(start)),
                    to: Some(state.clock.rfc3339(end)),
                },
                crate::domain::Paging {
                    page: page.unwrap_or(1).max(1),
                    per_page: 100,
                },
                None,
            )
            .await?;
            let (total, page, pages) = (shifts.total, shifts.page, (shifts.total + 99) / 100);
            let shifts = shifts.items;
            let posts = volunteer::list_posts(&state).await?;
            let name = |id: i64| {
                posts
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default()
            };
            Ok(ShiftsOfDay {
                total,
                page,
                pages,
                date: day.format("%Y-%m-%d").to_string(),
                shifts: shifts
                    .into_iter()
                    .map(|s| {
                        let n = name(s.post_id);
                        (s, n)
                    })
                    .collect(),
                suspended,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "shift_attendance")]
pub async fn shift_attendance(id: i64) -> Result<crate::models::ShiftAttendance, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::attendance_list(&ssr::state()?, &me, id).await
        }
        .await,
    )
}

/// Confirm or correct a sign-up's minutes from the attendance list.
#[server(prefix = "/api/fn", endpoint = "correct_minutes")]
pub async fn correct_minutes(
    shift_id: i64,
    signup_id: i64,
    credited_minutes: String,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, AttendanceInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let credited_minutes = ssr::required_number(
                "credited_minutes",
                &credited_minutes,
                "请填写数字",
                "请填写分钟数",
            )?;
            volunteer::correct_attendance(
                &ssr::state()?,
                &me,
                signup_id,
                AttendanceInput { credited_minutes },
            )
            .await?;
            leptos_axum::redirect(&format!("/manage/shifts/{shift_id}?saved={signup_id}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "lift_suspension")]
pub async fn lift_volunteer_suspension(user_id: i64) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::volunteer::lift_suspension(&ssr::state()?, &me, user_id).await?;
            leptos_axum::redirect("/manage/shifts?lifted=1");
            Ok(())
        }
        .await,
    )
}

/// Admin: the duty posts on the city map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostsOnMap {
    pub posts: Vec<crate::models::Post>,
    pub map: CityMap,
}

#[server(prefix = "/api/fn", endpoint = "admin_posts")]
pub async fn admin_posts() -> Result<PostsOnMap, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            ssr::require_user().await?.require_admin()?;
            Ok(PostsOnMap {
                posts: crate::backend::volunteer::list_posts(&state).await?,
                map: city_map(&state).await?,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "add_post")]
pub async fn add_post(
    name: String,
    lat: String,
    lon: String,
    radius_m: String,
    description: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, PostInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let place = |v: &str, field: &str| {
                ssr::required_number::<f64>(field, v, "请填写数字", "请在地图上点选岗位位置")
            };
            let input = PostInput {
                name,
                lat: place(&lat, "lat")?,
                lon: place(&lon, "lon")?,
                radius_m: ssr::form_number("radius_m", Some(&radius_m), "请填写数字")?,
                description,
            };
            let post = volunteer::create_post(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/posts/{}", post.id));
            Ok(())
        }
        .await,
    )
}

/// Admin: a post's page with its week and the scheduling forms.
#[server(prefix = "/api/fn", endpoint = "admin_post")]
pub async fn admin_post(id: i64, from: Option<String>) -> Result<WeekOfPost, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let post = crate::backend::volunteer::get_post(&state, id).await?;
            week_of(&state, None, post, from.as_deref()).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn schedule_and_return(
    post_id: i64,
    from_date: String,
    to_date: String,
    periods: Result<Vec<(String, String)>, String>,
    capacity: String,
) -> Result<(), AppError> {
    use crate::backend::volunteer::{self, PeriodInput, ScheduleInput};
    let me = ssr::require_user().await?;
    me.require_admin()?;
    let periods = periods.map_err(|e| AppError::field("periods", e))?;
    let capacity = ssr::required_number("capacity", &capacity, "请填写数字", "请填写名额")?;
    let done = volunteer::schedule(
        &ssr::state()?,
        crate::backend::auth::Actor::Person(&me),
        post_id,
        ScheduleInput {
            from_date: from_date.clone(),
            to_date,
            periods: periods
                .into_iter()
                .map(|(start, end)| PeriodInput { start, end })
                .collect(),
            capacity,
        },
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/admin/posts/{post_id}?from={}&created={}",
        from_date.trim(),
        done.created
    ));
    Ok(())
}

/// Admin: one shift on one day (again: nothing new if it exists).
#[server(prefix = "/api/fn", endpoint = "add_shift")]
pub async fn add_shift(
    post_id: i64,
    date: String,
    start: String,
    end: String,
    capacity: String,
) -> Result<(), AppError> {
    ssr::finish(
        schedule_and_return(
            post_id,
            date.clone(),
            date,
            Ok(vec![(start, end)]),
            capacity,
        )
        .await,
    )
}

/// Admin: shifts for a date range × daily periods (`07:00-09:00 17:00-19:00`).
/// Idempotent: what exists is not created again.
#[server(prefix = "/api/fn", endpoint = "schedule")]
pub async fn schedule_shifts(
    post_id: i64,
    from_date: String,
    to_date: String,
    periods: String,
    capacity: String,
) -> Result<(), AppError> {
    let periods = crate::domain::volunteer::periods_text(&periods);
    ssr::finish(schedule_and_return(post_id, from_date, to_date, periods, capacity).await)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn forms_return_only_to_volunteer_pages() {
        let back = |b: &str| back_to(Some(b.to_owned()));
        assert_eq!(
            back("/volunteer/posts/3?from=2026-12-01"),
            "/volunteer/posts/3?from=2026-12-01"
        );
        assert_eq!(
            back("/volunteer?near=39.77,98.29"),
            "/volunteer?near=39.77,98.29"
        );
        assert_eq!(back("https://evil.example/volunteer"), "/volunteer");
        assert_eq!(back("//evil.example"), "/volunteer");
        assert_eq!(back("/volunteer//evil.example"), "/volunteer");
        assert_eq!(back("/volunteers-fake"), "/volunteer");
        assert_eq!(back("/volunteer?\n"), "/volunteer", "no header injection");
        assert_eq!(back("/volunteer?a=\u{7f}"), "/volunteer");
        assert_eq!(back_to(None), "/volunteer");
    }

    #[test]
    fn near_from_the_address() {
        let p = parse_near("39.77351,98.28702").unwrap();
        assert!((p.lat - 39.77351).abs() < 1e-9 && (p.lon - 98.28702).abs() < 1e-9);
        assert!(parse_near("").is_none());
        assert!(parse_near("95,98").is_none());
        assert!(parse_near("abc,def").is_none());
    }
}
