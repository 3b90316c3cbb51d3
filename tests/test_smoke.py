from portfolio.accounts.models import Role


def test_each_role_reaches_its_home_page(client, auth, people):
    for role in Role:
        auth.sign_in(people[role])
        response = client.get("/")
        assert response.status_code == 200
        assert people[role].name in response.get_data(as_text=True)
        auth.sign_out()


def test_postgresql_connections_are_tested_leaving_the_pool_and_sqlite_ones_are_not(app):
    from portfolio.db import db

    with app.app_context():
        pinged = db.engine.pool._pre_ping
        assert pinged == (db.engine.dialect.name == "postgresql")
