#!/usr/bin/env python3
"""Serves the documentation site built by Docs/build.sh on 127.0.0.1 and checks it.

1. Every page the site links to is fetched, starting from the landing page: its HTML route and
   its DocC data (JSON), every image and download it references, and the page shell's scripts
   and style sheets. Any that is missing is a broken link; the script then exits with status 1.
2. When Debian's `chromium` is installed, three pages (the landing page, the article
   "Backpropagation step by step" and `Dense`) are rendered in headless Chromium and must show
   their titles; with --screenshots DIR, their screenshots are written there.

usage: python3 Docs/check-site.py [SITE] [--screenshots DIR]   (SITE defaults to .build/docs/site)
"""

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request

# The pages rendered in the browser: (name, route, the title the page must show).
BROWSER_PAGES = [
    ("landing", "/documentation/", "swift-nn"),
    ("article", "/documentation/nncore/backpropagationstepbystep", "Backpropagation step by step"),
    ("symbol", "/documentation/nncore/dense", "Dense"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site's files without logging every request."""

    def log_message(self, format, *args):
        pass


def fetch(base, path):
    """The body of `path`, or None when the server does not have it."""
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError:
        return None


def data_path(route):
    """The DocC data file of a page's route: /documentation/nncore/dense → /data/documentation/nncore/dense.json."""
    return "/data" + route.rstrip("/") + ".json"


def check_links(base):
    """Crawls the site from the landing page; returns (pages, assets, broken, external)."""
    broken, external, assets = [], set(), set()
    seen, queue = set(), [("/documentation/", "the site's root")]
    while queue:
        route, linked_from = queue.pop()
        if route in seen:
            continue
        seen.add(route)
        if fetch(base, route) is None:
            broken.append(f"{route} (linked from {linked_from}): no HTML page")
        body = fetch(base, data_path(route))
        if body is None:
            broken.append(f"{route} (linked from {linked_from}): no data at {data_path(route)}")
            continue
        page = json.loads(body)
        for reference in page.get("references", {}).values():
            urls = [reference.get("url")] + [v.get("url") for v in reference.get("variants", [])]
            for url in filter(None, urls):
                if url.startswith(("http://", "https://")):
                    external.add(url)
                elif reference.get("type") == "topic":
                    queue.append((url.split("#")[0], route))
                elif url.startswith("/"):
                    assets.add((url, route))
    for url, route in sorted(assets):
        if fetch(base, url) is None:
            broken.append(f"{url} (referenced by {route}): missing")
    shell = (fetch(base, "/documentation/") or b"").decode("utf-8", "replace")
    for url in re.findall(r'(?:src|href)="(/[^"]+)"', shell):
        if fetch(base, url) is None:
            broken.append(f"{url} (the page shell): missing")
    for url in ["/index/index.json"]:
        if fetch(base, url) is None:
            broken.append(f"{url} (the navigator's index): missing")
    return seen, assets, broken, sorted(external)


def check_in_browser(base, screenshots):
    """Renders BROWSER_PAGES in headless Chromium; returns the problems found."""
    chromium = shutil.which("chromium")
    if chromium is None:
        print("skipped: the browser check, chromium is not installed (apt-get install chromium)")
        return []
    problems = []
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--window-size=1280,900", "--virtual-time-budget=10000"]
    for name, route, title in BROWSER_PAGES:
        dom = subprocess.run(common + ["--dump-dom", base + route], capture_output=True, text=True, timeout=120).stdout
        headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", dom, re.S)]
        if title not in headings:
            problems.append(f"{route}: Chromium rendered no heading '{title}' (headings: {headings})")
        else:
            print(f"browser: {route} shows its title '{title}'")
        if screenshots:
            path = os.path.join(screenshots, f"{name}.png")
            subprocess.run(common + [f"--screenshot={path}", base + route], capture_output=True, timeout=120)
            if not os.path.exists(path):
                problems.append(f"{route}: Chromium wrote no screenshot")
            else:
                print(f"browser: screenshot of {route} in {path}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", nargs="?", default=".build/docs/site")
    parser.add_argument("--screenshots", metavar="DIR")
    arguments = parser.parse_args()
    if not os.path.isfile(os.path.join(arguments.site, "index.html")):
        print(f"check-site: {arguments.site}: no site here; build it with bash Docs/build.sh", file=sys.stderr)
        return 2
    if arguments.screenshots:
        os.makedirs(arguments.screenshots, exist_ok=True)

    handler = functools.partial(QuietHandler, directory=arguments.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        pages, assets, broken, external = check_links(base)
        print(f"links: {len(pages)} pages and {len(assets)} images or downloads fetched from {base}; "
              f"{len(broken)} broken")
        if external:
            print(f"links: {len(external)} external links not fetched (no internet here): {', '.join(external)}")
        problems = broken + check_in_browser(base, arguments.screenshots)
    finally:
        server.shutdown()
    for problem in problems:
        print(f"check-site: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
