"""One account's callbacks running at once are limited (IMPACT_CALLBACKS_PER_ACCOUNT): slots counted in the process
or shared through a real Redis, always given back, expiring on their own; and the app's answer over the limit."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import dash
import pytest
import redis
from dash import Input, Output, dcc, html

from dashboard.app import install_sign_in
from dashboard.callback_limit import install_callback_limit
from dashboard.security import current_account, install_security_headers
from dashboard.signin import SESSION_COOKIE
from impact_monitor.accounts import demo_accounts
from impact_monitor.callback_slots import CallbackSlots, MemorySlotStore, RedisSlotStore, make_callback_slots
from impact_monitor.settings import Settings, SettingsError
from tests.conftest import LIVE_FIGURES
from tests.signin import sign_in

WAIT_S = 10  # the longest any step of these tests waits for a thread


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own in the test Redis, its keys deleted afterwards."""
    prefix = f"impact-monitor-test:callback-slots:{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def redis_slots(redis_url: str, prefix: str, limit: int, hold_s: float = 120) -> CallbackSlots:
    """Slots of one worker: a client of its own, as each gunicorn worker has."""
    return make_callback_slots(redis_url, limit, hold_s, key_prefix=prefix)


@pytest.fixture(params=["memory", "redis"])
def slots_of(request):
    """slots_of(limit, hold_s) -> CallbackSlots in this process, or in the test Redis."""
    if request.param == "memory":
        return lambda limit, hold_s=120: make_callback_slots(None, limit, hold_s)
    redis_url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    return lambda limit, hold_s=120: redis_slots(redis_url, prefix, limit, hold_s)


# The slots themselves


def test_an_account_gets_its_limit_and_no_more_and_others_are_not_counted(slots_of):
    slots = slots_of(3)
    taken = [slots.take("donor") for _ in range(3)]
    assert all(taken) and slots.take("donor") is None
    assert slots.take("dhaka") is not None
    slots.give_back(taken[0])
    slots.give_back(taken[0])  # twice: still one slot back, not two
    assert slots.take("donor") is not None and slots.take("donor") is None


def test_a_slot_nobody_gives_back_expires_on_its_own(redis_url, redis_prefix):
    clock = [1000.0]
    in_process = CallbackSlots(MemorySlotStore(), 1, hold_s=60, clock=lambda: clock[0])
    assert in_process.take("donor") and in_process.take("donor") is None
    clock[0] += 61
    assert in_process.take("donor") is not None
    # In Redis: a worker killed while it held the slot never gives it back.
    killed_worker, other_worker = (redis_slots(redis_url, redis_prefix, 1, hold_s=0.3) for _ in range(2))
    assert killed_worker.take("donor") is not None and other_worker.take("donor") is None
    threading.Event().wait(0.4)
    assert other_worker.take("donor") is not None
    client = redis.Redis.from_url(redis_url)
    (key,) = client.scan_iter(f"{redis_prefix}:*")
    assert 0 < client.pttl(key) <= 300  # the account's key expires too, once its last slot would have
    client.close()


def test_workers_share_the_limit_through_redis_and_never_exceed_it_together(redis_url, redis_prefix):
    workers = [redis_slots(redis_url, redis_prefix, 4) for _ in range(3)]
    start = threading.Barrier(60)

    def take(i):
        start.wait(WAIT_S)
        return workers[i % 3].take("leadership")

    with ThreadPoolExecutor(60) as pool:
        taken = [slot for slot in pool.map(take, range(60)) if slot is not None]
    assert len(taken) == 4
    for slot in taken:
        CallbackSlots.give_back(slot)
    assert workers[0].take("leadership") is not None


def test_with_redis_unreachable_slots_are_counted_in_the_process(caplog):
    slots = make_callback_slots("redis://127.0.0.1:1/0", 2)  # nothing listens on port 1
    first, second = slots.take("donor"), slots.take("donor")
    assert first and second and slots.take("donor") is None
    slots.give_back(first)
    assert slots.take("donor") is not None
    assert "Redis unavailable" in caplog.text and caplog.text.count("Redis unavailable") == 1


def test_the_setting_is_a_small_whole_number():
    assert Settings.from_env({}).callbacks_per_account == 6
    assert Settings.from_env({"IMPACT_CALLBACKS_PER_ACCOUNT": "2"}).callbacks_per_account == 2
    for wrong in ("0", "-1", "many", "101"):
        with pytest.raises(SettingsError, match="IMPACT_CALLBACKS_PER_ACCOUNT"):
            Settings.from_env({"IMPACT_CALLBACKS_PER_ACCOUNT": wrong})
    with pytest.raises(ValueError):
        CallbackSlots(MemorySlotStore(), 0)


def test_a_redis_store_gives_back_a_slot_taken_during_an_outage():
    store = RedisSlotStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    slots = CallbackSlots(store, 1)
    slot = slots.take("donor")
    assert slot is not None and slots.take("donor") is None
    slots.give_back(slot)
    assert slots.take("donor") is not None


# The app's answer


class HeldCallbacks:
    """A Dash app wired as the product's (sign-in, callback limit, headers) whose callback waits while the test
    holds it ("wait"), fails ("fail"), or answers at once."""

    def __init__(self, tmp_path, limit: int) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        assets = tmp_path / "assets"
        assets.mkdir(exist_ok=True)
        (assets / "style.css").write_text("body { margin: 0 }\n")
        app = dash.Dash(__name__, assets_folder=str(assets))
        app.layout = html.Div([dcc.Input(id="query", value="x"), html.Div(id="answer")])
        app.callback(Output("answer", "children"), Input("query", "value"))(self.answer)
        app.server.add_url_rule("/healthz", "healthz", lambda: "ok")
        settings = Settings.from_env({**LIVE_FIGURES, "IMPACT_DATA_DIR": str(tmp_path)})
        install_sign_in(app, demo_accounts(), settings)
        install_callback_limit(app.server, make_callback_slots(None, limit))
        install_security_headers(app, https=False)
        self.server = app.server

    def answer(self, value):
        if value == "wait":
            self.entered.set()
            self.release.wait(WAIT_S)
        if value == "fail":
            raise RuntimeError("this callback fails")
        return f"{current_account().username}:{value}"

    def client_of(self, username: str):
        client = self.server.test_client()
        assert sign_in(client, username).status_code == 303
        return client

    def same_session(self, client):
        """Another client (another connection of the same browser) with `client`'s session."""
        other = self.server.test_client()
        other.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
        return other


def callback(client, value: str):
    body = {"output": "answer.children", "outputs": {"id": "answer", "property": "children"},
            "inputs": [{"id": "query", "property": "value", "value": value}], "changedPropIds": ["query.value"]}
    return client.post("/_dash-update-component", json=body)


def test_a_callback_over_the_limit_gets_429_and_the_rest_is_still_served(tmp_path):
    app = HeldCallbacks(tmp_path, limit=1)
    donor = app.client_of("donor")
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(callback, app.same_session(donor), "wait")
        assert app.entered.wait(WAIT_S)
        refused = callback(donor, "x")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert refused.get_json() == {"error": "Too many updates at once for this account: this one is tried "
                                               "again in a moment."}
        assert refused.headers["Cache-Control"] == "no-store" and refused.headers["X-Frame-Options"] == "DENY"
        # Another account, health, pages and static files are never held back by the donor's callbacks.
        assert callback(app.client_of("dhaka"), "x").get_json()["response"]["answer"]["children"] == "dhaka:x"
        assert donor.get("/healthz").status_code == 200 and donor.get("/").status_code == 200
        assert donor.get("/assets/style.css").status_code == 200
        app.release.set()
        assert held.result(WAIT_S).status_code == 200
    assert callback(donor, "x").status_code == 200  # the slot was given back


def test_a_failing_callback_gives_its_slot_back(tmp_path):
    app = HeldCallbacks(tmp_path, limit=1)
    donor = app.client_of("donor")
    for _ in range(3):
        assert callback(donor, "fail").status_code == 500
        assert callback(donor, "x").status_code == 200
    malformed = donor.post("/_dash-update-component", data="{", content_type="application/json")
    assert malformed.status_code >= 400 and b"Traceback" not in malformed.data
    assert callback(donor, "x").status_code == 200


def test_an_anonymous_callback_takes_no_slot(tmp_path):
    app = HeldCallbacks(tmp_path, limit=1)
    anonymous = app.server.test_client()
    assert callback(anonymous, "x").status_code == 401
    assert json.loads(callback(app.client_of("donor"), "x").data)["response"]["answer"]["children"] == "donor:x"
