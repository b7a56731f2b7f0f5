"""In a real browser: a teacher rates and comments, another reports the comment, a reviewer hides
it from the review queue; the contributor sees the rating on /mine; axe on the pages involved."""

from __future__ import annotations

from tests.e2e.test_accessibility import _violations, axe_js  # noqa: F401  (a fixture)
from tests.e2e.test_teacher_collections import log_in, page  # noqa: F401  (a fixture)


def test_a_rating_and_a_comment_appear_and_a_reported_comment_is_hidden(
    live_hub,
    page,  # noqa: F811
    axe_js,  # noqa: F811
    artifacts,
):
    base, record = live_hub.url, live_hub.records[3]
    url = f"{base}/r/{record['id']}"
    log_in(page, base, "t@example.cn")
    page.goto(url)
    page.get_by_label("4 星").check()
    page.get_by_role("button", name="评分", exact=True).click()
    page.wait_for_url("**#discuss")
    assert "1 位老师评分，平均 4.0 分" in page.locator(".rating-summary").inner_text()
    page.get_by_label("您的评论").fill("<b>很实用</b>，学生很喜欢这条研学路线。")
    page.get_by_role("button", name="发表评论").click()
    page.wait_for_url("**said=posted*")
    comment = page.locator("li[data-comment]").last
    assert (
        comment.locator(".comment-body").inner_text() == "<b>很实用</b>，学生很喜欢这条研学路线。"
    )
    found = {"resource": _violations(page, axe_js)}
    page.screenshot(path=str(artifacts / "teacher-discussion.png"), full_page=True)

    log_in(page, base, "o@example.cn")
    page.goto(url)
    page.locator("li[data-comment]").last.get_by_role("button", name="举报").click()
    page.wait_for_url("**said=reported*")

    log_in(page, base, "r@example.cn")
    page.goto(f"{base}/review")
    queued = page.locator(".queue-comments li[data-comment]")
    assert queued.count() == 1 and "被举报 1 次" in queued.inner_text()
    found["review"] = _violations(page, axe_js)
    queued.get_by_role("button", name="隐藏").click()
    page.wait_for_url("**comments=hide*")
    assert page.locator(".queue-comments li").count() == 0
    page.goto(url)
    assert page.locator("li[data-comment]").count() == 0

    log_in(page, base, "c@example.cn")
    assert "我的资源收到的评分与评论" in page.content()
    found["mine"] = _violations(page, axe_js)
    assert found == {name: [] for name in found}
