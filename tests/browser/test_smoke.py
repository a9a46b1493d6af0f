from playwright.sync_api import expect


def test_error_page_renders_in_shop_look(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the shop")).to_be_visible()
