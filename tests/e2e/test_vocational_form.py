"""In the browser, a vocational stage swaps subjects and grades for that stage's majors."""

from __future__ import annotations

from tests.e2e.test_contributor_journey import _log_in


def test_choosing_a_vocational_stage_shows_its_majors_instead_of_subjects(live_hub, page):
    _log_in(page, live_hub.url, "c@example.cn", "/upload")
    higher = page.locator('fieldset.majors[data-stage="voc-higher"]')
    school = page.locator("[data-school-only]")
    assert school.is_visible() and higher.is_hidden()

    page.get_by_label("学段").select_option("voc-higher")
    assert higher.is_visible() and school.is_hidden()
    assert page.locator('fieldset.majors[data-stage="voc-secondary"]').is_hidden()
    page.get_by_label("标题").fill("光伏电站巡检与运维 微课")
    page.get_by_label("资源类型").select_option("courseware")
    higher.get_by_label("4303 新能源发电工程类").check()
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/upload/*")

    hub = live_hub.app.extensions["eduhub"]
    record = hub.resources.get(live_hub.world.contributor, page.url.rsplit("/", 1)[-1])
    assert record["stage"] == "voc-higher" and record["majors"] == ["4303"]
    assert record["subjects"] == [] and record["grades"] == []
