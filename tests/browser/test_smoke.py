def test_error_page_renders_in_shop_look(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert page.get_by_role("link", name="Back to the shop").is_visible()
