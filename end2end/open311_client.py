"""A published Open311 client (the `georeport` package from PyPI, written by
someone else) reads this server as a city system would: services, a service
definition, requests with filters and one request, in JSON and in XML.

Usage: open311_client.py BASE_URL API_KEY MODERATOR_PHONE MODERATOR_PASSWORD
"""
import sys

import requests
from georeport import GeoReport

base, api_key, mod_phone, mod_password = sys.argv[1:5]
root = f"{base}/open311/v2"
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    checks += 1


# A request POSTed with the key waits for review; a moderator approves it.
json_client = GeoReport(root, api_key=api_key, output_format="json")
services = json_client.get_service_list()
check(len(services) > 0, "services listed")
code = services[0]["service_code"]
posted = requests.post(
    f"{root}/requests.json",
    data={
        "api_key": api_key,
        "service_code": code,
        "lat": "39.7721",
        "long": "98.2891",
        "address_string": "新华中路与雄关东路交叉口",
        "description": "Open311 客户端测试：井盖松动",
    },
    timeout=30,
)
check(posted.status_code == 201, f"POST answered {posted.status_code}: {posted.text}")
token = posted.json()[0]["token"]
login = requests.post(
    f"{base}/api/v1/auth/login",
    json={"phone": mod_phone, "password": mod_password},
    timeout=30,
).json()
auth = {"Authorization": f"Bearer {login['token']}"}
queue = requests.get(
    f"{base}/api/v1/moderation/reports?status=pending_review&per_page=100", headers=auth, timeout=30
).json()
mine = [r for r in queue["items"] if r["description"] == "Open311 客户端测试：井盖松动"]
check(len(mine) >= 1, "the request is in the review queue")
report_id = mine[-1]["id"]
approved = requests.post(
    f"{base}/api/v1/reports/{report_id}/review", json={"decision": "approve"}, headers=auth, timeout=30
)
check(approved.status_code == 200, f"approved: {approved.text}")
tok = requests.get(f"{root}/tokens/{token}.json", timeout=30).json()
check(tok[0]["service_request_id"] == str(report_id), "the token finds the request")

for fmt in ("json", "xml"):
    client = GeoReport(root, api_key=api_key, output_format=fmt)
    services = client.get_service_list()
    if isinstance(services, dict):
        services = [services]
    names = {s["service_code"]: s["service_name"] for s in services}
    check(code in names, f"{fmt}: service {code} listed")
    definition = client.get_service_definition(code)
    check(definition["service_code"] == code, f"{fmt}: service definition")
    found = client.get_service_requests(status="open", service_code=code)
    if isinstance(found, dict):
        found = [found]
    ids = [r["service_request_id"] for r in found]
    check(str(report_id) in ids, f"{fmt}: the request among the open ones ({ids[:5]}…)")
    one = client.get_service_request(str(report_id))
    check(one["status"] == "open", f"{fmt}: status open")
    check(one["service_code"] == code, f"{fmt}: service code")
    check(one["agency_responsible"], f"{fmt}: agency responsible named")
    check(abs(float(one["lat"]) - 39.7721) < 1e-6 and abs(float(one["long"]) - 98.2891) < 1e-6, f"{fmt}: position")
    by_id = client.get_service_requests(service_request_id=str(report_id))
    if isinstance(by_id, dict):
        by_id = [by_id]
    check([r["service_request_id"] for r in by_id] == [str(report_id)], f"{fmt}: by id")

print(f"open311: {checks} passed, 0 failed")
