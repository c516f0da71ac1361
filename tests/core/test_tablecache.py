"""Figures kept until a table they read is written (``vanguard.core.tablecache``, issue 10 §6).

The parsing of statements runs on every database. What is kept, and when it goes, is PostgreSQL's
(LISTEN/NOTIFY): those tests commit for real (``transaction=True``), with a second connection in
a thread of its own playing another worker process, and are skipped on SQLite, where nothing is
kept.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import build_cast, make_org, make_person
from vanguard.accounts.models import User
from vanguard.core import registry
from vanguard.core.registry import TODO_KEY
from vanguard.core.tablecache import EVERY_TABLE, remember, written_tables
from vanguard.orgs.models import Org
from vanguard.plans.models import PlanTask, TaskStatus

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="figures are kept on PostgreSQL only")


@pytest.mark.parametrize(("sql", "tables"), [
    ('SELECT "orgs_org"."id" FROM "orgs_org"', None),
    ('(SELECT 1 AS "k" FROM "plans_plantask") UNION ALL (SELECT 2 AS "k" FROM "orgs_org")', None),
    ("SAVEPOINT s1_x1", None),
    ("ROLLBACK TO SAVEPOINT s1_x1", None),
    ('INSERT INTO "orgs_org" ("name") VALUES (%s) RETURNING "orgs_org"."id"', {"orgs_org"}),
    ('UPDATE "plans_plantask" SET "status" = %s WHERE "plans_plantask"."id" IN (SELECT U0."id" FROM "orgs_org" U0)',
     {"plans_plantask"}),
    ('DELETE FROM "django_session" WHERE "django_session"."session_key" IN (%s)', {"django_session"}),
    ("delete from public.orgs_person where id = 1", {"orgs_person"}),
    ('TRUNCATE "orgs_org", "orgs_person" RESTART IDENTITY CASCADE;', {"orgs_org", "orgs_person"}),
    ("WITH cand (id) AS (SELECT id FROM orgs_org) SELECT * FROM cand", None),
    ("WITH moved AS (DELETE FROM orgs_org RETURNING *) SELECT count(*) FROM moved", {EVERY_TABLE}),
    ('ALTER TABLE "orgs_org" ADD COLUMN "x" integer', {EVERY_TABLE}),
    ("SELECT 1; UPDATE orgs_org SET name = 'x'", {EVERY_TABLE}),
])
def test_a_statement_names_the_tables_it_writes(sql, tables):
    assert written_tables(sql) == (frozenset(tables) if tables is not None else None)


def in_another_connection(work) -> None:
    """Run ``work`` on a connection of its own, as another worker process would, and close it."""
    failure = []

    def run():
        try:
            work()
        except Exception as exc:  # reported in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failure, failure


def as_a_request_begins() -> None:
    """The two statements every request sends before its page (its session, its user): the notices
    of what was committed before it began come with their results."""
    User.objects.exists()
    User.objects.exists()


def signed_in(client, who: str):
    """A cast committed for real (these tests do not roll back), and ``client`` signed in as one of its users."""
    cast = build_cast()
    client.force_login(getattr(cast, who), backend="vanguard.accounts.backends.UsernameOrPhoneBackend")
    return cast


def counted(name: str):
    """The figure under test, and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        value = remember(("test", name), lambda: Org.objects.filter(name__startswith=name).count())
    return value, len(queries)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_figure_is_kept_until_another_connection_commits_a_write_to_a_table_it_read():
    make_org("保留甲")
    assert counted("保留") == (1, 1)
    assert counted("保留") == (1, 0)  # kept: no query

    started, release = threading.Event(), threading.Event()

    def write_and_hold():
        try:
            with transaction.atomic():
                make_org("保留乙")
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write_and_hold)
    thread.start()
    try:
        assert started.wait(10)
        as_a_request_begins()
        assert counted("保留") == (1, 0)  # written but not committed: nothing announced, and 1 is the truth
    finally:
        release.set()
        thread.join()
    as_a_request_begins()
    assert counted("保留") == (2, 1)
    assert counted("保留") == (2, 0)

    in_another_connection(lambda: Org.objects.filter(name="保留乙").update(name="别的"))
    as_a_request_begins()
    assert counted("保留") == (1, 1)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_s_own_write_drops_its_figures_at_once():
    make_org("自写甲")
    assert counted("自写") == (1, 1)
    Org.objects.bulk_create([Org(name="自写乙", org_type="branch", path="/x/", depth=0)])  # no model signal
    assert counted("自写") == (2, 1)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_write_to_another_table_keeps_the_figure():
    make_org("无关甲")
    assert counted("无关") == (1, 1)
    in_another_connection(lambda: User.objects.create(username="someone-else"))
    as_a_request_begins()
    assert counted("无关") == (1, 0)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_inside_a_transaction_nor_what_compares_with_the_clock():
    make_org("事务甲")
    with transaction.atomic():
        assert counted("事务") == (1, 1)
        assert counted("事务") == (1, 1)  # it could reflect writes of this transaction, rolled back later

    User.objects.create(username="joined")

    def joined_by_now():
        return User.objects.filter(date_joined__lte=timezone.now()).count()

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert remember(("test", "clock"), joined_by_now) == 1
        assert len(queries) == 1  # a datetime parameter: the clock moves without a write


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_badge_counts_nothing_while_nothing_it_read_was_written_and_is_current_after_a_write():
    cast = build_cast()
    from tests.plans.helpers import approved_plan, make_campaign

    plan = approved_plan(cast, make_campaign(cast), cast.member_person,
                         due_on=timezone.localdate() + timedelta(days=3))

    def request_user():
        as_a_request_begins()
        return User.objects.get(pk=cast.member.pk)  # as a request loads it

    def badge():
        with CaptureQueriesContext(connection) as queries:
            todo = registry.todo_counts(request_user())
        counting = [q for q in queries.captured_queries if f'AS "{TODO_KEY}"' in q["sql"]]
        return {i["key"]: i["count"] for i in todo["items"]}["tasks"], len(counting)

    first, queries = badge()
    assert queries == 1
    assert badge() == (first, 0)
    # Another worker gives the member one more task: the next request counts again, and sees it.
    in_another_connection(lambda: PlanTask.objects.create(
        plan=plan, title="又一项", responsible=cast.member_person, due_on=timezone.localdate() + timedelta(days=5)))
    assert badge() == (first + 1, 1)
    assert badge() == (first + 1, 0)
    # Done through ``update()``, which sends no model signal: gone at the next request all the same.
    in_another_connection(lambda: PlanTask.objects.filter(title="又一项").update(status=TaskStatus.DONE))
    assert badge() == (first, 1)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_page_sends_no_to_do_query_while_nothing_the_badge_read_was_written(client):
    cast = signed_in(client, "secretary")

    def todo_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:profile")).status_code == 200
        return sum(f'AS "{TODO_KEY}"' in q["sql"] for q in queries.captured_queries)

    assert todo_queries() == 1
    assert todo_queries() == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_list_s_total_and_its_filter_s_org_choices_are_kept_until_a_write_to_their_tables(client):
    cast = signed_in(client, "admin")
    url = reverse("orgs:org_list")

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        sql = [q["sql"] for q in queries.captured_queries]
        options = response.content.decode().count("<option")
        return response.context["page_obj"].paginator.count, options, sum("COUNT(*)" in q for q in sql)

    total, options, counts = page()
    assert counts == 1
    assert page() == (total, options, 0)  # neither counted nor the choices read again
    in_another_connection(lambda: make_org("又一个党委", parent=cast.bureau, org_type="committee"))
    assert page() == (total + 1, options + 1, 1)  # the new org is counted and offered as a parent
    in_another_connection(lambda: User.objects.create(username="someone-else"))
    assert page() == (total + 1, options + 1, 0)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_figure_read_from_a_table_a_trigger_keeps_goes_with_a_write_to_the_trigger_s_table(client):
    """The people list's total is summed from the orgs' headcounts, which database triggers on
    ``orgs_person`` keep: no statement names the headcounts, yet a new person is counted."""
    cast = signed_in(client, "admin")

    def total():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("orgs:person_list"))
        return (response.context["page_obj"].paginator.count,
                sum("orgs_orgheadcount" in q["sql"] for q in queries.captured_queries))

    people, _read = total()
    assert total() == (people, 0)
    in_another_connection(lambda: make_person(cast.branch_a1, name="新来的"))
    assert total() == (people + 1, 1)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_switched_off_nothing_is_kept(settings):
    settings.VANGUARD_TABLECACHE = False
    connection.close()  # the setting is read when a connection opens
    try:
        make_org("关闭甲")
        assert counted("关闭") == (1, 1)
        assert counted("关闭") == (1, 1)
    finally:
        connection.close()  # the next test's connection opens with the setting restored


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_figure_computed_from_a_kept_one_goes_with_what_that_one_read():
    make_org("内层甲")
    assert counted("内层") == (1, 1)

    def twice() -> int:  # the kept inner figure (read from orgs), and a statement of its own (users)
        inner = remember(("test", "内层"), lambda: Org.objects.filter(name__startswith="内层").count())
        return 2 * inner + User.objects.filter(username="nobody-at-all").count()

    assert remember(("test", "outer"), twice) == 2
    in_another_connection(lambda: make_org("内层乙"))
    as_a_request_begins()
    assert remember(("test", "outer"), twice) == 4


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_user_s_grants_are_read_once_and_a_revoked_grant_is_gone_from_the_next_request(client):
    """Every page needs the grants: kept, a page sends one query less; revoked by another worker, the
    grant no longer opens anything from the next request on."""
    cast = signed_in(client, "secretary")
    org_url = reverse("orgs:org_detail", args=[cast.branch_a1.pk])

    def grant_queries(url) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        return status, sum('FROM "accounts_rolegrant"' in q["sql"] for q in queries.captured_queries)

    assert grant_queries(org_url) == (200, 1)
    assert grant_queries(org_url) == (200, 0)
    in_another_connection(lambda: cast.secretary.grants.all().delete())
    assert grant_queries(org_url) == (403, 1)  # read again, and no role is left to open the page


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_unfiltered_list_s_filter_bar_is_kept_and_a_filtered_one_is_written_with_its_values(client):
    cast = signed_in(client, "admin")
    url = reverse("orgs:org_list")

    def bar(response) -> str:
        page = response.content.decode()
        return page[page.index('<form method="get"'):page.index("</form>", page.index('<form method="get"'))]

    first, second = client.get(url), client.get(url)
    assert bar(first) == bar(second)
    assert not hasattr(second.context["filterset"], "_form")  # kept: the form was not even built
    filtered = client.get(url + "?q=" + "党委")
    assert 'value="党委"' in bar(filtered) and hasattr(filtered.context["filterset"], "_form")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_figure_computed_around_another_is_not_kept_when_a_table_it_read_was_written_meanwhile():
    """A list's filter bar is kept, and so are the choices it reads: a write while the bar is being
    computed, after its choices were, reaches the bar's watch as well as any other."""
    make_org("嵌套甲")

    def bar():
        choices = remember(("test", "choices"), lambda: Org.objects.filter(name__startswith="嵌套").count())
        in_another_connection(lambda: make_org("嵌套乙"))
        as_a_request_begins()  # the notice of that write arrives here
        return choices

    assert remember(("test", "bar"), bar) == 1
    assert remember(("test", "bar"), lambda: "computed again") == "computed again"
