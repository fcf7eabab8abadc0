"""Smoke test of `make run`: the portal answers in Chinese, shows the demo documents and their
PDF list, and every demo user reaches /staff/.

Run by .ci/run against the server `make run` starts; standard library only, so it needs nothing
from the virtual environment. Usage: python3 scripts/smoke_run.py http://127.0.0.1:8765
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROLES = [
    "legal_officer",
    "clerk",
    "department_head",
    "leader",
    "liaison",
    "legal_adviser",
    "supervisor",
    "inspector",
    "sysadmin",
    "secadmin",
    "auditor",
    "district_overseer",
    "committee_clerk",
]


def wait_for(base: str, seconds: int = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(2)
    raise SystemExit(f"server at {base} did not answer within {seconds} s")


def sign_in(base: str, username: str, password: str) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "/staff/",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=data, headers={"Referer": base}
    )
    page = opener.open(request, timeout=10)
    return page.geturl(), page.read().decode()


def main(base: str, password: str) -> None:
    wait_for(base)
    home = urllib.request.urlopen(base + "/", timeout=10).read().decode()
    assert "法治政府建设公开平台" in home, "portal home is not the Chinese portal"
    # The demo documents on the portal, and the PDF export (WeasyPrint needs Pango and the CJK
    # fonts `make run` installs from Debian).
    library = urllib.request.urlopen(base + "/rules/", timeout=30).read().decode()
    assert "示民规〔" in library, "the portal library shows no demo document"
    with urllib.request.urlopen(base + "/rules/in-force.pdf", timeout=60) as response:
        assert response.read(5) == b"%PDF-", "the in-force list is not a PDF"
    print("ok  portal library and in-force PDF")
    # The disclosure catalogue: the demo's published records with their index numbers, and the
    # normative documents entered without re-entry.
    catalogue = urllib.request.urlopen(base + "/disclosure/catalogue/", timeout=30).read().decode()
    assert "示民公开-" in catalogue, "the disclosure catalogue shows no published demo record"
    assert "示民规〔" in catalogue, "the catalogue lacks the normative documents"
    print("ok  disclosure catalogue")
    # The published spot checks (案卷评查): each drawn plan with its seed, anyone may re-draw.
    plans = urllib.request.urlopen(base + "/oversight/spot-checks/", timeout=30).read().decode()
    assert 'data-plan="' in plans, "the portal shows no published sampling plan"
    print("ok  published spot checks")
    # Government services: the demo's centers offer appointments, the public rating figures
    # count the demo year's ratings.
    centers = urllib.request.urlopen(base + "/services/appointments/", timeout=30).read().decode()
    assert "东湖街道社区事务受理服务中心" in centers, "the portal offers no demo service center"
    figures = urllib.request.urlopen(base + "/services/ratings/", timeout=30).read().decode()
    assert re.search(r'data-figure="rate">\d+\.\d\d%', figures), "no public rating figures"
    print("ok  appointments and public rating figures")
    for role in ROLES:
        url, body = sign_in(base, role, password)
        assert url.endswith("/staff/") and "待办" in body, f"{role} did not reach /staff/ ({url})"
        print(f"ok  {role} signed in")
    print("smoke test of `make run` passed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "Fazhi-demo-2026")
