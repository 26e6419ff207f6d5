"""suds-community against the emulator: the client is built at run time from
the WSDL URL the emulator serves (IPS_WSDL_URL).

Prints one `check <what>: ok|FAIL <detail>` line per check and exits 0 only
if every check passed.
"""

import logging
import os
import platform
import sys
import uuid
import urllib.request

import suds
from suds.client import Client
from suds.transport import TransportError
from suds.transport.http import HttpTransport

# Check 7 is shared with the other Python stack (tests/interop/publish_check.py);
# importing it leaves no __pycache__ in the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.dont_write_bytecode = True
import metadata_check  # noqa: E402
import publish_check  # noqa: E402

AUTH_NS = "http://www.scene7.com/IpsApi/xsd"
# The authHeader the WSDL binds (2014-04-03 binds its own).
HEADER_NS = os.environ.get("IPS_HEADER_NS", AUTH_NS)
TYPES_NS = os.environ["IPS_TYPES_NS"]
BASE = os.environ["IPS_BASE_URL"]
USER, PASSWORD = "ipsuser@ips.test", "ips-emulator"
COMPANY, SOURCE, FOLDER = "c|6", "a|739|1|537", "ApiTestCo/"

# suds logs "unexpected HTTP status code 200" for a fault sent with HTTP 200.
logging.getLogger("suds.client").setLevel(logging.CRITICAL)

failed = False


def check(what, ok, detail=""):
    global failed
    print(f"check {what}: " + ("ok" if ok else f"FAIL {detail}"), flush=True)
    failed |= not ok


class StatusTransport(HttpTransport):
    """Remembers the HTTP status of the last SOAP reply (faults too)."""

    last_status = None

    def send(self, request):
        try:
            reply = super().send(request)
        except TransportError as e:
            self.last_status = e.httpcode
            raise
        self.last_status = reply.code if reply is not None else None
        return reply


transport = StatusTransport()
client = Client(os.environ["IPS_WSDL_URL"], cache=None, transport=transport)


def auth(user=USER, password=PASSWORD, fault_status=None):
    h = client.factory.create(f"{{{HEADER_NS}}}authHeader")
    h.user, h.password, h.appName, h.appVersion = user, password, "interop-suds", "1"
    if fault_status is not None:
        h.faultHttpStatusCode = fault_status
    client.set_options(soapheaders=h)


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def array_items(ret):
    """The items of a returned array; suds gives an empty one back as ''."""
    return list(getattr(ret, "items", None) or [])


def copy(name, modifier="", source=SOURCE):
    return client.service.copyImage(
        companyHandle=COMPANY, assetHandle=source, folderHandle=FOLDER, name=name, urlModifier=modifier
    )


def expect_fault(what, element, code, call, status):
    try:
        result = call()
    except suds.WebFault as f:
        detail = getattr(getattr(f.fault, "detail", None), element, None)
        if detail is None:
            check(what, False, f"no {element} detail in {f.fault!r}")
            return
        code_got, reason = getattr(detail, "code", None), getattr(detail, "reason", None)
        if code_got is None or str(code_got) != str(code):
            check(what, False, f"code {code_got!r}, wanted {code}")
        elif not reason:
            check(what, False, "empty reason")
        elif transport.last_status != status:
            check(what, False, f"HTTP {transport.last_status}, wanted {status}")
        else:
            check(what, True)
        return
    except Exception as e:  # noqa: BLE001
        check(what, False, f"{type(e).__name__}: {e}")
        return
    check(what, False, f"no fault; returned {result!r}")


def metadata(handle):
    """Check 8 (tests/interop/metadata_check.py) through suds' generated calls."""
    def set_value(h, value):
        client.service.setAssetMetadata(
            companyHandle=COMPANY, assetHandle=h,
            updateArray={"items": [{"fieldHandle": metadata_check.FIELD, "value": value}]},
        )

    def search(value):
        ret = client.service.searchAssetsByMetadata(
            companyHandle=COMPANY,
            metadataConditionArray={"items": [{"fieldHandle": metadata_check.KEY, "op": "Equals", "value": value}]},
            responseMetadataArray={"items": ["name"]},
        )
        return int(ret.totalRows), [str(s.assetHandle) for s in array_items(ret.assetSummaryArray)]

    def get_metadata(h):
        items = array_items(client.service.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [h]}))
        return [(str(m.name), str(m.value)) for m in array_items(items[0].metadataArray)] if len(items) == 1 else []

    metadata_check.run(check, set_value, search, get_metadata, handle, "suds " + uuid.uuid4().hex[:8])


def main():
    name = "suds-" + uuid.uuid4().hex[:8]
    auth()
    handle = None
    try:
        handle = copy(name)
        check("copyImage returns a handle", isinstance(handle, str) and handle.startswith("a|"), f"got {handle!r}")
    except Exception as e:  # noqa: BLE001
        check("copyImage returns a handle", False, f"{type(e).__name__}: {e}")

    try:
        ret = client.service.getAssetsByName(companyHandle=COMPANY, nameArray={"items": [name]})
        items = array_items(ret)
        if len(items) != 1:
            check("getAssetsByName finds the copy", False, f"{len(items)} items in {ret!r}")
        else:
            a = items[0]
            ok = a.assetHandle == handle and a.name == name and a.folder == FOLDER and a.type == "Image"
            check("getAssetsByName finds the copy", ok,
                  f"handle={a.assetHandle!r} name={a.name!r} folder={a.folder!r} type={a.type!r}")
    except Exception as e:  # noqa: BLE001
        check("getAssetsByName finds the copy", False, f"{type(e).__name__}: {e}")

    name2 = name + "-png"
    try:
        h2 = copy(name2, "wid=120&fmt=png")
        with urllib.request.urlopen(f"{BASE}/is/image/ApiTestCo/{name2}") as r:
            size = png_size(r.read())
        check("urlModifier copy served as 120px PNG",
              isinstance(h2, str) and h2.startswith("a|") and size is not None and size[0] == 120 and size[1] > 0,
              f"handle {h2!r}, PNG size {size}")
    except Exception as e:  # noqa: BLE001
        check("urlModifier copy served as 120px PNG", False, f"{type(e).__name__}: {e}")

    fresh = lambda: "suds-" + uuid.uuid4().hex[:8]  # noqa: E731
    auth(password="wrong")
    expect_fault("authenticationFault 10001", "authenticationFault", 10001, lambda: copy(fresh()), 500)
    auth(user="portaluser@ips.test")
    expect_fault("authorizationFault 20003", "authorizationFault", 20003, lambda: copy(fresh()), 500)
    auth()
    expect_fault("ipsApiFault 30001 (HTTP 500)", "ipsApiFault", 30001,
                 lambda: copy(fresh(), source="a|999|1|999"), 500)
    auth(fault_status=200)
    expect_fault("ipsApiFault 30001 (HTTP 200)", "ipsApiFault", 30001,
                 lambda: copy(fresh(), source="a|999|1|999"), 200)

    auth()
    if os.environ.get("IPS_API_VERSION") == "2014-04-03":
        metadata(handle)

    job = client.factory.create(f"{{{TYPES_NS}}}ImageServingPublishJob")
    job.publishType, job.emailSetting = "Full", "None"
    publish_check.run(
        check,
        submit=lambda job_name: client.service.submitJob(
            companyHandle=COMPANY, jobName=job_name, imageServingPublishJob=job
        ),
        active_jobs=lambda handle: array_items(client.service.getActiveJobs(jobHandle=handle)),
        job_logs=lambda: array_items(client.service.getJobLogs(companyHandle=COMPANY)),
    )


if __name__ == "__main__":
    print(f"version {suds.__version__} (Python {platform.python_version()})", flush=True)
    main()
    sys.exit(1 if failed else 0)
