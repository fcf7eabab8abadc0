"""The three administrators at work, and a new colleague's first login, in real Chromium."""

from __future__ import annotations

from django.conf import settings as django_settings
from playwright.sync_api import expect

from fazhi.testing.browser import sign_in

PASSWORD = django_settings.FAZHI_DEMO_PASSWORD


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_account_life_from_creation_to_first_login(live_demo, page):
    # The system administrator creates the account and reads out the temporary password.
    sign_in(page, "sysadmin", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="accounts"]').click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("xiao.liu")
    page.get_by_label("姓名").fill("刘小明")
    page.get_by_role("button", name="创建").click()
    temporary = page.locator("#temporary-password").inner_text()
    assert len(temporary) == 16
    sign_out(page)

    # The security administrator grants the clerk role in the social assistance section.
    sign_in(page, "secadmin", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="roles"]').click()
    page.get_by_label("用户名").fill("xiao.liu")
    page.get_by_label("角色").select_option("clerk")
    page.get_by_label("科室").select_option(label="社会救助科")
    page.get_by_role("button", name="授予").click()
    expect(page.get_by_text("角色已授予。")).to_be_visible()
    expect(page.locator("#role-table")).to_contain_text("刘小明")
    sign_out(page)

    # The new colleague must replace the temporary password before anything else.
    sign_in(page, "xiao.liu", temporary, expect_otp=False)
    expect(page.locator("h1")).to_have_text("修改密码")
    page.get_by_label("原密码").fill(temporary)
    page.get_by_label("新密码", exact=True).fill("Liuxiaoming-2026")
    page.get_by_label("再次输入新密码").fill("Liuxiaoming-2026")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("h1")).to_have_text("待办")
    nav = page.locator("#staff-nav [data-nav]").evaluate_all("a => a.map(x => x.dataset.nav)")
    assert nav == [
        "tasks",
        "notifications",
        "rules",
        "disclosure",
        "services",
        "oversight",
        "organisation",
    ]
    sign_out(page)

    # The audit administrator finds all of it in the log and exports it.
    sign_in(page, "auditor", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="audit"]').click()
    table = page.locator("#event-table")
    for verb in ("account.create", "role.grant", "account.password_change", "auth.login"):
        expect(table).to_contain_text(verb)
    page.get_by_label("操作", exact=True).fill("role.")
    page.get_by_role("button", name="筛选").click()
    expect(table).to_contain_text("role.grant")
    expect(table).not_to_contain_text("account.create")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "role.grant" in content and "account.create" not in content


def test_sysadmin_disables_an_account_and_its_session_ends(live_demo, live_server, browser, page):
    # The clerk is at work in another browser.
    clerk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    clerk_page = clerk_context.new_page()
    sign_in(clerk_page, "clerk", PASSWORD, expect_otp=False)
    expect(clerk_page.locator("h1")).to_have_text("待办")

    sign_in(page, "sysadmin", PASSWORD, expect_otp=True)
    page.locator('#staff-nav [data-nav="accounts"]').click()
    page.get_by_role("link", name="clerk", exact=True).click()
    page.get_by_label("停用原因").fill("调离本局")
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_text("账号已停用，其所有会话已结束。")).to_be_visible()
    expect(page.locator("#account-status")).to_have_text("已停用")

    clerk_page.reload()
    assert "/accounts/login/" in clerk_page.url
    clerk_context.close()
