"""The servers the tests start (tests/services.py) answer."""

import requests
import sqlalchemy

from tests import services


def test_a_fresh_postgres_database_answers(postgres_admin_url):
    url = services.create_database(postgres_admin_url)
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW server_version").scalar().startswith("15")
    engine.dispose()
    services.drop_database(url)


def test_redis_answers(redis_url):
    import redis

    assert redis.Redis.from_url(redis_url).ping()


def test_nginx_serves_its_config(tmp_path):
    port = services.free_port()
    block = f"server {{ listen 127.0.0.1:{port}; location / {{ return 200 'proxy'; }} }}"
    with services.nginx_server(tmp_path, block):
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).text == "proxy"
