//! The 志愿 tab: my shifts with check-in, the week's shifts by post with
//! places left, sign-up and cancel, and the month's 志愿服务之星. Plain forms
//! (they work without JavaScript); check-in needs the phone's location, so
//! its form is enhanced by public/zhuomu.js.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::{ErrorNote, FormError};
use crate::api::{ShiftCancel, ShiftSignup, volunteer_data};
use crate::domain::report::short_time;
use crate::domain::volunteer;
use crate::models::{MyShift, Post, Shift};

fn hhmm(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or("").to_owned()
}

#[component]
pub fn VolunteerPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| volunteer_data());
    let error = crate::returned_error!(ShiftSignup, ShiftCancel);
    view! {
        <Title text="志愿服务"/>
        <section class="card">
            <h1>"志愿岗位"</h1>
            <p class="muted">"文明交通劝导等岗位，每天早晚高峰四个时段。报名后请在开始前15分钟内到岗签到；开始前2小时内不能取消。"</p>
            <FormError error=error/>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorNote error=e/> }.into_any(),
                };
                view! {
                    {d.signed_in.then(|| view! { <MyShifts mine=d.mine.clone() posts=d.posts.clone()/> })}
                    {(!d.signed_in).then(|| view! {
                        <section class="card empty" data-test-id="signed-out">
                            <p>"登录后即可报名志愿岗位。"</p>
                            <a class="btn primary" href="/login?next=/volunteer">"登录"</a>
                        </section>
                    })}
                    <Week posts=d.posts shifts=d.shifts signed_in=d.signed_in/>
                    <section class="card" data-test-id="stars">
                        <h2>{format!("{} 志愿服务之星", d.stars.month)}</h2>
                        {if d.stars.stars.is_empty() {
                            view! { <p class="muted">"本月还没有计入的志愿时长。"</p> }.into_any()
                        } else {
                            view! {
                                <ol class="hot">
                                    {d.stars.stars.into_iter().map(|s| view! {
                                        <li>{s.display_name}<span class="muted">{format!(" {}小时{}分钟", s.minutes / 60, s.minutes % 60)}</span></li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn MyShifts(mine: Vec<MyShift>, posts: Vec<Post>) -> impl IntoView {
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
                view! { <p class="muted">"还没有报名的班次。"</p> }.into_any()
            } else {
                mine.into_iter().map(|s| {
                    let id = s.shift_id;
                    let word = match (s.status.as_str(), s.position) {
                        ("waitlisted", Some(p)) => format!("候补第{p}位"),
                        (other, _) => volunteer::signup_label(other).to_owned(),
                    };
                    view! {
                        <div class="my-shift" data-test-id=format!("my-shift-{id}")>
                            <p><strong>{name(s.post_id)}</strong></p>
                            <p class="muted">{format!("{}–{} · ", short_time(&s.starts_at), hhmm(&s.ends_at))}<span data-test-id="my-status">{word}</span></p>
                            {(s.status == "confirmed").then(|| view! {
                                <form class="geo-form" data-geo-post=format!("/api/v1/shifts/{id}/checkin") data-test-id="checkin-form">
                                    <button type="submit" class="btn primary block big" data-test-id="checkin">"到岗签到"</button>
                                    <p class="form-error" role="alert" data-test-id="checkin-message"></p>
                                </form>
                            })}
                            {(s.status == "checked_in").then(|| view! {
                                <form class="geo-form" data-geo-post=format!("/api/v1/shifts/{id}/checkout") data-test-id="checkout-form">
                                    <button type="submit" class="btn primary block big" data-test-id="checkout">"签退"</button>
                                    <p class="form-error" role="alert" data-test-id="checkout-message"></p>
                                </form>
                            })}
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Week(posts: Vec<Post>, shifts: Vec<Shift>, signed_in: bool) -> impl IntoView {
    view! {
        <section class="card" data-test-id="week">
            <h2>"未来7天的班次"</h2>
            {if shifts.is_empty() {
                view! { <p class="muted">"未来7天还没有排班。"</p> }.into_any()
            } else {
                posts.into_iter().filter_map(|p| {
                    let own: Vec<Shift> = shifts.iter().filter(|s| s.post_id == p.id).cloned().collect();
                    (!own.is_empty()).then(|| view! {
                        <div class="post" data-test-id=format!("post-{}", p.id)>
                            <h3>{p.name.clone()}</h3>
                            {(!p.description.is_empty()).then(|| view! { <p class="muted small">{p.description.clone()}</p> })}
                            <ul class="shifts">
                                {own.into_iter().map(|s| view! { <ShiftRow s signed_in/> }).collect_view()}
                            </ul>
                        </div>
                    })
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn ShiftRow(s: Shift, signed_in: bool) -> impl IntoView {
    let left = (s.capacity - s.taken).max(0);
    let places = if left > 0 {
        format!("剩余{left}个名额")
    } else {
        format!("已满 · 候补{}人", s.waitlisted)
    };
    let action = match s.my_status.as_deref() {
        Some("confirmed") | Some("waitlisted") => Some((ShiftCancel::PATH, "取消", "cancel")),
        Some(_) => None,
        None if signed_in => Some((
            ShiftSignup::PATH,
            if left > 0 { "报名" } else { "候补" },
            "signup",
        )),
        None => None,
    };
    view! {
        <li data-test-id=format!("shift-{}", s.id)>
            <div>
                <strong>{format!("{} {}–{}", s.starts_at.get(5..10).unwrap_or(""), hhmm(&s.starts_at), hhmm(&s.ends_at))}</strong>
                <p class="muted small">{places}{s.my_status.as_deref().map(|m| format!(" · 我：{}", volunteer::signup_label(m)))}</p>
            </div>
            {action.map(|(path, label, id)| view! {
                <form method="post" action=path class="inline">
                    <input type="hidden" name="shift_id" value=s.id/>
                    <button type="submit" class="btn" data-test-id=id>{label}</button>
                </form>
            })}
        </li>
    }
}
