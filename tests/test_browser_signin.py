"""Signing in and out as a person does on a shared office computer: the form, the pages, the sign-out button;
then the back button and a copied cookie show nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.signin import SESSION_COOKIE
from tests.conftest import open_page


def _replayed(base_url: str, cookie: str) -> int:
    request = urllib.request.Request(f"{base_url}/_dash-layout", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        assert json.loads(error.read()) == {"error": "Sign in to go on.", "sign_in": "/login"}
        return error.code


@pytest.mark.browser
@pytest.mark.parametrize("username, pages", [("leadership", ["/", "/five-year-targets", "/justice"]),
                                             ("donor", ["/district-map", "/quarterly-indicators"]),
                                             ("dhaka", ["/referrals", "/survivors"])])
def test_sign_in_move_between_pages_sign_out_and_nothing_is_left(open_browser, username, pages):
    driver = open_browser(username)  # signed in through the form
    for path in pages:
        open_page(driver, path)
        assert urlsplit(driver.current_url).path == path
        assert driver.find_element(By.ID, "main-content").text.strip()
    cookie = driver.get_cookie(SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    driver.find_element(By.CSS_SELECTOR, "button.sign-out").click()
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/login")
    assert "You have signed out." in driver.find_element(By.TAG_NAME, "body").text
    driver.back()
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/login")
    assert not driver.find_elements(By.ID, "main-content") or "sign-in" in driver.page_source
    assert "filter-period" not in driver.page_source
    assert _replayed(driver.base_url, cookie["value"]) == 401


@pytest.mark.browser
def test_an_anonymous_visit_signs_in_and_comes_back_to_the_page_asked(open_browser, chromium_paths):
    driver = open_browser("leadership")
    driver.delete_all_cookies()
    driver.get(driver.base_url + "/justice?lang=bn")
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/login")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "bn"
    assert driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button").text == "প্রবেশ করুন"
    driver.find_element(By.ID, "username").send_keys("leadership")
    driver.find_element(By.ID, "password").send_keys("wrong")
    driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button").click()
    assert "নাম বা পাসওয়ার্ড ঠিক নয়।" in driver.find_element(By.CSS_SELECTOR, ".message-error").text
    driver.find_element(By.ID, "username").send_keys("leadership")
    driver.find_element(By.ID, "password").send_keys("demo")
    driver.find_element(By.CSS_SELECTOR, "form.sign-in-form button").click()
    WebDriverWait(driver, 60).until(lambda d: urlsplit(d.current_url).path == "/justice")
    assert urlsplit(driver.current_url).query == "lang=bn"


@pytest.mark.browser
def test_a_page_whose_session_ended_sends_the_person_to_sign_in_and_back(open_browser):
    driver = open_browser("donor")
    open_page(driver, "/referrals")
    driver.delete_cookie(SESSION_COOKIE)  # as when the session ends on the server
    driver.find_element(By.CSS_SELECTOR, ".site-nav a[href='/justice']").click()  # callbacks now answer 401
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/login")
    assert "next=" in driver.current_url
