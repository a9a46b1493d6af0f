from tests.helpers import login, make_user


def test_login_and_logout_through_the_forms(client):
    make_user(client.application)
    response = login(client)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    page = client.get("/account")
    from tests.conftest import csrf_token_from

    client.post("/account/logout", data={"csrf_token": csrf_token_from(page.text)})
    assert client.get("/account").status_code == 302


def test_wrong_password_keeps_email_and_says_so(client):
    make_user(client.application)
    response = login(client, password="wrong password!")
    assert response.status_code == 200
    assert b"The email or password is not right." in response.data
    assert b'value="ann@example.com"' in response.data


def test_staff_permission_check(client):
    make_user(client.application, email="cat@example.com", roles=["catalog"])
    make_user(client.application, email="sup@example.com", roles=[])
    assert client.get("/staff/").status_code == 302
    login(client, "cat@example.com")
    assert client.get("/staff/").status_code == 200
    client2 = client.application.test_client()
    login(client2, "sup@example.com")
    response = client2.get("/staff/")
    assert response.status_code == 403
    assert b"Not allowed" in response.data
