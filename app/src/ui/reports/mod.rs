//! 随手拍 pages: the report form, the public list with map, search and hot
//! spots, one report with its timeline, my reports and my messages. Server
//! components; the form is an island.

pub mod form;
pub mod manage;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::map::{MapProps, PlaceMap, ReportsMap};
use super::{FormError, Loaded};
use crate::api::{
    FollowReport, ReadAll, ReportFeedback, ReturnReport, SeenReport, UrgeReport, browse_reports,
    get_report, inbox, my_reports, report_form_data,
};
use crate::domain::report::{action_label, place_text, role_label, short_time};
use crate::domain::supervision::{clock_text, stars_text};
use crate::domain::{AreaKind, Escalation, GeoPoint, ReportStatus};
use crate::error::AppError;
use crate::models::{HotArea, HotPlace, Report};
use form::ReportForm;

/// The status of a report as a coloured word, with the deadline clock
/// ("还剩 1 天 3 小时", "已超期 2 天") and the 督办 colour while a unit has it.
#[component]
pub fn StatusPill(report: Report) -> impl IntoView {
    let clock = report.deadline_left_ms.map(|left| {
        let text = clock_text(left);
        if left < 0 {
            view! { <span class="pill late" data-test-id="overdue">{text}</span> }.into_any()
        } else {
            view! { <span class="pill clock" data-test-id="clock">{text}</span> }.into_any()
        }
    });
    let escalation = report
        .escalation
        .filter(|_| report.status.is_open())
        .map(|e| {
            let class = match e {
                Escalation::Yellow => "pill yellow",
                Escalation::Red => "pill red",
            };
            view! { <span class=class data-test-id="escalation">{e.label()}</span> }
        });
    view! {
        <span class=format!("pill {}", report.status.css_class()) data-test-id="status">{report.status_label.clone()}</span>
        {escalation}
        {clock}
        {report.disputed.then(|| view! { <span class="pill late">"举报人有异议"</span> })}
    }
}

/// Where a report is, in words (`domain::report::place_text`).
pub fn place(r: &Report) -> Option<String> {
    place_text(r.area_name.as_deref(), &r.address)
}

/// A report in a list.
#[component]
pub fn ReportCard(report: Report) -> impl IntoView {
    let thumb = report.photos.first().map(|p| p.thumb_url.clone());
    let href = format!("/reports/{}", report.id);
    view! {
        <li class="report-card" data-test-id=format!("report-{}", report.id)>
            <a href=href class="report-link">
                {thumb.map(|src| view! { <img class="thumb" src=src alt="" loading="lazy" width="72" height="72"/> })}
                <div class="report-text">
                    <p class="report-head">
                        <strong>{report.category_name.clone()}</strong>
                        " "
                        <StatusPill report=report.clone()/>
                    </p>
                    <p class="report-desc">{report.description.clone()}</p>
                    <p class="muted small">
                        {format!("#{} · {}", report.id, short_time(&report.created_at))}
                        {place(&report).map(|p| format!(" · {p}"))}
                    </p>
                </div>
            </a>
        </li>
    }
}

fn signed_out_card(next: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <section class="card empty" data-test-id="signed-out">
            <p>{what}</p>
            <a class="btn primary" href=format!("/login?next={next}") data-test-id="go-login">"登录"</a>
            " "
            <a class="btn" href="/register">"注册"</a>
        </section>
    }
}

/// 随手拍: the report form.
#[component]
pub fn ReportPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| report_form_data());
    // `?category_id=` from the home page's "可以拍什么" rows.
    let chosen = use_query_map()
        .get_untracked()
        .get("category_id")
        .and_then(|s| s.parse::<i64>().ok());
    view! {
        <Title text="随手拍"/>
        <section class="card">
            <h1>"随手拍"</h1>
            <p class="muted">"拍下不文明行为，选好类别和位置。审核通过后交给责任单位整改，您可以一直跟进到销号。"</p>
            <p class="links"><a href="/me/reports" data-test-id="to-my-reports">"我的报告"</a>" · "<a href="/reports">"大家的报告"</a></p>
            <p class="saved" role="status" data-outbox-note="" data-test-id="outbox-note"></p>
        </section>
        <Loaded data=data render=move |v| match v {
                    d if !d.signed_in => signed_out_card("/report", "登录后就可以随手拍了。").into_any(),
                    d => {
                        let chosen = chosen.filter(|id| d.categories.iter().any(|c| c.id == *id));
                        let categories = d.categories.into_iter().map(|c| (c.id, c.name)).collect();
                        let places = super::map::place_options(&d.map);
                        let map = MapProps::new(&d.map, &[], 360.0);
                        view! {
                            <section class="card">
                                <noscript><p class="form-error">"随手拍需要定位和上传照片，请开启浏览器的 JavaScript。"</p></noscript>
                                <ReportForm categories map chosen places/>
                            </section>
                        }.into_any()
                    }
        }/>
    }
}

/// The public list: search, filters, the map with its heat layer, hot spots.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|s| !s.is_empty());
    let status = move || query.read().get("status").filter(|s| !s.is_empty());
    let category = move || {
        query
            .read()
            .get("category_id")
            .and_then(|s| s.parse::<i64>().ok())
    };
    let page = move || query.read().get("page").and_then(|s| s.parse::<i64>().ok());
    let before = move || {
        query
            .read()
            .get("before_id")
            .and_then(|s| s.parse::<i64>().ok())
    };
    let data = Resource::new(
        move || (q(), status(), category(), page(), before()),
        |(q, status, category, page, before)| browse_reports(q, status, category, page, before),
    );
    view! {
        <Title text="大家的报告"/>
        <Loaded data=data render=move |d| {
                let chosen_status = status().unwrap_or_default();
                let chosen_category = category();
                let total = if d.page.total_is_estimate {
                    format!("{}多", d.page.total)
                } else {
                    d.page.total.to_string()
                };
                let reports = d.page.items.clone();
                // "More": the next reports by key (as deep as one likes, as
                // fast as the first page), with the same filters.
                let more = (reports.len() as i64 == d.page.per_page)
                    .then(|| reports.last().map(|r| r.id))
                    .flatten()
                    .map(|last| {
                        let mut href = String::from("/reports?");
                        for (k, v) in [
                            ("q", q()),
                            ("status", status()),
                            ("category_id", category().map(|c| c.to_string())),
                        ] {
                            if let Some(v) = v {
                                href.push_str(k);
                                href.push('=');
                                href.extend(form_urlencoded::byte_serialize(v.as_bytes()));
                                href.push('&');
                            }
                        }
                        format!("{href}before_id={last}")
                    });
                view! {
                    <section class="card">
                        <h1>"大家的报告"</h1>
                        <form method="get" action="/reports" class="search" role="search" data-test-id="search-form">
                            <label for="q" class="sr-only">"搜索"</label>
                            <input id="q" name="q" type="search" placeholder="搜索，如：垃圾、停车" value=q().unwrap_or_default()
                                data-test-id="search-q"/>
                            <button type="submit" class="btn">"搜索"</button>
                            <div class="filters">
                                <select name="category_id" aria-label="类别">
                                    <option value="">"全部类别"</option>
                                    {d.categories.iter().map(|c| view! {
                                        <option value=c.id selected=chosen_category == Some(c.id)>{c.name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                <select name="status" aria-label="状态">
                                    <option value="">"全部状态"</option>
                                    {[ReportStatus::Assigned, ReportStatus::Rectified, ReportStatus::Closed].into_iter().map(|s| view! {
                                        <option value=s.as_str() selected=chosen_status == s.as_str()>{s.label()}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                        </form>
                    </section>
                    <section class="card">
                        <h2>"问题分布"</h2>
                        <ReportsMap map=d.map reports=reports.clone() heat=true/>
                    </section>
                    <HotCard places=d.hot.most_reported title="本周被报告最多的地方" test_id="hot-reported"/>
                    <HotCard places=d.hot.most_followed title="本周最受关注" test_id="hot-followed"/>
                    <HotAreas areas=d.hot.by_area/>
                    <section class="card">
                        <h2>{format!("共 {total} 条")}</h2>
                        {if reports.is_empty() {
                            let filtered = q().is_some() || status().is_some() || category().is_some();
                            view! {
                                <div class="empty" data-test-id="no-reports">
                                    {if filtered {
                                        view! {
                                            <p>"没有找到符合条件的报告。"</p>
                                            <p><a href="/reports" data-test-id="clear-filters">"清除搜索和筛选"</a>"，或换个词再试。"</p>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>"还没有公开的报告。"</p>
                                            <p><a class="btn primary" href="/report">"随手拍，报告第一个问题"</a></p>
                                        }.into_any()
                                    }}
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <ul class="report-list" data-test-id="report-list">
                                    {reports.into_iter().map(|r| view! { <ReportCard report=r/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {more.map(|href| view! {
                            <p class="pager"><a class="btn" href=href rel="next" data-test-id="more-reports">"更多报告"</a></p>
                        })}
                    </section>
                }.into_any()
        }/>
    }
}

/// The week's segments and grids by reports.
#[component]
fn HotAreas(areas: Vec<HotArea>) -> impl IntoView {
    (!areas.is_empty()).then(|| {
        view! {
            <section class="card" data-test-id="hot-areas">
                <h2>"本周问题最多的路段和网格"</h2>
                <ol class="hot">
                    {areas.into_iter().map(|a| view! {
                        <li>
                            <a href=format!("/reports/{}", a.report_id)>{a.name}</a>
                            <span class="muted">{format!(" {} · {}条报告 · {}", match a.kind { AreaKind::Segment => "路段", AreaKind::Grid => "网格" }, a.reports, a.unit_name)}</span>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}

#[component]
fn HotCard(places: Vec<HotPlace>, title: &'static str, test_id: &'static str) -> impl IntoView {
    (!places.is_empty()).then(|| {
        view! {
            <section class="card" data-test-id=test_id>
                <h2>{title}</h2>
                <ol class="hot">
                    {places.into_iter().map(|p| view! {
                        <li>
                            <a href=format!("/reports/{}", p.report_id)>
                                {place_text(p.area_name.as_deref(), &p.address).unwrap_or_else(|| p.category_name.clone())}
                            </a>
                            <span class="muted">{format!(" {}条报告 · {}人关注", p.reports, p.followers)}</span>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}

/// One report: photos, place, timeline; follow; the reporter's feedback.
#[component]
pub fn ReportDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_report(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let fresh = use_query_map().read_untracked().get("new").is_some();
    let seen_now = use_query_map().read_untracked().get("seen").is_some();
    let follow_error = crate::returned_error!(FollowReport, SeenReport);
    let feedback_error = crate::returned_error!(ReportFeedback);
    let staff_error = crate::returned_error!(UrgeReport, ReturnReport);
    view! {
        <Loaded data=data render=move |d| {
                let (r, map) = (d.report, d.map);
                let follow_error = follow_error.clone();
                let feedback_error = feedback_error.clone();
                let staff_error = staff_error.clone();
                let can_seen = r.status.is_open() && r.mine == Some(false) && r.seen == Some(false);
                let can_urge = d.can_urge && matches!(r.status, ReportStatus::Assigned | ReportStatus::Rectified);
                let can_return = d.own_unit && r.status == ReportStatus::Assigned;
                let before: Vec<_> = r.photos.iter().filter(|p| p.kind == "before").cloned().collect();
                let after: Vec<_> = r.photos.iter().filter(|p| p.kind == "after").cloned().collect();
                let at = GeoPoint { lat: r.lat, lon: r.lon };
                let can_follow = r.status.is_public() && r.following.is_some() && r.mine != Some(true);
                let can_feedback = r.mine == Some(true)
                    && matches!(r.status, ReportStatus::Rectified | ReportStatus::Closed);
                view! {
                    <Title text=format!("#{} {}", r.id, r.category_name)/>
                    {fresh.then(|| view! {
                        <p class="card saved" role="status" data-test-id="submitted">"报告已提交，审核通过后会交给责任单位整改。"</p>
                    })}
                    <section class="card" data-test-id="report-detail">
                        <p class="report-head"><StatusPill report=r.clone()/></p>
                        <h1>{format!("{} #{}", r.category_name, r.id)}</h1>
                        <p class="report-desc">{r.description.clone()}</p>
                        <dl class="facts">
                            {place(&r).map(|p| view! { <dt>"地点"</dt><dd data-test-id="place">{p}</dd> })}
                            <dt>"上报"</dt><dd>{format!("{} · {}", short_time(&r.created_at), r.reporter_name.clone().unwrap_or_else(|| "匿名".into()))}</dd>
                            {r.unit_name.clone().map(|u| view! { <dt>"责任单位"</dt><dd data-test-id="unit">{u}</dd> })}
                            {r.deadline.clone().map(|d| view! { <dt>"整改期限"</dt><dd>{short_time(&d)}</dd> })}
                            <dt>"关注"</dt><dd data-test-id="followers">{format!("{}人", r.follower_count)}</dd>
                            {(r.seen_count > 0).then(|| view! { <dt>"我也看到"</dt><dd data-test-id="seen-count">{format!("{}人", r.seen_count)}</dd> })}
                            {(r.urge_count > 0).then(|| view! { <dt>"督办"</dt><dd data-test-id="urge-count">{format!("{}次", r.urge_count)}</dd> })}
                            {r.rating.map(|s| view! { <dt>"满意度"</dt><dd data-test-id="rating" aria-label=format!("{s}星")>{stars_text(s)}</dd> })}
                            {r.duplicate_of.map(|o| view! { <dt>"原报告"</dt><dd><a href=format!("/reports/{o}")>{format!("#{o}")}</a></dd> })}
                        </dl>
                        {can_follow.then(|| {
                            let on = r.following != Some(true);
                            view! {
                                <form method="post" action=FollowReport::PATH class="inline">
                                    <input type="hidden" name="id" value=r.id/>
                                    <input type="hidden" name="on" value=on.to_string()/>
                                    <button type="submit" class=if on { "btn primary" } else { "btn" } data-test-id="follow">
                                        {if on { "关注进展" } else { "取消关注" }}
                                    </button>
                                </form>
                            }
                        })}
                        {(r.status == ReportStatus::Returned).then(|| view! {
                            <p class="muted" data-test-id="rerouting">"原责任单位说明不属其职责，创城办正在重新交办。"</p>
                        })}
                        {seen_now.then(|| view! { <p class="saved" role="status" data-test-id="seen-done">"谢谢！已记下您也看到了，您会收到处理进展。"</p> })}
                        {can_seen.then(|| view! {
                            <form method="post" action=SeenReport::PATH class="inline">
                                <input type="hidden" name="id" value=r.id/>
                                <button type="submit" class="btn" data-test-id="seen">"我也看到"</button>
                            </form>
                        })}
                        {(r.status.is_open() && r.seen.is_none()).then(|| view! {
                            <a class="btn" href=format!("/login?next=/reports/{}", r.id) data-test-id="seen-login">"我也看到（登录）"</a>
                        })}
                        <FormError error=follow_error/>
                    </section>
                    {(can_urge || can_return).then(|| view! {
                        <section class="card" data-test-id="staff-actions">
                            {can_urge.then(|| view! {
                                <form method="post" action=UrgeReport::PATH class="stack">
                                    <input type="hidden" name="id" value=r.id/>
                                    <label>"督办要求"
                                        <input type="text" name="note" minlength="2" maxlength="200" required=true data-test-id="urge-note"/>
                                    </label>
                                    <button type="submit" class="btn primary" data-test-id="urge">"督办"</button>
                                </form>
                            })}
                            {can_return.then(|| view! {
                                <form method="post" action=ReturnReport::PATH class="stack">
                                    <input type="hidden" name="id" value=r.id/>
                                    <label>"退回原因（不属本单位职责）"
                                        <input type="text" name="reason" minlength="2" maxlength="200" required=true data-test-id="return-reason"/>
                                    </label>
                                    <button type="submit" class="btn" data-test-id="return">"退回"</button>
                                </form>
                            })}
                            <FormError error=staff_error/>
                        </section>
                    })}
                    <Photos title="上报照片" photos=before test_id="photos-before"/>
                    <Photos title="整改后照片" photos=after test_id="photos-after"/>
                    {can_feedback.then(|| view! {
                        <section class="card" id="feedback" data-test-id="feedback">
                            <h2>"问题解决了吗？"</h2>
                            <p class="muted">"请看看整改后的照片。销号后14天内都可以反馈。"</p>
                            <form method="post" action=ReportFeedback::PATH class="feedback">
                                <input type="hidden" name="id" value=r.id/>
                                <fieldset class="stars" data-test-id="rating-input">
                                    <legend>"满意度（选填）"</legend>
                                    {(1..=5).rev().map(|s| view! {
                                        <label>
                                            <input type="radio" name="rating" value=s.to_string() data-test-id=format!("stars-{s}")/>
                                            {format!("{s}星")}
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <label for="fb-note" class="sr-only">"补充说明"</label>
                                <input id="fb-note" name="note" type="text" maxlength="500" placeholder="补充说明（选填）"/>
                                <button type="submit" name="verdict" value="fixed" class="btn primary" data-test-id="confirm-fixed">"已解决"</button>
                                " "
                                <button type="submit" name="verdict" value="not_fixed" class="btn" data-test-id="not-fixed">"没有解决"</button>
                            </form>
                            {r.reporter_verdict.clone().map(|v| view! {
                                <p class="muted" data-test-id="verdict">{if v == "fixed" { "您已确认问题解决。" } else { "您反馈了问题没有解决，创城办会再次督查。" }}</p>
                            })}
                            <FormError error=feedback_error/>
                        </section>
                    })}
                    <section class="card">
                        <h2>"位置"</h2>
                        <PlaceMap map at/>
                    </section>
                    <section class="card">
                        <h2>"处理进展"</h2>
                        <ol class="timeline" data-test-id="timeline">
                            {r.timeline.iter().map(|e| view! {
                                <li>
                                    <p><strong>{action_label(&e.action)}</strong></p>
                                    <p class="muted small">{format!("{} · {}", short_time(&e.at), role_label(&e.actor_role))}</p>
                                    {(!e.note.is_empty()).then(|| view! { <p>{e.note.clone()}</p> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    </section>
                }.into_any()
        }/>
    }
}

#[component]
pub fn Photos(
    title: &'static str,
    photos: Vec<crate::models::ReportPhoto>,
    test_id: &'static str,
) -> impl IntoView {
    (!photos.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2>{title}</h2>
                <ul class="gallery" data-test-id=test_id>
                    {photos.into_iter().map(|p| view! {
                        <li><a href=p.url.clone()><img src=p.thumb_url alt=title loading="lazy" width=p.width height=p.height/></a></li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// 我的报告.
#[component]
pub fn MyReportsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_reports());
    view! {
        <Title text="我的报告"/>
        <Loaded data=data render=move |v| match v {
                    None => signed_out_card("/me/reports", "登录后查看您的报告。").into_any(),
                    Some(page) if page.items.is_empty() => view! {
                        <section class="card empty" data-test-id="no-reports">
                            <h1>"我的报告"</h1>
                            <p>"您还没有上报过问题。"</p>
                            <a class="btn primary" href="/report">"去随手拍"</a>
                        </section>
                    }.into_any(),
                    Some(page) => view! {
                        <section class="card">
                            <h1>{format!("我的报告（{}）", page.total)}</h1>
                            <ul class="report-list" data-test-id="my-reports">
                                {page.items.into_iter().map(|r| view! { <ReportCard report=r/> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
        }/>
    }
}

/// 我的 → 消息.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| inbox());
    view! {
        <Title text="消息"/>
        <Loaded data=data render=move |v| match v {
                    None => signed_out_card("/me/messages", "登录后查看消息。").into_any(),
                    Some((unread, page)) => view! {
                        <section class="card">
                            <h1>"消息"</h1>
                            {(unread > 0).then(|| view! {
                                <form method="post" action=ReadAll::PATH class="inline">
                                    <button type="submit" class="btn" data-test-id="read-all">{format!("{unread}条未读 · 全部标为已读")}</button>
                                </form>
                            })}
                            {if page.items.is_empty() {
                                view! { <p class="muted" data-test-id="no-messages">"还没有消息。您报告的问题有了进展，会在这里告诉您。"</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="messages" data-test-id="messages">
                                        {page.items.into_iter().map(|n| view! {
                                            <li class=if n.read { "read" } else { "unread" }>
                                                {match n.report_id {
                                                    Some(id) => view! { <a href=format!("/reports/{id}")><strong>{n.title.clone()}</strong></a> }.into_any(),
                                                    None => view! { <strong>{n.title.clone()}</strong> }.into_any(),
                                                }}
                                                <p>{n.body.clone()}</p>
                                                <p class="muted small">{short_time(&n.created_at)}</p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
        }/>
    }
}
