use leptos::prelude::*;
use leptos_meta::Title;

use super::ErrorNote;
use crate::api::get_my_points;
use crate::domain::{Level, PointsReason};

#[component]
pub fn PointsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_my_points());
    view! {
        <Title text="啄木积分"/>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(None) => view! {
                        <section class="card empty" data-test-id="points-anonymous">
                            <h1>"啄木积分"</h1>
                            <p>"随手拍、志愿服务、推荐好人都能获得积分，积分可兑换礼品。"</p>
                            <a class="btn primary" href="/login?next=/points">"登录查看我的积分"</a>
                        </section>
                    }.into_any(),
                    Ok(Some((summary, ledger))) => {
                        let progress = summary.next_level_missing.map(|missing| {
                            let next = summary.lifetime + missing;
                            (summary.lifetime * 100 / next.max(1)).clamp(0, 100)
                        });
                        view! {
                            <section class="card balance" data-test-id="points-summary">
                                <p class="muted">"当前积分"</p>
                                <strong class="big" data-test-id="points-balance">{summary.balance}</strong>
                                <p>{summary.level_name.clone()} " · 累计 " {summary.lifetime} " 分"</p>
                                {summary.next_level_name.clone().zip(progress).map(|(name, pct)| view! {
                                    <div class="progress" role="progressbar" aria-valuenow=pct aria-valuemin=0 aria-valuemax=100>
                                        <span style=format!("width:{pct}%")></span>
                                    </div>
                                    <p class="muted">{format!("再得 {} 分升级为{}", summary.next_level_missing.unwrap_or(0), name)}</p>
                                })}
                            </section>
                            <section class="card">
                                <h2>"积分明细"</h2>
                                {if ledger.items.is_empty() {
                                    view! { <p class="muted" data-test-id="ledger-empty">"还没有积分记录。"</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="ledger" data-test-id="ledger">
                                            {ledger.items.into_iter().map(|e| view! {
                                                <li>
                                                    <span>{PointsReason::label(&e.reason)} {e.note.map(|n| format!("（{n}）"))}</span>
                                                    <span class={if e.delta > 0 { "plus" } else { "minus" }}>
                                                        {if e.delta > 0 { format!("+{}", e.delta) } else { e.delta.to_string() }}
                                                    </span>
                                                    <time>{e.at.get(..10).unwrap_or_default().to_owned()}</time>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        <section class="card">
            <h2>"等级"</h2>
            <table class="levels">
                <thead><tr><th>"等级"</th><th>"累计积分"</th></tr></thead>
                <tbody>
                    {Level::ALL.into_iter().map(|l| view! {
                        <tr><td>{l.name()}</td><td>{l.threshold()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
