"""Renders a tessera-report's report.html in headless Chromium and checks what a reader sees.

  check_report_html.py REPORT_DIR

Every <img> of the page names a PNG beside it that decodes; Chromium loads each image at its
file's size (a page that embeds the report in a frame reads naturalWidth and naturalHeight, so
the report itself carries no script); no table cell of figures wraps onto a second line; a
screenshot of the page is a non-blank PNG. Exits 1 with a line per failure; Chromium missing is
a failure that says how to install it (tools/install-deps.sh).
"""

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

# Runs in the outer page once the report has loaded in its frame: the images as Chromium loaded
# them, and the cells of figures (not the prose columns) whose text takes more than one line.
PROBE_PAGE = """<!DOCTYPE html><html><body><pre id="out">the report did not load</pre>
<iframe id="report" src="{src}" width="1280" height="900"></iframe>
<script>
document.getElementById("report").addEventListener("load", () => {{
  const doc = document.getElementById("report").contentDocument;
  const images = Array.from(doc.images, i => ({{src: i.getAttribute("src"), complete: i.complete,
                                               width: i.naturalWidth, height: i.naturalHeight}}));
  const wrapped = Array.from(doc.querySelectorAll("td:not(.prose)")).filter(td => {{
    const range = doc.createRange();
    range.selectNodeContents(td);
    return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size > 1;
  }}).map(td => td.textContent);
  document.getElementById("out").textContent = JSON.stringify({{images, wrapped}});
}});
</script></body></html>
"""


class ImageSources(html.parser.HTMLParser):
    """The src of every <img> in a page."""

    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def chromium():
    """The Chromium executable, or exit 1 saying how to install it."""
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    print("FAIL: Chromium is not installed (no chromium or chromium-browser on PATH), and the report's HTML is "
          "checked in it; run tools/install-deps.sh (as root, or with sudo) to install it", file=sys.stderr)
    sys.exit(1)


def run_chromium(browser, profile, *args):
    """Runs headless Chromium (as root it needs --no-sandbox) and returns its stdout."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(f"FAIL: {' '.join(command)} exited {done.returncode}")
    return done.stdout


def loaded_page(browser, profile, report_html, work):
    """What the probe page read from the report as Chromium rendered it."""
    probe = os.path.join(work, "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(PROBE_PAGE.format(src="file://" + report_html))
    dom = run_chromium(browser, profile, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                       "--dump-dom", "file://" + probe)
    found = re.search(r'<pre id="out">([^<]*)</pre>', dom)
    text = html.unescape(found.group(1)) if found else "no output element"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        sys.exit(f"FAIL: Chromium did not run the probe page over {report_html}: '{text}'")


def main():
    report = os.path.abspath(sys.argv[1])
    report_html = os.path.join(report, "report.html")
    browser = chromium()
    failures = []
    parser = ImageSources()
    with open(report_html, encoding="utf-8") as f:
        parser.feed(f.read())
    sizes = {}
    for src in parser.sources:
        path = os.path.join(report, src)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            failures.append(f"<img src=\"{src}\">: no such PNG, or an empty one, beside report.html")
            continue
        pixels = mpimg.imread(path)
        sizes[src] = (pixels.shape[1], pixels.shape[0])
    with tempfile.TemporaryDirectory(prefix="report-html-") as work:
        profile = os.path.join(work, "profile")
        page = loaded_page(browser, profile, report_html, work)
        shown = {i["src"]: (i["width"], i["height"]) for i in page["images"] if i["complete"]}
        rendered = [i["src"] for i in page["images"]]
        if rendered != parser.sources:
            failures.append(f"Chromium's DOM has images {rendered}, the HTML {parser.sources}")
        failures += [f"Chromium loaded {src} at {shown.get(src)}, the file is {size[0]}x{size[1]}"
                     for src, size in sizes.items() if shown.get(src) != size]
        failures += [f"a table cell of figures wraps: '{text}'" for text in page["wrapped"]]
        shot = os.path.join(work, "screenshot.png")
        run_chromium(browser, profile, "--window-size=1280,2400", f"--screenshot={shot}", "file://" + report_html)
        pixels = mpimg.imread(shot)
        if pixels.shape[0] < 100 or pixels.std() == 0:
            failures.append(f"the screenshot of report.html is blank or tiny ({pixels.shape})")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f"report.html rendered in Chromium: {len(sizes)} images loaded, no figure wraps, screenshot "
          f"{pixels.shape[1]}x{pixels.shape[0]}")


if __name__ == "__main__":
    main()
