"""Opens a study report (report.html) in headless Chromium (Debian's chromium and
chromium-driver, through Selenium) and prints one JSON line describing each chart as the
browser drew it: its size on screen, its text labels, its marks (lines, bars, dots, cells).
Saves a screenshot of the first screen.

usage: python3 check_report_page.py REPORT.html SCREENSHOT.png
"""
import json
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    report, screenshot = sys.argv[1], sys.argv[2]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                 "--user-data-dir=" + tempfile.mkdtemp(prefix="fashion-report-")):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + report)
        charts = driver.execute_script("""
            return Array.from(document.querySelectorAll('svg.chart')).map(svg => {
              const box = svg.getBoundingClientRect();
              const marks = svg.querySelectorAll('polyline.series, rect.bar, circle.dot, line.mean, rect.cell');
              return { id: svg.closest('figure') ? svg.closest('figure').id : '',
                       width: box.width, height: box.height, top: box.top,
                       title: (svg.querySelector('title') || {}).textContent || '',
                       texts: Array.from(svg.querySelectorAll('text')).map(t => t.textContent),
                       marks: marks.length,
                       drawn: Array.from(marks).filter(m => {
                         const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length };
            });""")
        driver.save_screenshot(screenshot)
        print(json.dumps({"title": driver.title, "charts": charts}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
