//! 好人 campaign pages without JavaScript.

#[allow(unused_imports)]
use super::*;

/// 好人 pages without script: the campaign with its cards and votes left,
/// a vote and a refused one in words, the share page, the moderators'
/// queue, the admin's form (city time) and the 红榜.
async fn campaign_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let web = Plain(&app);

    // The admin creates a campaign in city time: open now, for two days.
    let now = app.state.clock.now_ms();
    let local = |ms: i64| app.state.clock.rfc3339(ms)[..16].to_owned();
    let body = format!(
        "title=测试好人评选&description=&nomination_starts_at={}&nomination_ends_at={}&voting_starts_at={}&voting_ends_at={}&votes_per_day=1&min_account_age_hours=0",
        local(now - 3_600_000),
        local(now + 48 * 3_600_000),
        local(now - 3_600_000),
        local(now + 48 * 3_600_000),
    );
    let r = web
        .form("/api/fn/save_campaign", "/admin/campaigns", &body, &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/campaigns?saved=1");
    let r = web
        .form("/api/fn/save_campaign", "/admin/campaigns", &body, &citizen)
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(refused.text.contains("没有权限"));
    let list = app.get("/api/v1/campaigns", None).await;
    let c = list.body[0]["id"].as_i64().unwrap();
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(
        list.body[0]["nomination_starts_at"],
        format!("{}:00+08:00", local(now - 3_600_000)).as_str(),
        "the form's times are the city's"
    );
    let page = web.page("/admin/campaigns?saved=1", Some(&admin)).await;
    assert!(page.text.contains("测试好人评选") && page.text.contains("已保存"));

    // A nomination, approved from the queue.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{c}/nominations"),
            serde_json::json!({"nominee_name": "王秀兰", "category": "孝老爱亲",
                   "story": "她在社区义务照看独居老人十年，每天上门送饭、打扫卫生、陪老人聊天，风雨无阻。"}),
            Some(&citizen),
        )
        .await;
    let n = r.body["id"].as_i64().unwrap();
    assert_eq!(
        web.page("/manage/nominations", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let queue = web.page("/manage/nominations", Some(&moderator)).await;
    assert!(queue.text.contains("王秀兰") && queue.text.contains("张三"));
    let r = web
        .form(
            "/api/fn/review_nomination",
            "/manage/nominations",
            format!("id={n}&decision=approve&reason="),
            &moderator,
        )
        .await;
    let done = web.page(web.location(&r), Some(&moderator)).await;
    assert!(done.text.contains("已审核") && done.text.contains("没有待审核的推荐"));

    // The campaign page: the card, votes left, a vote.
    let page = web.page(format!("/campaigns/{c}"), Some(&citizen)).await;
    assert!(page.text.contains("王秀兰") && page.text.contains("孝老爱亲"));
    assert!(
        page.text.contains("今天还可以投 <strong>1</strong>"),
        "{}",
        page.text
    );
    let anonymous = web.page(format!("/campaigns/{c}"), None).await;
    assert!(anonymous.text.contains("登录后投票"));
    let back = format!("/campaigns/{c}");
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back={back}"),
            &citizen,
        )
        .await;
    let voted = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        voted.text.contains("投票成功！今天还可以投0票"),
        "{}",
        voted.text
    );
    assert!(voted.text.contains("今日已投"));
    // A second vote for it today is refused in words.
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back={back}"),
            &citizen,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        refused.text.contains("今天已经给这位候选人投过票了"),
        "{}",
        refused.text
    );
    // A foreign `back` goes to the list instead.
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back=https://evil.example/"),
            &admin,
        )
        .await;
    assert!(web.location(&r).starts_with("/campaigns?voted="));

    // The share page and the ranking.
    let share = web.page(format!("/nominations/{n}"), None).await;
    assert!(share.text.contains(&format!("/nominations/{n}")) && share.text.contains("2</strong>"));
    let results = web.page(format!("/campaigns/{c}/results"), None).await;
    assert!(results.text.contains("实时排名") && results.text.contains("王秀兰"));
    let honors = web.page("/honors", None).await;
    assert!(honors.text.contains("评选结果公布后会在这里展示"));
}
both!(campaign_pages);

/// A page title built from what a citizen typed is escaped: leptos_meta
/// writes `<title>` text as it is, so a nominee named `</title><plaintext>`
/// would end the title and turn the rest of the page into text.
async fn titles_from_citizen_text_are_escaped(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let campaign = crate::campaigns::open_campaign(&app, &admin, serde_json::json!({})).await;
    let ids = crate::campaigns::approved(&app, campaign, &["</title><plaintext>"]).await;
    let page = Plain(&app)
        .page(format!("/nominations/{}", ids[0]), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("<title>&lt;/title&gt;&lt;plaintext&gt;"),
        "{}",
        &page.text[..page.text.len().min(600)]
    );
    assert!(!page.text.contains("<plaintext>"));
}
both!(titles_from_citizen_text_are_escaped);
