//! The 志愿 pages: the tab (my hours, my shifts with check-in, the duty
//! posts on a map and as a list, nearest first once the phone says where it
//! is), a post's week of shifts with sign-up, and 志愿服务之星. Plain forms
//! (they work without JavaScript); check-in and "nearest first" need the
//! phone's location, so public/zhuomu.js enhances those two forms.

pub mod staff;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

use super::map::{AreaLayer, MapProps, PlaceMap};
use super::{FormError, Loaded};
use crate::api::{
    CityMap, NewCalendarLink, PostNear, ShiftCancel, ShiftSignup, WeekOfPost, post_week,
    stars_page, volunteer_data,
};
use crate::domain::GeoPoint;
use crate::domain::map::fixed;
use crate::domain::report::short_time;
use crate::domain::volunteer::{self, distance_label, duration_label, hours_label};
use crate::models::{MyShift, Post, Shift, VolunteerHours, VolunteerStar};

pub fn hhmm(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or("").to_owned()
}

/// The page's own address, to come back to after a form.
fn here() -> String {
    let l = use_location();
    let path = l.pathname.get_untracked();
    // Not the error a refused form came back with (`__err`, `__path`…).
    let search = l
        .search
        .get_untracked()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("__"))
        .collect::<Vec<_>>()
        .join("&");
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}

#[component]
pub fn VolunteerPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("near"), volunteer_data);
    let error = crate::returned_error!(ShiftSignup, ShiftCancel, NewCalendarLink);
    // Only a key's shape is shown back; the feed checks the key itself.
    let calendar = query
        .read_untracked()
        .get("calendar")
        .filter(|k| k.len() == 40 && k.bytes().all(|b| b.is_ascii_hexdigit()));
    view! {
        <Title text="志愿服务"/>
        <section class="card">
            <h1>"志愿岗位"</h1>
            <p class="muted">"文明交通劝导等岗位，每天早、午、晚高峰和夜间四个时段。开始前15分钟起至结束，可在岗位现场签到；开始前2小时内不能取消报名。"</p>
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |d| {
                let calendar = calendar.clone();
                let posts: Vec<Post> = d.posts.iter().map(|p| p.post.clone()).collect();
                view! {
                    {d.hours.map(|h| view! { <Hours h/> })}
                    {d.signed_in.then(|| view! { <MyShifts mine=d.mine.clone() posts=posts.clone() today=d.today.clone() soon=d.soon.clone() cancel_by=d.cancel_by.clone()/> })}
                    {d.signed_in.then(|| view! { <CalendarLink key=calendar origin=d.origin.clone()/> })}
                    {(!d.signed_in).then(|| view! {
                        <section class="card empty" data-test-id="signed-out">
                            <p>"登录后即可报名志愿岗位。"</p>
                            <a class="btn primary" href="/login?next=/volunteer">"登录"</a>
                        </section>
                    })}
                    <section class="card" data-test-id="posts">
                        <h2>"志愿岗位"</h2>
                        <PostsMap map=d.map posts=posts near=d.near/>
                        <form method="get" action="/volunteer" class="near" data-near="" data-test-id="near-form">
                            <input type="hidden" name="near" value=d.near.map(|n| format!("{},{}", fixed(n.lat, 5), fixed(n.lon, 5)))/>
                            <button type="submit" class="btn" data-test-id="near">
                                {if d.near.is_some() { "重新定位" } else { "按离我最近排序" }}
                            </button>
                            <p class="form-error" role="alert" data-test-id="near-message"></p>
                        </form>
                        <PostList posts=d.posts/>
                    </section>
                    <section class="card" data-test-id="stars">
                        <h2>{format!("{} 志愿服务之星", d.stars.month)}</h2>
                        <StarList stars=d.stars.stars.into_iter().take(3).collect()/>
                        <p><a href="/volunteer/stars" data-test-id="stars-link">"查看完整榜单 →"</a></p>
                    </section>
                }.into_any()
        }/>
    }
}

#[component]
fn Hours(h: VolunteerHours) -> impl IntoView {
    view! {
        <section class="card" data-test-id="hours">
            <h2>"我的志愿时长"</h2>
            <div class="stats three">
                <p class="stat"><strong data-test-id="hours-month">{hours_label(h.month_minutes)}</strong><span>"本月"</span></p>
                <p class="stat"><strong data-test-id="hours-total">{hours_label(h.total_minutes)}</strong><span>"累计"</span></p>
                <p class="stat"><strong data-test-id="hours-points">{h.points}</strong><span>"志愿积分"</span></p>
            </div>
            <p class="muted small">{format!("已完成{}个班次 · 每小时计10积分，按签到签退时间折算。", h.shifts)}</p>
            {h.suspended_until.map(|u| view! {
                <p class="form-error" role="alert" data-test-id="suspended">
                    {format!("30天内两次报名后未到岗，自主报名暂停至 {}。如有特殊情况请联系创城办。", short_time(&u))}
                </p>
            })}
        </section>
    }
}

/// My shifts in the phone's calendar: a private link, made on request.
#[component]
fn CalendarLink(key: Option<String>, origin: String) -> impl IntoView {
    view! {
        <section class="card" id="calendar" data-test-id="calendar">
            <h2>"加入手机日历"</h2>
            {match key {
                Some(k) => {
                    let url = format!("{origin}/calendar.ics?key={k}");
                    let webcal = url
                        .replacen("https://", "webcal://", 1)
                        .replacen("http://", "webcal://", 1);
                    view! {
                    <p>"点“订阅到日历”，或在手机日历里添加下面的订阅链接，报名的班次会自动出现在日历里："</p>
                    <p><a class="btn primary" href=webcal data-test-id="calendar-subscribe">"订阅到日历"</a></p>
                    <p class="calendar-link"><a href=url.clone() data-test-id="calendar-url">{url.clone()}</a></p>
                    <p class="muted small">"这个链接只属于您，请不要分享。重新生成后，旧链接就会失效。"</p>
                }.into_any()
                }
                None => view! {
                    <p class="muted small">"生成一个私人订阅链接，报名的班次会出现在手机日历中。"</p>
                }.into_any(),
            }}
            <form method="post" action=NewCalendarLink::PATH class="inline">
                <button type="submit" class="btn small" data-test-id="new-calendar">"生成订阅链接"</button>
            </form>
        </section>
    }
}

#[component]
fn MyShifts(
    mine: Vec<MyShift>,
    posts: Vec<Post>,
    today: String,
    soon: String,
    cancel_by: String,
) -> impl IntoView {
    let name = move |id: i64| {
        posts
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    view! {
        <section class="card" data-test-id="my-shifts">
            <h2>"我的班次"</h2>
            {if mine.is_empty() {
                view! { <p class="muted">"还没有报名的班次。在下面选一个岗位报名吧。"</p> }.into_any()
            } else {
                mine.into_iter().map(|s| {
                    let id = s.shift_id;
                    let on_the_day = s.starts_at.starts_with(&today) || s.starts_at <= soon;
                    let word = match (s.status.as_str(), s.position) {
                        ("waitlisted", Some(p)) => format!("候补第{p}位"),
                        (other, _) => volunteer::signup_label(other).to_owned(),
                    };
                    let leave = match s.status.as_str() {
                        "confirmed" if s.starts_at > cancel_by => Some("取消报名"),
                        "waitlisted" => Some("退出候补"),
                        _ => None,
                    };
                    let too_late = s.status == "confirmed" && s.starts_at <= cancel_by;
                    view! {
                        <div class="my-shift" data-test-id=format!("my-shift-{id}")>
                            <p><a href=format!("/volunteer/posts/{}", s.post_id)><strong>{name(s.post_id)}</strong></a></p>
                            <p class="muted">{format!("{}–{} · ", short_time(&s.starts_at), hhmm(&s.ends_at))}<span data-test-id="my-status">{word}</span></p>
                            {(s.status == "confirmed" && !on_the_day).then(|| view! {
                                <p class="muted small" data-test-id="checkin-later">"当天开始前15分钟起至结束，可以在这里到岗签到。"</p>
                            })}
                            {(s.status == "confirmed" && on_the_day).then(|| view! {
                                <form class="geo-form" data-geo-post=format!("/api/v1/shifts/{id}/checkin") data-verb="签到" data-test-id="checkin-form">
                                    <noscript><p class="form-error">"签到需要使用手机定位，请在浏览器中开启 JavaScript。"</p></noscript>
                                    <button type="submit" class="btn primary block big" data-test-id="checkin">"到岗签到"</button>
                                    <p class="form-error" role="alert" data-test-id="checkin-message"></p>
                                </form>
                            })}
                            {(s.status == "checked_in").then(|| view! {
                                <form class="geo-form" data-geo-post=format!("/api/v1/shifts/{id}/checkout") data-verb="签退" data-test-id="checkout-form">
                                    <noscript><p class="form-error">"签退需要使用手机定位，请在浏览器中开启 JavaScript。"</p></noscript>
                                    <button type="submit" class="btn primary block big" data-test-id="checkout">"签退"</button>
                                    <p class="form-error" role="alert" data-test-id="checkout-message"></p>
                                </form>
                            })}
                            {too_late.then(|| view! { <p class="muted small">"开始前2小时内不能取消报名；确实无法到岗，请联系创城办。"</p> })}
                            {leave.map(|label| view! {
                                <form method="post" action=ShiftCancel::PATH class="inline">
                                    <input type="hidden" name="shift_id" value=id/>
                                    <input type="hidden" name="back" value="/volunteer"/>
                                    <button type="submit" class="btn small" data-test-id="leave">{label}</button>
                                </form>
                            })}
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// The duty posts on the city map, each a link to its week; with `pick`,
/// a tap places the new post instead (public/zhuomu.js fills the form named
/// by `pick`).
#[component]
pub fn PostsMap(
    map: CityMap,
    posts: Vec<Post>,
    near: Option<GeoPoint>,
    #[prop(optional)] pick: Option<&'static str>,
) -> impl IntoView {
    let mut positions: Vec<[f64; 2]> = posts.iter().map(|p| [p.lon, p.lat]).collect();
    positions.extend(near.map(|n| [n.lon, n.lat]));
    let props = MapProps::new(&map, &positions, 360.0);
    let view = props.view;
    let pins = posts
        .into_iter()
        .map(|p| {
            let (x, y) = view.xy(p.lon, p.lat);
            let fence = view.metres(p.radius_m).max(3.0);
            let label = p.name.clone();
            let pin = view! {
                <circle class="fence" cx=x cy=y r=fence/>
                <circle class="pin post" cx=x cy=y r="7"><title>{label.clone()}</title></circle>
            };
            if pick.is_some() {
                pin.into_any()
            } else {
                view! { <a href=format!("/volunteer/posts/{}", p.id) aria-label=label>{pin}</a> }
                    .into_any()
            }
        })
        .collect_view();
    let me = near.map(|n| {
        let (x, y) = view.xy(n.lon, n.lat);
        view! { <circle class="pin me" cx=x cy=y r="6" data-test-id="me-pin"><title>"我的位置"</title></circle> }
    });
    view! {
        <figure class="map" data-test-id="posts-map">
            <svg viewBox=view.view_box() role="group" aria-label="志愿岗位地图"
                data-pick=pick data-view=pick.map(|_| view.data())>
                <rect class="map-bg" width=view.width height=view.height/>
                <AreaLayer layer=props.layer/>
                {pins}
                {me}
                {pick.map(|_| view! { <circle class="pin pick" cx="-20" cy="-20" r="8" data-test-id="pick-pin"/> })}
            </svg>
            <figcaption class="map-legend">
                <span class="dot post"></span>"志愿岗位（圆圈为签到范围）"
                {near.map(|_| view! { <span class="dot me"></span>"我的位置" })}
            </figcaption>
        </figure>
    }
}

#[component]
fn PostList(posts: Vec<PostNear>) -> impl IntoView {
    if posts.is_empty() {
        return view! { <p class="muted">"还没有志愿岗位。"</p> }.into_any();
    }
    view! {
        <ul class="post-list">
            {posts.into_iter().map(|p| {
                let id = p.post.id;
                view! {
                    <li data-test-id=format!("post-{id}")>
                        <a href=format!("/volunteer/posts/{id}")>
                            <strong>{p.post.name}</strong>
                            <span class="muted small">
                                {p.distance_m.map(|d| view! { <span data-test-id="distance">{distance_label(d)}</span>" · " })}
                                {if p.shifts == 0 {
                                    "未来7天暂无班次".to_owned()
                                } else {
                                    format!("未来7天{}个班次 · 剩余{}个名额", p.shifts, p.places)
                                }}
                            </span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A post: where it is, and its shifts day by day for a week.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params
                    .read()
                    .get("id")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0),
                query.read().get("from"),
            )
        },
        |(id, from)| post_week(id, from),
    );
    let error = crate::returned_error!(ShiftSignup, ShiftCancel);
    view! {
        <Loaded data=data render=move |w| {
                let error = error.clone();
                let base = format!("/volunteer/posts/{}", w.post.id);
                view! {
                    <Title text=w.post.name.clone()/>
                    <section class="card" data-test-id="post">
                        <p class="links"><a href="/volunteer">"← 志愿岗位"</a></p>
                        <h1>{w.post.name.clone()}</h1>
                        {(!w.post.description.is_empty()).then(|| view! { <p>{w.post.description.clone()}</p> })}
                        <p class="muted small">{format!("到岗后在岗位{}米范围内签到。", w.post.radius_m.round())}</p>
                        <PostPlace map=w.map.clone() post=w.post.clone()/>
                        <FormError error=error/>
                    </section>
                    {(!w.signed_in).then(|| view! {
                        <section class="card empty" data-test-id="signed-out">
                            <p>"登录后即可报名这个岗位的班次。"</p>
                            <a class="btn primary" href=format!("/login?next=/volunteer/posts/{}", w.post.id)>"登录后报名"</a>
                        </section>
                    })}
                    <Week w=w.clone() base=base staff=false/>
                }.into_any()
        }/>
    }
}

/// A post's close-up with its check-in fence.
#[component]
pub fn PostPlace(map: CityMap, post: Post) -> impl IntoView {
    let at = GeoPoint {
        lat: post.lat,
        lon: post.lon,
    };
    view! { <PlaceMap map at fence_m=post.radius_m label="岗位位置与签到范围" test_id="post-map"/> }
}

/// Seven days of a post's shifts. Citizens sign up and cancel here; staff
/// (`staff`) open each shift's attendance list instead.
#[component]
pub fn Week(w: WeekOfPost, base: String, staff: bool) -> impl IntoView {
    let back = here();
    let now = w.now.clone();
    let cancel_by = w.cancel_by.clone();
    view! {
        <section class="card" data-test-id="week">
            <h2>"一周班次"</h2>
            <p class="week-nav">
                {w.prev.map(|p| view! { <a href=format!("{base}?from={p}") data-test-id="prev-week">"← 上一周"</a> })}
                <span class="muted">{format!("{} 起7天", w.from)}</span>
                <a href=format!("{base}?from={}", w.next) data-test-id="next-week">"下一周 →"</a>
            </p>
            {w.days.into_iter().map(|d| {
                let back = back.clone();
                let now = now.clone();
                let cancel_by = cancel_by.clone();
                view! {
                    <div class="day">
                        <h3>{d.label}</h3>
                        {if d.shifts.is_empty() {
                            view! { <p class="muted small">"无班次"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="shifts">
                                    {d.shifts.into_iter().map(|s| {
                                        let phase = if s.ends_at <= now {
                                            Phase::Ended
                                        } else if s.starts_at <= now {
                                            Phase::Started
                                        } else if s.starts_at <= cancel_by {
                                            Phase::Soon
                                        } else {
                                            Phase::Open
                                        };
                                        view! { <ShiftRow s signed_in=w.signed_in phase back=back.clone() staff/> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

/// Where a shift stands for sign-up and cancellation.
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Open,
    /// Within 2 h of the start: sign-up yes, cancelling no.
    Soon,
    Started,
    Ended,
}

#[component]
fn ShiftRow(s: Shift, signed_in: bool, phase: Phase, back: String, staff: bool) -> impl IntoView {
    let started = matches!(phase, Phase::Started | Phase::Ended);
    let left = (s.capacity - s.taken).max(0);
    let mut places = if left > 0 {
        format!("剩余{left}个名额")
    } else {
        "已满".to_owned()
    };
    if s.waitlisted > 0 || left == 0 {
        places.push_str(&format!(" · 候补{}人", s.waitlisted));
    }
    if staff {
        places = format!("{}/{}人 · {places}", s.taken, s.capacity);
    }
    let action = match s.my_status.as_deref() {
        _ if staff || started => None,
        Some("confirmed") if phase == Phase::Soon => None,
        Some("confirmed") => Some((ShiftCancel::PATH, "取消", "cancel")),
        Some("waitlisted") => Some((ShiftCancel::PATH, "退出候补", "cancel")),
        Some(_) => None,
        None if signed_in => Some((
            ShiftSignup::PATH,
            if left > 0 { "报名" } else { "候补" },
            "signup",
        )),
        None => None,
    };
    let id = s.id;
    view! {
        <li data-test-id=format!("shift-{id}")>
            <div>
                <strong>{format!("{}–{}", hhmm(&s.starts_at), hhmm(&s.ends_at))}</strong>
                <p class="muted small" data-test-id="places">
                    {places}
                    {match phase {
                        Phase::Ended => " · 已结束",
                        Phase::Started => " · 已开始",
                        Phase::Soon if s.my_status.as_deref() == Some("confirmed") => " · 开始前2小时内不能取消",
                        _ => "",
                    }}
                    {s.my_status.as_deref().map(|m| format!(" · 我：{}", volunteer::signup_label(m)))}
                </p>
            </div>
            {action.map(|(path, label, test)| view! {
                <form method="post" action=path class="inline">
                    <input type="hidden" name="shift_id" value=id/>
                    <input type="hidden" name="back" value=back.clone()/>
                    <button type="submit" class="btn" data-test-id=test>{label}</button>
                </form>
            })}
            {staff.then(|| view! { <a class="btn" href=format!("/manage/shifts/{id}") data-test-id="attendance">"出勤"</a> })}
        </li>
    }
}

#[component]
fn StarList(stars: Vec<VolunteerStar>) -> impl IntoView {
    if stars.is_empty() {
        return view! { <p class="muted">"这个月还没有计入的志愿时长。"</p> }.into_any();
    }
    view! {
        <ol class="stars">
            {stars.into_iter().map(|s| view! {
                <li data-test-id="star">
                    <span class="rank">{s.rank}</span>
                    <span class="name">{s.display_name}</span>
                    <span class="muted">{duration_label(s.minutes)}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// 志愿服务之星: the month's ten volunteers with the most credited time.
#[component]
pub fn StarsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("month"), stars_page);
    view! {
        <Title text="志愿服务之星"/>
        <Loaded data=data render=move |p| {
                view! {
                    <section class="card" data-test-id="stars-page">
                        <p class="links"><a href="/volunteer">"← 志愿岗位"</a></p>
                        <h1>{format!("{} 志愿服务之星", p.stars.month)}</h1>
                        <p class="muted">"按当月班次的签到签退时间计入的志愿时长排名，前十名。"</p>
                        <p class="week-nav">
                            <a href=format!("/volunteer/stars?month={}", p.prev) data-test-id="prev-month">"← 上个月"</a>
                            {p.next.map(|n| view! { <a href=format!("/volunteer/stars?month={n}") data-test-id="next-month">"下个月 →"</a> })}
                        </p>
                        <StarList stars=p.stars.stars/>
                    </section>
                }.into_any()
        }/>
    }
}
