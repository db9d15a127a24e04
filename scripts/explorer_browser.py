#!/usr/bin/python3
"""Drives reports' latent explorers in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium) and prints what it saw as JSON, for Tests/CLITests/ExplorerBrowserTests.swift to
judge. It asserts nothing itself.

    explorer_browser.py CASES.json [--screenshots DIR]

CASES.json is a list of {"page": "/abs/path/index.html", "code": [z...], "label": k or null}. For
each page it loads file://page, waits for the explorer, reads the canvas, moves the first slider
with the keyboard as a person would (click, then arrow keys) and reads the canvas again, sets the
explorer's code to "code" and reads the canvas (the pixels, [C, H, W] 0…255) and the decoder's
floats, and collects the browser log's warnings and errors. It then opens the page with JavaScript
off and reports what is visible. `--check` only says whether the browser can start.
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CANVAS_PIXELS = """
const canvas = document.getElementById('explorer-canvas');
const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
return Array.from(data);
"""


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1200"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def planes(rgba, channels):
    """RGBA bytes of an H × W canvas as [C, H, W] values (C = 1: the red channel of a grey image)."""
    pixels = len(rgba) // 4
    return [rgba[4 * p + c] for c in range(channels) for p in range(pixels)]


def explore(driver, case, screenshots, index):
    driver.get("file://" + case["page"])
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("const a = document.getElementById('explorer-app'); return a && a.dataset.ready === 'true'")
        or d.find_elements(By.CSS_SELECTOR, "#latent-explorer .warning"))
    failure = driver.find_elements(By.CSS_SELECTOR, "#latent-explorer .warning")
    result = {"page": case["page"], "started": not failure, "failure": failure[0].text if failure else None}
    if failure:
        result["log"] = driver.get_log("browser")
        return result
    spec = driver.execute_script("return window.betavaeExplorer.spec")
    channels = spec["imageShape"][0]
    result["sliders"] = len(driver.find_elements(By.CSS_SELECTOR, ".explorer-slider input[type=range]"))
    result["activeSliders"] = len(driver.find_elements(By.CSS_SELECTOR, ".explorer-slider:not(.inactive) input[type=range]"))
    result["pickerButtons"] = len(driver.find_elements(By.CSS_SELECTOR, "#explorer-picker button"))
    if result["activeSliders"] == 0:
        driver.find_element(By.CSS_SELECTOR, ".explorer-inactive summary").click()   # open the inactive dimensions
    before = driver.execute_script(CANVAS_PIXELS)
    slider = driver.find_element(By.CSS_SELECTOR, ".explorer-slider input[type=range]")
    value_before = slider.get_attribute("value")
    slider.click()
    for _ in range(25):
        slider.send_keys(Keys.ARROW_RIGHT)
    draws = driver.execute_script("return document.getElementById('explorer-app').dataset.draws")
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.getElementById('explorer-app').dataset.draws") != draws
        or d.execute_script(CANVAS_PIXELS) != before)
    after = driver.execute_script(CANVAS_PIXELS)
    result["sliderMoved"] = {"dimension": int(slider.get_attribute("data-dimension")), "from": float(value_before),
                             "to": float(slider.get_attribute("value")),
                             "changedPixels": sum(1 for a, b in zip(before, after) if a != b)}
    # Picking another test image moves the code to that image's posterior mean.
    driver.find_elements(By.CSS_SELECTOR, "#explorer-picker button")[1].click()
    result["pickedCode"] = driver.execute_script("return window.betavaeExplorer.code()")
    driver.execute_script("window.betavaeExplorer.setCode(arguments[0], arguments[1])", case["code"], case.get("label"))
    result["canvas"] = planes(driver.execute_script(CANVAS_PIXELS), channels)
    result["decoded"] = driver.execute_script("return window.betavaeExplorer.decode(arguments[0], arguments[1])",
                                              case["code"], case.get("label"))
    result["shape"] = spec["imageShape"]
    if screenshots:
        section = driver.find_element(By.ID, "latent-explorer")
        driver.execute_script("arguments[0].scrollIntoView()", section)
        section.screenshot(f"{screenshots}/explorer-{index}.png")
    result["log"] = driver.get_log("browser")
    return result


def without_javascript(driver, case):
    driver.get("file://" + case["page"])
    section = driver.find_element(By.ID, "latent-explorer")
    return {"noscriptText": section.text, "explorerShown": driver.find_element(By.ID, "explorer-app").is_displayed(),
            "figuresShown": sum(1 for image in driver.find_elements(By.CSS_SELECTOR, "figure img")
                                if driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image))}


def main():
    if sys.argv[1:] == ["--check"]:
        driver = browser()
        driver.quit()
        print(json.dumps({"browser": "ok"}))
        return
    cases = json.load(open(sys.argv[1]))
    screenshots = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--screenshots" else None
    driver = browser()
    try:
        results = [explore(driver, case, screenshots, index) for index, case in enumerate(cases)]
    finally:
        driver.quit()
    driver = browser(javascript=False)
    try:
        for result, case in zip(results, cases):
            result["withoutJavaScript"] = without_javascript(driver, case)
    finally:
        driver.quit()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
