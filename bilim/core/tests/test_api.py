import json
def test_probe(demo, client):
    from bilim.core.services import token_create
    u = demo.user("district.esil")
    client.force_login(u)
    for url in ["/api/v1/me", "/api/v1/org-units?limit=3", "/api/v1/org-units?level=9&limit=-1&q=" + "x"*201, "/api/v1/org-units/0",
                "/api/v1/org-units/abc", "/api/v1/calendar/deadline?date=2025-01-03", "/api/v1/calendar/deadline?date=2026-03-21",
                "/api/v1/calendar/deadline?date=1800-01-01", "/api/v1/calendar/deadline?date=2025-13-01", f"/api/v1/org-units/{demo.esil.pk}",
                f"/api/v1/org-units/{demo.saryarka.pk}", "/api/v1/org-units?q=a%00b"]:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        print(url, r.status_code, r["Content-Type"], r.content.decode()[:700])
    r = client.post("/api/v1/me")
    print("POST", r.status_code, r["Content-Type"], r.content[:300])
    print(demo.esil.kato, demo.saryarka.kato, demo.esil.search_text)
