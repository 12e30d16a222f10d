//! City operations: 创城信箱 (citizens' suggestions, the office's answers)
//! and the admin's audit log viewer. Plain server-rendered forms.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{FormError, Loaded, Pager};
use crate::api::{AnswerSuggestion, SendSuggestion, audit_page, mailbox, suggestion_inbox};
use crate::domain::report::short_time;
use crate::models::Suggestion;

fn page_param() -> Option<i64> {
    use_query_map()
        .read_untracked()
        .get("page")
        .and_then(|p| p.parse().ok())
}

fn answered(s: &Suggestion) -> impl IntoView + use<> {
    s.answer.clone().map(|a| {
        view! {
            <div class="answer">
                <strong>"答复"</strong>
                {s.answered_at.as_deref().map(|t| view! { <span class="muted small">{format!(" {}", short_time(t))}</span> })}
                <p>{a}</p>
            </div>
        }
    })
}

/// 创城信箱: send a suggestion, read the answered public ones, see mine.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new(move || page, mailbox);
    let sent = use_query_map().read_untracked().get("sent").is_some();
    let error = crate::returned_error!(SendSuggestion);
    view! {
        <Title text="创城信箱"/>
        <Loaded data=data render=move |m| {
                let error = error.clone();
                view! {
                    <section class="card">
                        <h1>"创城信箱"</h1>
                        <p class="muted">"对文明城市创建有什么意见和建议？写给市文明办，我们会逐条答复。"</p>
                        {sent.then(|| view! { <p class="saved" role="status" data-test-id="sent">"已收到你的建议，答复后会通知你。"</p> })}
                        <FormError error=error/>
                        {match &m.mine {
                            Some(_) => view! {
                                <form method="post" action=SendSuggestion::PATH class="stack" data-test-id="suggestion-form">
                                    <label>"标题"<input name="title" required minlength="2" maxlength="60" data-test-id="suggestion-title"/></label>
                                    <label>"内容"<textarea name="body" rows="5" required minlength="10" maxlength="2000" data-test-id="suggestion-body"></textarea></label>
                                    <button type="submit" class="btn primary" data-test-id="suggestion-submit">"提交建议"</button>
                                </form>
                            }.into_any(),
                            None => view! { <p><a class="btn primary" href="/login?next=/mailbox">"登录后写建议"</a></p> }.into_any(),
                        }}
                    </section>
                    {m.mine.filter(|p| !p.items.is_empty()).map(|mine| view! {
                        <section class="card" data-test-id="my-suggestions">
                            <h2>"我的建议"</h2>
                            {mine.items.into_iter().map(|s| view! {
                                <article class="suggestion">
                                    <h3>{s.title.clone()}</h3>
                                    <p class="muted small">{short_time(&s.created_at)}" · "
                                        {match (&s.answer, s.public) {
                                            (None, _) => "待答复",
                                            (Some(_), true) => "已公开答复",
                                            (Some(_), false) => "已答复（仅你可见）",
                                        }}</p>
                                    <p>{s.body.clone()}</p>
                                    {answered(&s)}
                                </article>
                            }).collect_view()}
                        </section>
                    })}
                    <section class="card" data-test-id="public-suggestions">
                        <h2>"答复公开"</h2>
                        {if m.public.items.is_empty() {
                            view! { <p class="muted">"还没有公开答复的建议。"</p> }.into_any()
                        } else {
                            m.public.items.iter().map(|s| view! {
                                <article class="suggestion">
                                    <h3>{s.title.clone()}</h3>
                                    <p class="muted small">{short_time(&s.created_at)}</p>
                                    <p>{s.body.clone()}</p>
                                    {answered(s)}
                                </article>
                            }).collect_view().into_any()
                        }}
                        <Pager href="/mailbox?".into() page=m.public.page per_page=m.public.per_page total=m.public.total/>
                    </section>
                }.into_any()
        }/>
    }
}

/// Moderators: the suggestions, unanswered first, each with an answer form.
#[component]
pub fn SuggestionInboxPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new(move || page, suggestion_inbox);
    let done = use_query_map().read_untracked().get("answered").is_some();
    let error = crate::returned_error!(AnswerSuggestion);
    view! {
        <Title text="创城信箱答复"/>
        <section class="card">
            <h1>"创城信箱答复"</h1>
            {done.then(|| view! { <p class="saved" role="status" data-test-id="answered">"已答复，写信人会收到通知。"</p> })}
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |list| {
                if list.items.is_empty() {
                    return view! { <p class="card muted">"还没有市民来信。"</p> }.into_any();
                }
                view! {
                    {list.items.iter().map(|s| view! {
                        <section class="card suggestion" data-test-id=format!("suggestion-{}", s.id)>
                            <h2>{s.title.clone()}</h2>
                            <p class="muted small">{format!("{} · {}", s.author_name.clone().unwrap_or_default(), short_time(&s.created_at))}</p>
                            <p>{s.body.clone()}</p>
                            {answered(s)}
                            <form method="post" action=AnswerSuggestion::PATH class="stack">
                                <input type="hidden" name="id" value=s.id/>
                                <label>{if s.answer.is_some() { "修改答复" } else { "答复" }}
                                    <textarea name="answer" rows="3" required minlength="2" maxlength="2000" data-test-id="answer-text">{s.answer.clone()}</textarea></label>
                                <label class="check"><input type="checkbox" name="public" value="1" checked=s.answer.is_none() || s.public data-test-id="answer-public"/>
                                    "公开答复（在创城信箱展示，不显示写信人）"</label>
                                <button type="submit" class="btn primary" data-test-id="answer-submit">"提交答复"</button>
                            </form>
                        </section>
                    }).collect_view()}
                    <Pager href="/manage/suggestions?".into() page=list.page per_page=list.per_page total=list.total/>
                }.into_any()
        }/>
    }
}

/// Admins: the audit log, filtered by who, what, which and when.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read_untracked().get(k);
    let data = Resource::new(
        move || {
            let r = query.read();
            (
                r.get("actor_id"),
                r.get("action"),
                r.get("target_type"),
                r.get("target_id"),
                r.get("from"),
                r.get("to"),
                r.get("page").and_then(|p| p.parse().ok()),
            )
        },
        |(a, b, c, d, e, f, g)| audit_page(a, b, c, d, e, f, g),
    );
    // The filters again, for the pager's links.
    let filters: String = [
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "from",
        "to",
    ]
    .iter()
    .filter_map(|k| {
        q(k).filter(|v| !v.is_empty()).map(|v| {
            format!(
                "{k}={}&",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
    })
    .collect();
    view! {
        <Title text="操作日志"/>
        <section class="card">
            <h1>"操作日志"</h1>
            <form method="get" action="/admin/audit" class="filters" data-test-id="audit-filters">
                <label>"操作人编号"<input name="actor_id" inputmode="numeric" value=q("actor_id")/></label>
                <label>"操作"<input name="action" placeholder="如 report 或 gift.create" value=q("action")/></label>
                <label>"对象类型"<input name="target_type" placeholder="如 report、user" value=q("target_type")/></label>
                <label>"对象编号"<input name="target_id" inputmode="numeric" value=q("target_id")/></label>
                <label>"从"<input type="date" name="from" value=q("from")/></label>
                <label>"到"<input type="date" name="to" value=q("to")/></label>
                <button type="submit" class="btn" data-test-id="audit-filter">"筛选"</button>
            </form>
        </section>
        <Loaded data=data render=move |page| {
                let filters = filters.clone();
                view! {
                    <section class="card">
                        <p class="muted small" data-test-id="audit-total">{format!("共{}条", page.total)}</p>
                        <ul class="audit" data-test-id="audit-list">
                            {page.items.iter().map(|e| view! {
                                <li>
                                    <p><strong>{e.action.clone()}</strong>" · "{e.target_type.clone()}
                                        {e.target_id.map(|id| format!(" #{id}"))}</p>
                                    <p class="muted small">{short_time(&e.at)}" · "
                                        {match (&e.actor_name, e.actor_id) {
                                            (Some(n), Some(id)) => format!("{n}（#{id}）"),
                                            _ => "系统".into(),
                                        }}</p>
                                    {(!e.detail.is_empty()).then(|| view! { <p class="small">{e.detail.clone()}</p> })}
                                </li>
                            }).collect_view()}
                        </ul>
                        <Pager href=format!("/admin/audit?{filters}") page=page.page per_page=page.per_page total=page.total/>
                    </section>
                }.into_any()
        }/>
    }
}
