"""Open the built Evidence site in headless Chromium and report what a reader would see.

``check_site(build_dir)`` serves the static site on a free localhost port, opens every
page in Debian's Chromium, waits until the data has rendered (every query loaded,
every chart drawn) and returns, per page, the rendered text, the BigValue headlines, the
charts with their series and how many coloured pixels they painted, plus any console
errors and any request to a host other than localhost. Requests to other hosts are
blocked (and recorded): the published site must work offline.

Driver: the ``playwright`` Python package, pointed at the system Chromium with
``executable_path`` (it never downloads a browser of its own). It gives request routing
(block and record external requests), console and page-error events, and
``wait_for_function`` for "data rendered" in a few lines; plain Chrome DevTools Protocol
would need the same features written by hand over a websocket.

Run by hand: ``python tests/browser.py reports/build [screenshots-dir]``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def find_chromium() -> str | None:
    """``LIFECYCLE_CHROMIUM``, else Debian's ``chromium`` on PATH."""
    explicit = os.environ.get("LIFECYCLE_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, with SvelteKit's ``/page`` -> ``page.html`` and a wasm MIME type."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".parquet": "application/octet-stream",
        ".webmanifest": "application/manifest+json",
    }

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)
        if not os.path.exists(translated) and os.path.exists(translated + ".html"):
            return translated + ".html"
        return translated

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def serve(build_dir: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``build_dir`` on a free port of 127.0.0.1 in a daemon thread; return server, URL."""
    handler = functools.partial(_SiteHandler, directory=str(build_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def site_pages(build_dir: Path) -> list[str]:
    """URL paths of the site's pages: every prerendered HTML file outside ``_app``."""
    pages = []
    for html in sorted(Path(build_dir).rglob("*.html")):
        relative = html.relative_to(build_dir)
        # _app/api/data: Evidence's code and data; data-docs: the GX Data Docs copy.
        if relative.parts[0] in {"_app", "api", "data", "data-docs"}:
            continue
        if relative.name == "index.html":
            path = "/" + "/".join(relative.parts[:-1])
        else:
            path = "/" + relative.with_suffix("").as_posix()
        pages.append(path.rstrip("/") or "/")
    return sorted(set(pages), key=lambda p: (p != "/", p))


# Ready when: no skeleton/loading placeholders, every chart element has an ECharts
# instance (Evidence registers them under a well-known symbol) whose series hold data.
_READY_JS = """
() => {
    const loading = document.querySelectorAll('[aria-busy="true"], .animate-pulse');
    if (loading.length) return false;
    const instances = Object.values(window[Symbol.for('__evidence-chart-window-debug__')] || {});
    const chartDivs = document.querySelectorAll('div.chart');
    if (instances.length < chartDivs.length) return false;
    for (const chart of instances) {
        const series = (chart.getOption() || {}).series || [];
        if (!series.length) return false;
    }
    return document.readyState === 'complete';
}
"""

_COLLECT_JS = """
() => {
    const bigValues = {};
    for (const box of document.querySelectorAll('div.inline-block.font-sans')) {
        const title = box.querySelector(':scope > p.text-sm');
        const value = box.querySelector(':scope > div.text-xl');
        if (title && value) bigValues[title.innerText.trim()] = value.innerText.trim();
    }
    const charts = [];
    const instances = Object.values(window[Symbol.for('__evidence-chart-window-debug__')] || {});
    for (const chart of instances) {
        const option = chart.getOption() || {};
        const title = ((option.title || [])[0] || {}).text || null;
        const dom = chart.getDom();
        const canvas = dom.querySelector('canvas');
        let paintedPixels = null;
        if (canvas) {
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            // Series are drawn in colour; background, grid, axes and labels are grey.
            paintedPixels = 0;
            for (let i = 0; i < data.length; i += 4) {
                const hi = Math.max(data[i], data[i + 1], data[i + 2]);
                const lo = Math.min(data[i], data[i + 1], data[i + 2]);
                if (data[i + 3] > 0 && hi - lo > 40) paintedPixels++;
            }
        }
        const series = (option.series || []).map(s => ({
            name: s.name == null ? null : String(s.name),
            type: s.type,
            points: (s.data || []).filter(d => {
                const v = Array.isArray(d) ? d[d.length - 1]
                    : (d && d.value !== undefined ? d.value : d);
                const y = Array.isArray(v) ? v[v.length - 1] : v;
                return y !== null && y !== undefined && y !== '-';
            }).length,
        }));
        const surface = canvas || dom.querySelector('svg');
        const box = surface ? surface.getBoundingClientRect() : null;
        charts.push({
            title,
            renderer: canvas ? 'canvas' : (dom.querySelector('svg') ? 'svg' : null),
            rendered: Boolean(box && box.width > 0 && box.height > 0),
            coloured_pixels: paintedPixels,
            series,
            drawn: series.some(s => s.points > 0) && (canvas ? paintedPixels > 100 : true),
        });
    }
    return {
        title: document.title,
        headings: Array.from(document.querySelectorAll('article h1, article h2, h1, h2'))
            .map(h => h.innerText.trim()).filter((v, i, a) => v && a.indexOf(v) === i),
        text: (document.querySelector('article') || document.body).innerText,
        big_values: bigValues,
        charts,
        chart_containers: document.querySelectorAll('div.chart').length,
        tables: document.querySelectorAll('table').length,
        // Data rows (rows with cells) per table.
        table_rows: Array.from(document.querySelectorAll('table')).map(
            t => Array.from(t.querySelectorAll('tr')).filter(r => r.querySelector('td')).length),
        // Evidence's empty state ("No Records", or a custom emptyMessage) and "No Results".
        empty_states: Array.from(document.querySelectorAll(
            '.border-dashed.text-base-content-muted, .noresults.shownoresults'))
            .map(e => e.innerText.trim()),
        // Evidence's error blocks: charts, values, big values and inputs that failed.
        error_blocks: Array.from(document.querySelectorAll('[class*="border-negative/50"]'))
            .map(e => e.innerText.trim().slice(0, 300)),
        links: Array.from(document.querySelectorAll('article a[href]'))
            .map(a => a.getAttribute('href')),
    };
}
"""


def check_site(
    build_dir: Path,
    *,
    pages: list[str] | None = None,
    timeout_s: float = 60,
    screenshot_dir: Path | None = None,
    chromium: str | None = None,
) -> dict[str, Any]:
    """Open every page of the built site in headless Chromium and return what it showed.

    Returns ``{"base_url", "pages": {path: {...}}, "console_errors", "external_requests",
    "failed_requests"}`` where each page has ``title``, ``headings``, ``text``,
    ``big_values`` (title -> rendered value), ``charts`` (title, renderer, series with
    point counts, ``coloured_pixels`` on the canvas, ``drawn``), ``tables``, ``ready``
    (False if the data never finished rendering within ``timeout_s``), ``chart_containers``
    (chart elements on the page), ``table_rows`` (data rows per table), ``empty_states``
    and ``error_blocks`` (the text of Evidence's empty-dataset and error placeholders),
    ``links`` and its own ``console_errors``. With ``screenshot_dir`` (default: the
    ``LIFECYCLE_SCREENSHOTS`` variable, if set) a full-page PNG of each page is saved there.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    build_dir = Path(build_dir)
    if screenshot_dir is None and os.environ.get("LIFECYCLE_SCREENSHOTS"):
        screenshot_dir = Path(os.environ["LIFECYCLE_SCREENSHOTS"])
    executable = chromium or find_chromium()
    if executable is None:
        raise FileNotFoundError("Chromium not found: apt-get install -y chromium")
    pages = pages or site_pages(build_dir)
    server, base_url = serve(build_dir)
    result: dict[str, Any] = {
        "base_url": base_url,
        "pages": {},
        "console_errors": [],
        "external_requests": [],
        "failed_requests": [],
    }
    current = {"page": None}

    def route(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            result["external_requests"].append({"page": current["page"], "url": url})
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def on_console(message: Any) -> None:
        if message.type == "error":
            entry = {"page": current["page"], "text": message.text}
            result["console_errors"].append(entry)

    def on_page_error(error: Any) -> None:
        result["console_errors"].append({"page": current["page"], "text": f"pageerror: {error}"})

    def on_response(response: Any) -> None:
        if response.status >= 400:
            result["failed_requests"].append(
                {"page": current["page"], "url": response.url, "status": response.status}
            )

    def on_websocket(ws: Any) -> None:
        if urlsplit(ws.url).hostname not in LOCAL_HOSTS:
            result["external_requests"].append({"page": current["page"], "url": ws.url})

    user_data_dir = tempfile.mkdtemp(prefix="lifecycle-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                user_data_dir,
                executable_path=executable,
                headless=True,
                args=list(CHROMIUM_FLAGS),
                viewport={"width": 1280, "height": 1600},
                service_workers="block",
            )
            try:
                context.route("**/*", route)
                page = context.pages[0] if context.pages else context.new_page()
                page.on("console", on_console)
                page.on("pageerror", on_page_error)
                page.on("response", on_response)
                page.on("websocket", on_websocket)
                for path in pages:
                    current["page"] = path
                    errors_before = len(result["console_errors"])
                    page.goto(base_url + path, wait_until="load", timeout=timeout_s * 1000)
                    ready = True
                    try:
                        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
                        page.wait_for_function(_READY_JS, timeout=timeout_s * 1000, polling=250)
                        # Charts animate in; let them finish before reading pixels.
                        page.wait_for_timeout(1500)
                    except PlaywrightTimeout:
                        ready = False
                    seen = page.evaluate(_COLLECT_JS)
                    seen["ready"] = ready
                    seen["console_errors"] = [
                        e["text"] for e in result["console_errors"][errors_before:]
                    ]
                    if screenshot_dir is not None:
                        Path(screenshot_dir).mkdir(parents=True, exist_ok=True)
                        name = path.strip("/").replace("/", "_") or "index"
                        page.screenshot(
                            path=str(Path(screenshot_dir) / f"{name}.png"), full_page=True
                        )
                    result["pages"][path] = seen
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(user_data_dir, ignore_errors=True)
    return result


if __name__ == "__main__":
    import sys

    seen = check_site(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("reports/build"),
        screenshot_dir=Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
    for page in seen["pages"].values():
        page["text"] = page["text"][:300]
    print(json.dumps(seen, indent=2, default=str))
