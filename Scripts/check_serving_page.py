"""Opens the page of a running `fashion serve` in headless Chromium (Debian's chromium and
chromium-driver, through Selenium), uploads photos through its file input as a person would,
waits for every card to be answered, asks "Why?" of each, and prints one JSON line with what the page shows. Saves
a screenshot.

usage: python3 check_serving_page.py PORT SCREENSHOT.png PHOTO.png [PHOTO.png ...]
"""
import json
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def main():
    port, screenshot, photos = sys.argv[1], sys.argv[2], sys.argv[3:]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1000",
                 "--user-data-dir=" + tempfile.mkdtemp(prefix="fashion-page-")):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        models = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#model option")]
        driver.find_element(By.ID, "files").send_keys("\n".join(photos))
        WebDriverWait(driver, 30).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card")) == len(photos)
            and all(c.get_attribute("data-status") != "pending" for c in d.find_elements(By.CSS_SELECTOR, ".card")))
        # "Why?" on every answered card: a saliency map drawn on a canvas.
        answered = [c for c in driver.find_elements(By.CSS_SELECTOR, ".card")
                    if c.get_attribute("data-status") == "done"]
        for card in answered:
            card.find_element(By.CSS_SELECTOR, ".why button").click()
        WebDriverWait(driver, 30).until(
            lambda d: all(c.get_attribute("data-explained") in ("done", "error") for c in answered))
        cards = []
        for card in driver.find_elements(By.CSS_SELECTOR, ".card"):
            rows = card.find_elements(By.CSS_SELECTOR, ".row")
            cards.append({
                "status": card.get_attribute("data-status"),
                "name": card.find_element(By.CSS_SELECTOR, ".name").text,
                "classes": [r.get_attribute("data-class-name") for r in rows],
                "values": [r.find_element(By.CSS_SELECTOR, ".value").text for r in rows],
                "bars": [r.find_element(By.CSS_SELECTOR, ".fill").get_attribute("style") for r in rows],
                "meta": " ".join(m.text for m in card.find_elements(By.CSS_SELECTOR, ".meta")),
                "error": " ".join(e.text for e in card.find_elements(By.CSS_SELECTOR, ".error")),
                "explained": card.get_attribute("data-explained"),
                "explanation": " ".join(p.text for p in card.find_elements(By.CSS_SELECTOR, ".explanation p")),
                # Distinct colours on the map's canvas: a drawn map, not a blank one.
                "mapColours": driver.execute_script(
                    "const c = arguments[0].querySelector('.explanation canvas'); if (!c) return 0;"
                    "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();"
                    "for (let i = 0; i < d.length; i += 4) s.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);"
                    "return s.size;",
                    card),
                "imageLoaded": driver.execute_script(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0",
                    card.find_element(By.TAG_NAME, "img")),
            })
        driver.save_screenshot(screenshot)
        print(json.dumps({"models": models, "cards": cards}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
