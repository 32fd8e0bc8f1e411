"""Accounts: password hashes, the users file, demo accounts and login rate limits (real Redis)."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
import redis

from impact_monitor.accounts import (
    Account,
    AccountsError,
    LoginLimiter,
    MemoryFailures,
    RedisFailures,
    demo_accounts,
    hash_password,
    load_users,
    make_limiter,
    organisation_account,
    resolve_accounts,
    verify_password,
)
from impact_monitor.settings import Settings
from tests.conftest import REDIS_TEST_URL as REDIS_URL

# A fixed hash of "s3cret": test ids must be the same in every pytest-xdist worker.
HASH = "$argon2id$v=19$m=19456,t=2,p=1$YWLZQdfkiwvYHcGXIPr8jg$HrSroqCkfCixLyU4jhok4GCIpwdsXz7rYVT9WkxPWX4"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client):
    prefix = f"impact-test:{uuid.uuid4().hex}"
    yield prefix
    keys = list(redis_client.scan_iter(f"{prefix}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def limiter_factory(request):
    """Builds limiters with a fake clock on either storage."""
    def build(max_failures=5, window_s=300, clock=None, max_address_failures=50):
        clock = clock or FakeClock()
        if request.param == "memory":
            return make_limiter(None, max_failures, window_s, max_address_failures, clock=clock)
        prefix = request.getfixturevalue("redis_prefix")
        return make_limiter(REDIS_URL, max_failures, window_s, max_address_failures, key_prefix=prefix,
                            clock=clock)
    return build


def write_users(tmp_path, text: str):
    path = tmp_path / "users.toml"
    path.write_text(text, encoding="utf-8")
    return path


def user_toml(name="alice", role="government", scope='["BD30"]', password_hash=HASH, extra=""):
    scope_line = f"scope = {scope}\n" if scope is not None else ""
    return f'[users.{name}]\npassword_hash = "{password_hash}"\nrole = "{role}"\n{scope_line}{extra}'


# Hashing


def test_hash_is_salted_argon2id_and_verifies():
    first, second = hash_password("pw"), hash_password("pw")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "pw") and verify_password(second, "pw")


def test_hashing_is_fast_enough_for_a_login():
    started = time.perf_counter()
    verify_password(HASH, "s3cret")
    assert time.perf_counter() - started < 0.5  # ~50 ms; generous for slow CI


@pytest.mark.parametrize("password", ["S3cret", "s3cret ", "", "s3cre"])
def test_wrong_password_is_refused(password):
    assert not verify_password(HASH, password)


@pytest.mark.parametrize("bad_hash", ["", "s3cret", "$argon2id$", "$argon2id$v=19$m=1,t=1,p=1$AAAA$BBBB",
                                      "$2b$12$abcdefghijklmnopqrstuv", HASH[:-5]])
def test_malformed_hash_is_false_not_an_error(bad_hash):
    assert verify_password(bad_hash, "s3cret") is False


# The users file


def test_load_users_reads_every_role(tmp_path):
    path = write_users(tmp_path, "\n".join([
        user_toml("alice", scope='["BD30", "BD4047", "BD30"]'),
        user_toml("boss", role="leadership", scope=None),
        user_toml("funder", role="donor", scope="[]"),
    ]))
    users = load_users(path, known_pcodes={"BD30", "BD4047"})
    assert users["alice"] == (HASH, Account("alice", "government", ("BD30", "BD4047")))
    assert users["boss"][1] == Account("boss", "leadership", ())
    assert users["funder"][1] == Account("funder", "donor", ())


@pytest.mark.parametrize("toml, message", [
    ('[users.alice]\npassword = "hunter2"\nrole = "donor"\n', "user alice has a plain password"),
    (user_toml(password_hash="hunter2"), "no argon2 password_hash"),
    (user_toml(password_hash="$2b$12$abcdefghijklmnopqrstuuGhj3VXqB1HsuIzXDqsAihmWWnb1sXiK"), "no argon2"),
    ('[users.alice]\nrole = "donor"\n', "no argon2 password_hash"),
    (user_toml(role="admin", scope=None), "role 'admin'"),
    (user_toml(role="government", scope=None), "needs a scope"),
    (user_toml(role="government", scope="[]"), "needs a scope"),
    (user_toml(scope='["Dhaka"]'), "not division"),
    (user_toml(scope='["BD3"]'), "not division"),
    (user_toml(scope='["BD30260014"]'), "not division"),  # an upazila
    (user_toml(scope='"BD30"'), "must be a list"),
    (user_toml(role="donor"), "remove its scope"),
    (user_toml(role="leadership"), "remove its scope"),
    (user_toml(extra='scopes = ["BD30"]\n'), "unknown keys: scopes"),
    ('[users."a:b"]\nrole = "donor"\n', "without ':'"),
    ("users = 3\n", "no [users.NAME] tables"),
    ("", "no [users.NAME] tables"),
    ("[users\n", "not valid TOML"),
])
def test_load_users_refuses(tmp_path, toml, message):
    with pytest.raises(AccountsError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_users(write_users(tmp_path, toml))


def test_load_users_refuses_pcodes_outside_the_gazetteer(tmp_path):
    path = write_users(tmp_path, user_toml(scope='["BD30", "BD99"]'))
    assert load_users(path)["alice"][1].scope == ("BD30", "BD99")
    with pytest.raises(AccountsError, match="unknown P-codes BD99"):
        load_users(path, known_pcodes={"BD30"})


def test_load_users_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(AccountsError, match="does not exist"):
        load_users(tmp_path / "nope.toml")


def test_accounts_error_is_a_value_error():
    assert issubclass(AccountsError, ValueError)


# Demo accounts and choosing the accounts


def test_demo_accounts_log_in_with_demo():
    accounts = demo_accounts()
    assert {name: account for name, (_, account) in accounts.items()} == {
        "leadership": Account("leadership", "leadership", ()),
        "donor": Account("donor", "donor", ()),
        "dhaka": Account("dhaka", "government", ("BD30",)),
        "usaid": Account("usaid", "donor", (), "us-fiscal"),
    }
    for password_hash, _ in accounts.values():
        assert verify_password(password_hash, "demo") and not verify_password(password_hash, "Demo")


def test_demo_accounts_are_hashed_once_and_copied():
    first = demo_accounts()
    first.pop("leadership")
    second = demo_accounts()
    assert "leadership" in second
    assert second["donor"][0] == first["donor"][0]


def test_resolve_accounts_demo_mode_without_users_file():
    settings = Settings.from_env({})
    assert settings.demo_mode
    assert set(resolve_accounts(settings)) == {"leadership", "donor", "dhaka", "usaid"}


def test_resolve_accounts_uses_the_users_file(tmp_path):
    path = write_users(tmp_path, user_toml())
    settings = replace(Settings.from_env({}), users_file=path)
    assert set(resolve_accounts(settings, {"BD30"})) == {"alice"}
    with pytest.raises(AccountsError, match="unknown P-codes"):
        resolve_accounts(settings, {"BD40"})


def test_resolve_accounts_refuses_real_databases_without_users_file():
    settings = Settings.from_env({"IMPACT_CASES_DB": "postgresql://db/cases",
                                  "IMPACT_REFERRALS_DB": "postgresql://db/cases"})
    with pytest.raises(AccountsError, match="IMPACT_USERS_FILE is not set; demo passwords exist only in demo mode"):
        resolve_accounts(settings)


# Login rate limits, in this process and in Redis


def test_five_failures_block_the_account(limiter_factory):
    clock = FakeClock()
    limiter = limiter_factory(clock=clock)
    for _ in range(4):
        assert limiter.check("alice", "10.0.0.1") is None
        limiter.record_failure("alice", "10.0.0.1")
        clock.now += 1
    assert limiter.check("alice", "10.0.0.1") is None
    limiter.record_failure("alice", "10.0.0.1")
    refused = limiter.check("alice", "10.0.0.1")
    assert refused.by == "account" and 295 < refused.wait_s <= 300
    assert limiter.check("alice", "10.0.0.2") is not None  # the account, from anywhere
    assert limiter.check("bob", "10.0.0.3") is None


def test_an_address_waits_after_its_own_higher_limit_across_usernames(limiter_factory):
    limiter = limiter_factory(max_address_failures=8)
    for name in "abcdefgh":
        assert limiter.check(name, "10.0.0.9") is None
        limiter.record_failure(name, "10.0.0.9")
    refused = limiter.check("z", "10.0.0.9")
    assert refused.by == "address" and refused.wait_s > 0
    assert limiter.check("z", "10.0.0.10") is None


def test_five_failures_of_one_account_do_not_make_its_address_wait(limiter_factory):
    limiter = limiter_factory()
    for _ in range(5):
        limiter.record_failure("alice", "10.0.0.9")
    assert limiter.check("alice", "10.0.0.9").by == "account"
    assert limiter.check("bob", "10.0.0.9") is None  # a colleague behind the same router


def test_block_ends_when_the_window_passes(limiter_factory):
    clock = FakeClock()
    limiter = limiter_factory(clock=clock)
    for _ in range(5):
        limiter.record_failure("alice", "10.0.0.1")
        clock.now += 10
    wait = limiter.check("alice", "10.0.0.1").wait_s
    assert wait == pytest.approx(300 - 50)
    clock.now += wait - 0.01
    assert limiter.check("alice", "10.0.0.1") is not None
    clock.now += 0.02
    assert limiter.check("alice", "10.0.0.1") is None


def test_failures_beyond_the_maximum_block_until_enough_expire(limiter_factory):
    # Concurrent requests can record more failures than the maximum.
    clock = FakeClock()
    limiter = limiter_factory(clock=clock)
    start = clock.now
    for _ in range(7):
        limiter.record_failure("alice", "10.0.0.1")
        clock.now += 1
    assert limiter.check("alice", "10.0.0.1").wait_s == pytest.approx(start + 2 + 300 - clock.now)


def test_success_forgives_the_account_not_the_address(limiter_factory):
    limiter = limiter_factory(max_failures=3, max_address_failures=3)
    for name in ["alice", "alice", "mallory"]:
        limiter.record_failure(name, "10.0.0.1")
    limiter.record_success("alice", "10.0.0.1")
    assert limiter.check("alice", "10.0.0.2") is None
    assert limiter.check("alice", "10.0.0.1").by == "address"


def test_redis_limits_are_shared_by_workers_and_expire(redis_client, redis_prefix):
    workers = [make_limiter(REDIS_URL, 5, 1, key_prefix=redis_prefix) for _ in range(2)]
    for i in range(5):
        workers[i % 2].record_failure("alice", "10.0.0.1")
    assert 0 < workers[0].check("alice", "10.0.0.1").wait_s <= 1
    assert redis_client.pttl(next(redis_client.scan_iter(f"{redis_prefix}:*"))) <= 1000
    time.sleep(1.1)
    assert workers[1].check("alice", "10.0.0.1") is None
    assert list(redis_client.scan_iter(f"{redis_prefix}:*")) == []  # keys expire with the window


def test_redis_keys_do_not_hold_usernames(redis_client, redis_prefix):
    make_limiter(REDIS_URL, key_prefix=redis_prefix).record_failure("alice", "10.0.0.1")
    keys = [key.decode() for key in redis_client.scan_iter(f"{redis_prefix}:*")]
    assert len(keys) == 2 and not any("alice" in key or "10.0.0.1" in key for key in keys)


def test_unreachable_redis_falls_back_to_this_process(caplog):
    # Port 1 on localhost refuses connections at once.
    limiter = make_limiter("redis://127.0.0.1:1/0", max_failures=2)
    for _ in range(2):
        assert limiter.check("alice", "10.0.0.1") is None
        limiter.record_failure("alice", "10.0.0.1")
    assert limiter.check("alice", "10.0.0.1").wait_s > 0
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once, not once per request


def test_memory_store_forgets_stale_keys():
    store, clock = MemoryFailures(), FakeClock()
    limiter = LoginLimiter(store, 5, 10, clock=clock)
    for i in range(MemoryFailures._SWEEP_ABOVE + 1):
        limiter.record_failure(f"user{i}", "10.0.0.1")
    clock.now += 11
    limiter.record_failure("late", "10.0.0.2")
    assert len(store._times) <= 2


def test_redis_store_is_the_one_used_with_a_url(redis_prefix):
    assert isinstance(make_limiter(REDIS_URL, key_prefix=redis_prefix)._store, RedisFailures)
    assert isinstance(make_limiter(None)._store, MemoryFailures)


# Accounts that sign in through their organisation


def test_an_organisation_account_is_named_by_its_email_and_has_no_password(tmp_path):
    users = write_users(tmp_path, '[users."amina@example.org"]\nrole = "donor"\nsign_in = "organisation"\n')
    assert load_users(users) == {"amina@example.org": (None, Account("amina@example.org", "donor", ()))}
    for text, message in [
        ('[users.amina]\nrole = "donor"\nsign_in = "organisation"\n', "e-mail address"),
        ('[users."a@b.org"]\nrole = "donor"\nsign_in = "organisation"\npassword_hash = "x"\n', "no password_hash"),
        ('[users."a@b.org"]\nrole = "donor"\nsign_in = "sso"\n', "sign_in is 'sso'"),
    ]:
        with pytest.raises(AccountsError, match=message):
            load_users(write_users(tmp_path, text))


@pytest.mark.parametrize("claims, expected, from_groups", [
    ({"email": "AMINA@example.org", "email_verified": True}, Account("amina@example.org", "donor", ()), False),
    ({"email": "amina@example.org", "email_verified": False}, None, False),  # not verified: not trusted
    ({"email": "amina@example.org"}, None, False),
    ({"email": "rahim@example.org", "email_verified": True, "groups": ["admins", "government:BD30,BD3026"]},
     Account("rahim@example.org", "government", ("BD30", "BD3026")), True),
    ({"sub": "s-1", "groups": ["leadership"]}, Account("oidc:s-1", "leadership", ()), True),
    # An unverified address naming a users-file account gets the role of its groups, not the account's.
    ({"sub": "amina@example.org", "email": "amina@example.org", "email_verified": False, "groups": ["donor"]},
     Account("oidc:amina@example.org", "donor", ()), True),
    ({"sub": "s-2", "groups": ["government"]}, None, False),  # government needs a scope
    ({"sub": "s-3", "groups": ["government:XX99"]}, None, False),  # not a P-code
    ({"sub": "s-4", "groups": "leadership"}, None, False),  # a claim that is not a list
])
def test_an_organisation_sign_in_finds_the_account_by_verified_email_or_groups(claims, expected, from_groups):
    accounts = {"amina@example.org": (None, Account("amina@example.org", "donor", ())),
                "leadership": ("hash", Account("leadership", "leadership", ()))}
    assert organisation_account(claims, accounts, "groups", {"BD30", "BD3026"}) == (expected, from_groups)
