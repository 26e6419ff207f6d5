"""Kameleoon's token flow and clone route, as a client written with plain
`requests` uses them, against a running emulator just reset to its seed.

    python token_and_clone.py http://127.0.0.1:PORT

Each check asserts statuses and fields; one line per check, then
"N passed, N failed"; the exit status is non-zero if any failed.
"""

import re
import sys
import traceback

import requests

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
TIMEOUT = 30
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# The seed's image 1001 (kameleoon-demo's site 1) and what a copy of it keeps.
SEED_PHOTO = {
    "fileName": "macbookwin1.jpg",
    "format": "JPEG",
    "width": 640,
    "height": 427,
    "siteId": 1,
    "source": "UPLOAD",
    "shared": False,
    "keywords": [],
}


def token(client_id="kameleoon-demo", secret="ips-emulator"):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return requests.post(BASE + "/oauth/token", data=form, timeout=TIMEOUT)


def bearer():
    reply = token()
    assert reply.status_code == 200, reply.text
    return {"Authorization": "Bearer " + reply.json()["access_token"]}


def assert_error(reply, status):
    """An ExternalResponseObject with this status."""
    assert reply.status_code == status, (reply.status_code, reply.text)
    assert reply.headers["Content-Type"].startswith("application/json"), reply.headers
    body = reply.json()
    assert body["status"] == "ERROR", body
    assert body["code"] == str(status), body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["name"], str) and body["name"], body
    assert isinstance(body["time"], int) and body["time"] > 0, body
    assert ISO_MILLIS.match(body["timestamp"]), body
    return body


def assert_copy(image, image_id, name):
    """An `Image` copied from the seed photo as `image_id`, named `name`."""
    for field, value in SEED_PHOTO.items():
        assert image[field] == value, (field, image)
    asset = f"{name}-{image_id}"
    assert image["id"] == image_id, image
    assert image["name"] == name, image
    assert image["createdById"] == 1, image
    assert image["path"] == f"/is/image/ApiTestCo/{asset}", image
    assert image["sourceUrl"] == BASE + image["path"], image
    assert image["fileWeight"] == -(-image["size"] // 1024), image
    assert ISO_MILLIS.match(image["date"]), image


def check_token_flow():
    reply = token()
    assert reply.status_code == 200, reply.text
    assert reply.headers["Cache-Control"] == "no-store", reply.headers
    granted = reply.json()
    assert granted["token_type"] == "Bearer", granted
    assert granted["expires_in"] == 7200, granted
    assert granted["access_token"].count(".") == 2, granted
    assert_error(token(secret="wrong"), 401)
    assert_error(token(client_id="nobody"), 401)
    no_grant = requests.post(BASE + "/oauth/token", data={"client_id": "kameleoon-demo"}, timeout=TIMEOUT)
    assert_error(no_grant, 400)


def check_clone_with_a_body():
    auth = bearer()
    body = {"name": "hero", "tags": ["launch"], "altText": "A rocket", "description": "Lift-off"}
    reply = requests.post(BASE + "/images/1001/clone", json=body, headers=auth, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    image = reply.json()
    assert_copy(image, 1002, "hero")
    assert (image["tags"], image["altText"], image["description"]) == (["launch"], "A rocket", "Lift-off"), image


def check_clone_without_a_body():
    reply = requests.post(BASE + "/images/1001/clone", headers=bearer(), timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    image = reply.json()
    assert_copy(image, 1003, "macbookwin1")
    assert (image["tags"], image["altText"], image["description"]) == ([], "", ""), image


def check_get_the_clone():
    auth = bearer()
    reply = requests.get(BASE + "/images/1002", headers=auth, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    assert_copy(reply.json(), 1002, "hero")
    served = requests.get(BASE + reply.json()["path"], timeout=TIMEOUT)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg", served.headers


def check_a_bad_token_is_401():
    for headers in ({"Authorization": "Bearer not.a.token"}, {}):
        reply = requests.post(BASE + "/images/1001/clone", headers=headers, timeout=TIMEOUT)
        assert_error(reply, 401)
        assert reply.headers["WWW-Authenticate"] == "Bearer", reply.headers


def check_an_unknown_image_is_404():
    reply = requests.post(BASE + "/images/999999/clone", headers=bearer(), timeout=TIMEOUT)
    body = assert_error(reply, 404)
    assert body["name"] == "NOT_FOUND", body


def check_another_clients_image_is_403():
    reply = requests.post(BASE + "/images/901/clone", headers=bearer(), timeout=TIMEOUT)
    body = assert_error(reply, 403)
    assert body["name"] == "FORBIDDEN", body
    # Refusals used up no id: the list still ends at the two clones.
    listed = requests.get(BASE + "/images", headers=bearer(), timeout=TIMEOUT)
    assert [i["id"] for i in listed.json()] == [1001, 1002, 1003], listed.text


CHECKS = [
    check_token_flow,
    check_clone_with_a_body,
    check_clone_without_a_body,
    check_get_the_clone,
    check_a_bad_token_is_401,
    check_an_unknown_image_is_404,
    check_another_clients_image_is_403,
]


def main():
    passed = failed = 0
    for check in CHECKS:
        try:
            check()
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {check.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"PASS {check.__name__}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
