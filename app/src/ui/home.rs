use leptos::prelude::*;

use super::Loaded;
use crate::api::{get_overview, my_todo};
use crate::models::{CityOverview, ToDo};

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    let todo = Resource::new(|| (), |_| my_todo());
    let deleted = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("deleted")
        .is_some();
    view! {
        <leptos_meta::Title text="首页"/>
        {deleted.then(|| view! { <p class="card saved" role="status" data-test-id="account-deleted">"账号已注销。感谢您为城市文明出过力。"</p> })}
        <section class="hero">
            <h1>"人人都是啄木鸟"</h1>
            <p>"发现不文明行为，随手一拍；跟进每个问题直到整改销号。"</p>
        </section>
        // The one thing most people come for, first and largest.
        <a href="/report" class="btn primary big block first-step" data-test-id="home-report">"随手拍 · 举报不文明行为"</a>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                todo.await.ok().flatten().map(|t| view! { <ToDoStrip t/> })
            })}
        </Suspense>
        <nav class="quick" aria-label="快捷入口">
            <a href="/reports" class="quick-item" data-test-id="to-reports">"大家的报告"</a>
            <a href="/volunteer" class="quick-item">"志愿岗位"</a>
            <a href="/points" class="quick-item">"积分兑换"</a>
            // 长辈版 keeps the four things people do most; the rest stay a tap away.
            <a href="/campaigns" class="quick-item more" data-test-id="to-campaigns">"好人评选"</a>
            <a href="/honors" class="quick-item more" data-test-id="to-honors">"红榜"</a>
            <a href="/dashboard" class="quick-item more" data-test-id="to-dashboard">"数据看板"</a>
            <a href="/mailbox" class="quick-item more" data-test-id="to-mailbox">"创城信箱"</a>
            <a href="/volunteer/stars" class="quick-item more">"志愿之星"</a>
            <a href="/me" class="quick-item more-link">"更多服务（我的）"</a>
        </nav>
        <super::accounts::FontSwitch/>
        <Loaded data=overview render=|o| view! { <CityCard o/> }.into_any()/>
    }
}

#[component]
fn CityCard(o: CityOverview) -> impl IntoView {
    view! {
        <section class="card" data-test-id="city-overview">
            <h2>"创城网格"</h2>
            <ul class="figures">
                <li><strong>{o.units}</strong><span>"责任单位"</span></li>
                <li><strong>{o.segments}</strong><span>"包街路段"</span></li>
                <li><strong>{o.grids}</strong><span>"网格"</span></li>
                <li><strong>{o.citizens}</strong><span>"注册市民"</span></li>
            </ul>
        </section>
        <section class="card">
            <h2>"可以拍什么"</h2>
            {if o.categories.is_empty() {
                view! { <p class="muted">"还没有设置问题类别。"</p> }.into_any()
            } else {
                view! {
                    <ul class="categories" data-test-id="categories">
                        {o.categories.into_iter().map(|c| view! {
                            <li>
                                <a href=format!("/report?category_id={}", c.id) data-test-id=format!("category-{}", c.id)>
                                    <span class="cat-name">{c.name}</span>
                                    <span class="cat-meta">{format!("+{}分 · {}天内整改", c.points, c.sla_days)}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// For a signed-in person: what waits for them, each a link to where it is
/// done (nothing shows when nothing waits).
#[component]
fn ToDoStrip(t: ToDo) -> impl IntoView {
    if t.unread == 0 && t.reports.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card todo" aria-label="待办" data-test-id="todo">
            <ul class="plain">
                {t.reports.into_iter().map(|r| view! {
                    <li>
                        <a href=format!("/reports/{}#feedback", r.id) data-test-id=format!("todo-report-{}", r.id)>
                            {format!("#{} {}", r.id, r.category)}
                            <span class="todo-what">{if r.closed { "已销号，请评价" } else { "已整改，待您确认" }}</span>
                        </a>
                    </li>
                }).collect_view()}
                {(t.unread > 0).then(|| view! {
                    <li>
                        <a href="/me/messages" data-test-id="todo-messages">
                            "未读消息"<span class="badge-count" aria-label=format!("{} 条", t.unread)>{t.unread}</span>
                        </a>
                    </li>
                })}
            </ul>
        </section>
    }
    .into_any()
}
