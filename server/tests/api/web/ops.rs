//! 创城信箱 and the audit log without JavaScript.

#[allow(unused_imports)]
use super::*;

/// 创城信箱 and the audit log without script: a citizen writes, a moderator
/// answers in public, everyone reads it; only admins see the log.
async fn mailbox_and_audit_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let web = Plain(&app);

    let page = web.page("/mailbox", None).await;
    assert!(page.text.contains("登录后写建议") && page.text.contains("还没有公开答复的建议"));
    let r = web
        .form(
            "/api/fn/send_suggestion",
            "/mailbox",
            "title=增设非机动车停放点&body=新华路与雄关大道路口的电动车乱停乱放，建议划线。",
            &citizen,
        )
        .await;
    let sent = web.page(web.location(&r), Some(&citizen)).await;
    assert!(sent.text.contains("已收到你的建议") && sent.text.contains("待答复"));
    let r = web
        .form(
            "/api/fn/send_suggestion",
            "/mailbox",
            "title=停&body=乱",
            &citizen,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        refused.text.contains("标题应为2到60个字"),
        "{}",
        refused.text
    );

    assert_eq!(
        web.page("/manage/suggestions", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let inbox = web.page("/manage/suggestions", Some(&moderator)).await;
    assert!(inbox.text.contains("增设非机动车停放点") && inbox.text.contains("张三"));
    let id = app
        .get("/api/v1/moderation/suggestions", Some(&moderator))
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let r = web
        .form(
            "/api/fn/answer_suggestion",
            "/manage/suggestions",
            format!("id={id}&answer=已转交市城管局，本月内完成划线。&public=1"),
            &moderator,
        )
        .await;
    let done = web.page(web.location(&r), Some(&moderator)).await;
    assert!(done.text.contains("已答复"));
    let public = web.page("/mailbox", None).await;
    assert!(public.text.contains("已转交市城管局，本月内完成划线。"));
    assert!(!public.text.contains("张三"), "no names in public");

    assert_eq!(
        web.page("/admin/audit", Some(&moderator)).await.status,
        StatusCode::FORBIDDEN
    );
    let log = web
        .page("/admin/audit?action=suggestion", Some(&admin))
        .await;
    assert!(
        log.text.contains("suggestion.answer") && log.text.contains("共1条"),
        "{}",
        log.text
    );
    let bad = web.page("/admin/audit?from=yesterday", Some(&admin)).await;
    assert!(bad.text.contains("日期应为 YYYY-MM-DD"));
}
both!(mailbox_and_audit_pages);
