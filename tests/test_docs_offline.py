"""``/docs`` works offline: the Swagger UI page names no CDN, and every asset it loads comes
from the server itself (fastapi-offline's copy of Swagger UI), as does ReDoc's."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from pactlab.app.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(max_paths=300, max_jobs=1)) as c:
        yield c


def _assets(html: str) -> list[str]:
    """Every URL a page loads: script and link sources, and the spec the page fetches."""
    return re.findall(r'(?:src|href|spec-url)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_nothing_from_another_host(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert not re.search(r"https?://", r.text), re.findall(r"https?://[^\s\"']+", r.text)
    assets = _assets(r.text)
    assert "/openapi.json" in assets
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts and all(a.startswith("/") for a in assets)
    for url in assets:
        got = client.get(url)
        assert got.status_code == 200, url
        assert len(got.content) > (1_000 if url.endswith((".js", ".css")) else 10), url


def test_swagger_ui_is_the_bundle_itself(client: TestClient) -> None:
    html = client.get("/docs").text
    js = next(a for a in _assets(html) if a.endswith("swagger-ui-bundle.js"))
    css = next(a for a in _assets(html) if a.endswith(".css"))
    assert "SwaggerUIBundle" in client.get(js).text
    assert client.get(css).headers["content-type"].startswith("text/css")
    assert client.get("/openapi.json").json()["info"]["title"] == "pactlab"
