//! Staff pages of the volunteer service. Moderators: a day's shifts, each
//! shift's attendance list (confirm or correct the credited minutes), and
//! lifting suspensions. Admins: duty posts (a tap on the map places a new
//! one), single shifts and bulk scheduling. Plain forms throughout; only
//! the map tap needs public/zhuomu.js (without it, type the position).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{PostPlace, PostsMap, Week, hhmm};
use crate::api::{
    AddPost, AddShift, CorrectMinutes, LiftVolunteerSuspension, ScheduleShifts, admin_post,
    admin_posts, manage_shifts, shift_attendance,
};
use crate::domain::report::short_time;
use crate::domain::volunteer::{self, duration_label, peak_periods_text};
use crate::models::AttendanceRow;
use crate::ui::{FormError, Loaded};

fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse().ok())
            .unwrap_or(0)
    })
}

/// Moderator: the shifts of a day across all posts, and suspensions.
#[component]
pub fn ShiftsDayPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("date"), q.get("page").and_then(|p| p.parse().ok()))
        },
        |(date, page)| manage_shifts(date, page),
    );
    let lifted = query.read_untracked().get("lifted").is_some();
    let error = crate::returned_error!(LiftVolunteerSuspension);
    view! {
        <Title text="志愿岗位出勤"/>
        <Loaded data=data render=move |d| {
                let error = error.clone();
                view! {
                    <section class="card" data-test-id="shifts-day">
                        <h1>"志愿岗位出勤"</h1>
                        <form method="get" action="/manage/shifts" class="search">
                            <label for="day" class="sr-only">"日期"</label>
                            <input id="day" type="date" name="date" value=d.date.clone() data-test-id="day"/>
                            <button type="submit" class="btn">"查看"</button>
                        </form>
                        <p class="muted small" data-test-id="day-total">{format!("共{}个班次", d.total)}</p>
                        {if d.shifts.is_empty() {
                            view! { <p class="muted">"这一天没有班次。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="shifts">
                                    {d.shifts.into_iter().map(|(s, name)| view! {
                                        <li data-test-id=format!("day-shift-{}", s.id)>
                                            <div>
                                                <strong>{format!("{}–{} {name}", hhmm(&s.starts_at), hhmm(&s.ends_at))}</strong>
                                                <p class="muted small">{format!("已报名{}/{}人 · 候补{}人", s.taken, s.capacity, s.waitlisted)}</p>
                                            </div>
                                            <a class="btn" href=format!("/manage/shifts/{}", s.id) data-test-id="attendance">"出勤"</a>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {(d.pages > 1).then(|| view! {
                            <p class="week-nav" data-test-id="day-pages">
                                {(d.page > 1).then(|| view! { <a href=format!("/manage/shifts?date={}&page={}", d.date, d.page - 1)>"← 上一页"</a> })}
                                <span class="muted">{format!("第{}/{}页", d.page, d.pages)}</span>
                                {(d.page < d.pages).then(|| view! { <a href=format!("/manage/shifts?date={}&page={}", d.date, d.page + 1)>"下一页 →"</a> })}
                            </p>
                        })}
                    </section>
                    <section class="card" data-test-id="suspended">
                        <h2>"暂停自主报名的志愿者"</h2>
                        <p class="muted small">"30天内两次报名后未到岗，自动暂停14天。核实情况后可以恢复。"</p>
                        <FormError error=error/>
                        {lifted.then(|| view! { <p class="saved" role="status">"已恢复报名。"</p> })}
                        {if d.suspended.is_empty() {
                            view! { <p class="muted">"没有被暂停的志愿者。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="shifts">
                                    {d.suspended.into_iter().map(|v| view! {
                                        <li data-test-id=format!("suspended-{}", v.user_id)>
                                            <div>
                                                <strong>{v.display_name}</strong>" "<span class="muted">{v.phone_masked}</span>
                                                <p class="muted small">{format!("暂停至 {}", short_time(&v.until))}</p>
                                            </div>
                                            <form method="post" action=LiftVolunteerSuspension::PATH class="inline">
                                                <input type="hidden" name="user_id" value=v.user_id/>
                                                <button type="submit" class="btn" data-test-id="lift">"恢复报名"</button>
                                            </form>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
        }/>
    }
}

/// Moderator: who is on a shift, when they checked in and out, and the
/// minutes credited; each can be confirmed or corrected.
#[component]
pub fn AttendancePage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(move || id.get(), shift_attendance);
    let saved = use_query_map()
        .read_untracked()
        .get("saved")
        .and_then(|s| s.parse::<i64>().ok());
    let error = crate::returned_error!(CorrectMinutes);
    view! {
        <Title text="班次出勤"/>
        <Loaded data=data render=move |a| {
                let error = error.clone();
                let date = a.shift.starts_at.get(..10).unwrap_or("").to_owned();
                let longest = shift_minutes(&a.shift.starts_at, &a.shift.ends_at);
                let shift_id = a.shift.id;
                view! {
                    <section class="card" data-test-id="attendance-head">
                        <p class="links"><a href=format!("/manage/shifts?date={date}")>"← 当天班次"</a></p>
                        <h1>{a.post.name.clone()}</h1>
                        <p class="muted">{format!("{}–{} · 已报名{}/{}人 · 候补{}人",
                            short_time(&a.shift.starts_at), hhmm(&a.shift.ends_at), a.shift.taken, a.shift.capacity, a.shift.waitlisted)}</p>
                        <FormError error=error/>
                    </section>
                    <section class="card">
                        {if a.signups.is_empty() {
                            view! { <p class="muted">"还没有人报名。"</p> }.into_any()
                        } else {
                            a.signups.into_iter().map(|r| {
                                let is_saved = saved == Some(r.signup_id);
                                view! { <AttendanceItem r shift_id longest saved=is_saved/> }
                            }).collect_view().into_any()
                        }}
                    </section>
                }.into_any()
        }/>
    }
}

/// Minutes between two RFC 3339 times of the same offset.
fn shift_minutes(starts: &str, ends: &str) -> i64 {
    let minutes = |t: &str| -> Option<i64> {
        let day: i64 = t.get(8..10)?.parse().ok()?;
        let h: i64 = t.get(11..13)?.parse().ok()?;
        let m: i64 = t.get(14..16)?.parse().ok()?;
        Some(day * 1440 + h * 60 + m)
    };
    match (minutes(starts), minutes(ends)) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => 12 * 60,
    }
}

#[component]
fn AttendanceItem(r: AttendanceRow, shift_id: i64, longest: i64, saved: bool) -> impl IntoView {
    let word = match (r.status.as_str(), r.position) {
        ("waitlisted", Some(p)) => format!("候补第{p}位"),
        (other, _) => volunteer::signup_label(other).to_owned(),
    };
    let times = format!(
        "签到 {} · 签退 {}",
        r.checked_in_at
            .as_deref()
            .map(hhmm)
            .unwrap_or_else(|| "—".into()),
        r.checked_out_at
            .as_deref()
            .map(hhmm)
            .unwrap_or_else(|| "—".into()),
    );
    let correctable = !matches!(r.status.as_str(), "cancelled" | "waitlisted");
    view! {
        <div class="attendance" data-test-id=format!("signup-{}", r.signup_id)>
            <p><strong>{r.display_name}</strong>" "<span class="muted">{r.phone_masked}</span>
                " · "<span data-test-id="signup-status">{word}</span></p>
            <p class="muted small">{times}
                {r.credited_minutes.map(|m| format!(" · 计入{} · {}积分", duration_label(m), r.points))}</p>
            {saved.then(|| view! { <p class="saved" role="status" data-test-id="saved">"已保存，积分已随之调整。"</p> })}
            {correctable.then(|| view! {
                <form method="post" action=CorrectMinutes::PATH class="inline-form">
                    <input type="hidden" name="shift_id" value=shift_id/>
                    <input type="hidden" name="signup_id" value=r.signup_id/>
                    <label>"计入分钟"
                        <input type="number" name="credited_minutes" min="0" max=longest inputmode="numeric" required=true
                            value=r.credited_minutes.unwrap_or(0) data-test-id="minutes"/>
                    </label>
                    <button type="submit" class="btn" data-test-id="confirm-minutes">"确认/更正"</button>
                </form>
            })}
        </div>
    }
}

/// Admin: the duty posts on the map; a tap places a new one.
#[component]
pub fn AdminPostsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_posts());
    let error = crate::returned_error!(AddPost);
    view! {
        <Title text="志愿岗位管理"/>
        <Loaded data=data render=move |d| {
                let error = error.clone();
                view! {
                    <section class="card" data-test-id="admin-posts">
                        <h1>"志愿岗位管理"</h1>
                        <p class="links"><a href="/manage/shifts">"今日出勤"</a></p>
                        <h2>"新建岗位"</h2>
                        <p class="field-hint">"在地图上点选岗位位置（也可以直接填写经纬度）。"</p>
                        <PostsMap map=d.map posts=d.posts.clone() near=None pick="post-form"/>
                        <form id="post-form" method="post" action=AddPost::PATH class="stack">
                            <FormError error=error/>
                            <label>"岗位名称"<input type="text" name="name" maxlength="50" required=true data-test-id="post-name"/></label>
                            <label>"说明"<input type="text" name="description" maxlength="500" data-test-id="post-description"/></label>
                            <div class="row">
                                <label>"纬度"<input type="text" name="lat" inputmode="decimal" required=true data-test-id="post-lat"/></label>
                                <label>"经度"<input type="text" name="lon" inputmode="decimal" required=true data-test-id="post-lon"/></label>
                            </div>
                            <label>"签到范围（米）"<input type="number" name="radius_m" min="20" max="2000" value="150" inputmode="numeric" data-test-id="post-radius"/></label>
                            <button type="submit" class="btn primary" data-test-id="create-post">"创建岗位"</button>
                        </form>
                    </section>
                    <section class="card">
                        <h2>{format!("全部岗位（{}）", d.posts.len())}</h2>
                        <ul class="post-list">
                            {d.posts.into_iter().map(|p| view! {
                                <li><a href=format!("/admin/posts/{}", p.id) data-test-id=format!("admin-post-{}", p.id)>
                                    <strong>{p.name}</strong>
                                    <span class="muted small">{format!("签到范围{}米", p.radius_m.round())}</span>
                                </a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
        }/>
    }
}

/// Admin: one post's week, a single shift, and bulk scheduling.
#[component]
pub fn AdminPostPage() -> impl IntoView {
    let id = id_param();
    let query = use_query_map();
    let data = Resource::new(
        move || (id.get(), query.read().get("from")),
        |(id, from)| admin_post(id, from),
    );
    let created = query
        .read_untracked()
        .get("created")
        .and_then(|c| c.parse::<i64>().ok());
    let error = crate::returned_error!(AddShift, ScheduleShifts);
    view! {
        <Loaded data=data render=move |w| {
                let error = error.clone();
                let post_id = w.post.id;
                let from = w.from.clone();
                view! {
                    <Title text=w.post.name.clone()/>
                    <section class="card" data-test-id="admin-post">
                        <p class="links"><a href="/admin/posts">"← 全部岗位"</a>" · "<a href=format!("/volunteer/posts/{post_id}")>"市民看到的页面"</a></p>
                        <h1>{w.post.name.clone()}</h1>
                        <PostPlace map=w.map.clone() post=w.post.clone()/>
                        <FormError error=error/>
                        {created.map(|n| view! {
                            <p class="saved" role="status" data-test-id="created">
                                {if n == 0 { "这些班次都已存在，没有重复创建。".to_owned() } else { format!("已新增{n}个班次。") }}
                            </p>
                        })}
                    </section>
                    <section class="card">
                        <h2>"添加单个班次"</h2>
                        <form method="post" action=AddShift::PATH class="stack">
                            <input type="hidden" name="post_id" value=post_id/>
                            <label>"日期"<input type="date" name="date" required=true value=from.clone() data-test-id="shift-date"/></label>
                            <div class="row">
                                <label>"开始"<input type="time" name="start" required=true value="07:00" data-test-id="shift-start"/></label>
                                <label>"结束"<input type="time" name="end" required=true value="09:00" data-test-id="shift-end"/></label>
                            </div>
                            <label>"名额"<input type="number" name="capacity" min="1" max="500" value="4" required=true inputmode="numeric" data-test-id="shift-capacity"/></label>
                            <button type="submit" class="btn primary" data-test-id="add-shift">"添加班次"</button>
                        </form>
                    </section>
                    <section class="card">
                        <h2>"批量排班"</h2>
                        <p class="field-hint">"日期范围内每天按下列时段各排一个班次；重复提交不会重复创建。"</p>
                        <form method="post" action=ScheduleShifts::PATH class="stack">
                            <input type="hidden" name="post_id" value=post_id/>
                            <div class="row">
                                <label>"从"<input type="date" name="from_date" required=true value=from.clone() data-test-id="bulk-from"/></label>
                                <label>"到"<input type="date" name="to_date" required=true value=from.clone() data-test-id="bulk-to"/></label>
                            </div>
                            <label>"每天的时段"<input type="text" name="periods" required=true value=peak_periods_text() data-test-id="bulk-periods"/></label>
                            <label>"每个班次名额"<input type="number" name="capacity" min="1" max="500" value="4" required=true inputmode="numeric" data-test-id="bulk-capacity"/></label>
                            <button type="submit" class="btn primary" data-test-id="bulk-schedule">"批量排班"</button>
                        </form>
                    </section>
                    <Week w=w.clone() base=format!("/admin/posts/{post_id}") staff=true/>
                }.into_any()
        }/>
    }
}
