"""zeep against the emulator: the client is built at run time from a WSDL.

    client.py emulator   -- from the WSDL the emulator serves (IPS_WSDL_URL)
    client.py adobe      -- from Adobe's IpsApi-2013-02-15.wsdl (IPS_ADOBE_WSDL),
                            its address pointed at IPS_SERVICE_URL

Prints one `check <what>: ok|FAIL <detail>` line per check and exits 0 only
if every check passed.
"""

import os
import platform
import sys
import uuid
import urllib.request

import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport

# Check 7 is shared with the other Python stack (tests/interop/publish_check.py);
# importing it leaves no __pycache__ in the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.dont_write_bytecode = True
import metadata_check  # noqa: E402
import publish_check  # noqa: E402

AUTH_NS = "http://www.scene7.com/IpsApi/xsd"
BASE = os.environ["IPS_BASE_URL"]
SERVICE = os.environ["IPS_SERVICE_URL"]
USER, PASSWORD = "ipsuser@ips.test", "ips-emulator"
COMPANY, SOURCE, FOLDER = "c|6", "a|739|1|537", "ApiTestCo/"

failed = False


def check(what, ok, detail=""):
    global failed
    print(f"check {what}: " + ("ok" if ok else f"FAIL {detail}"), flush=True)
    failed |= not ok


class StatusTransport(Transport):
    """Remembers the HTTP status of the last reply (faults too)."""

    last_status = None

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        self.last_status = response.status_code
        return response


def auth(user=USER, password=PASSWORD, **extra):
    return {"authHeader": dict(user=user, password=password, appName="interop-zeep", appVersion="1", **extra)}


def typed_fault(client, fault):
    """The fault detail parsed as the typed element the WSDL declares."""
    if fault.detail is None or len(fault.detail) == 0:
        return None, None
    node = fault.detail[0]
    element = client.get_element(node.tag)
    return node.tag, element.parse(node, client.wsdl.types)


def expect_fault(client, transport, what, element, code, call, status=None):
    try:
        result = call()
    except Fault as f:
        tag, value = typed_fault(client, f)
        got_status = transport.last_status
        if tag != f"{{{AUTH_NS}}}{element}":
            check(what, False, f"detail element {tag}, wanted {element}")
        elif not isinstance(value.code, int) or value.code != code:
            check(what, False, f"code {value.code!r}, wanted int {code}")
        elif not value.reason:
            check(what, False, "empty reason")
        elif status is not None and got_status != status:
            check(what, False, f"HTTP {got_status}, wanted {status}")
        else:
            check(what, True)
        return
    except Exception as e:  # noqa: BLE001 - reported as the check's failure
        check(what, False, f"{type(e).__name__}: {e}")
        return
    check(what, False, f"no fault; returned {result!r}")


def array_items(ret):
    """zeep unwraps a return whose one child is an array (getAssetsReturn/
    assetArray/items, getActiveJobsReturn/jobArray/items…) to a list, or to
    None when the array is empty."""
    if ret is None:
        return []
    if isinstance(ret, list):
        return ret
    return list(ret.items or [])


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def metadata(svc, handle, label=""):
    """Check 8 (tests/interop/metadata_check.py) through zeep's generated calls."""
    def set_value(h, value):
        svc.setAssetMetadata(companyHandle=COMPANY, assetHandle=h, _soapheaders=auth(),
                             updateArray={"items": [{"fieldHandle": metadata_check.FIELD, "value": value}]})

    def search(value):
        ret = svc.searchAssetsByMetadata(
            companyHandle=COMPANY, _soapheaders=auth(),
            metadataConditionArray={"items": [{"fieldHandle": metadata_check.KEY, "op": "Equals", "value": value}]},
            responseMetadataArray={"items": ["name"]},
        )
        return ret.totalRows, [s.assetHandle for s in array_items(ret.assetSummaryArray)]

    def get_metadata(h):
        items = array_items(svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [h]}, _soapheaders=auth()))
        return [(m.name, m.value) for m in array_items(items[0].metadataArray)] if len(items) == 1 else []

    metadata_check.run(check, set_value, search, get_metadata, handle, "zeep " + uuid.uuid4().hex[:8], label)


def emulator():
    transport = StatusTransport()
    client = zeep.Client(os.environ["IPS_WSDL_URL"], transport=transport)
    svc = client.bind("IpsApiService", "IpsApiSoapPort")
    name = "zeep-" + uuid.uuid4().hex[:8]

    # a. copyImage, empty urlModifier
    handle = None
    try:
        handle = svc.copyImage(
            companyHandle=COMPANY, assetHandle=SOURCE, folderHandle=FOLDER,
            name=name, urlModifier="", _soapheaders=auth(),
        )
        check("copyImage returns a handle", isinstance(handle, str) and handle.startswith("a|"), f"got {handle!r}")
    except Exception as e:  # noqa: BLE001
        check("copyImage returns a handle", False, f"{type(e).__name__}: {e}")

    # b. the copy through getAssets, from the typed result
    try:
        ret = svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [handle]}, _soapheaders=auth())
        items = array_items(ret)
        if len(items) != 1:
            check("getAssets finds the copy", False, f"{len(items)} items")
        else:
            a = items[0]
            ok = a.assetHandle == handle and a.name == name and a.folder == FOLDER and a.type == "Image"
            check("getAssets finds the copy", ok,
                  f"handle={a.assetHandle!r} name={a.name!r} folder={a.folder!r} type={a.type!r}")
    except Exception as e:  # noqa: BLE001
        check("getAssets finds the copy", False, f"{type(e).__name__}: {e}")

    # c. a rendered copy, looked at through /is/image
    name2 = name + "-png"
    try:
        h2 = svc.copyImage(
            companyHandle=COMPANY, assetHandle=SOURCE, folderHandle=FOLDER,
            name=name2, urlModifier="wid=120&fmt=png", _soapheaders=auth(),
        )
        with urllib.request.urlopen(f"{BASE}/is/image/ApiTestCo/{name2}") as r:
            size = png_size(r.read())
        check("urlModifier copy served as 120px PNG",
              bool(h2) and h2.startswith("a|") and size is not None and size[0] == 120 and size[1] > 0,
              f"handle {h2!r}, PNG size {size}")
    except Exception as e:  # noqa: BLE001
        check("urlModifier copy served as 120px PNG", False, f"{type(e).__name__}: {e}")

    def copy(header, source=SOURCE):
        return lambda: svc.copyImage(
            companyHandle=COMPANY, assetHandle=source, folderHandle=FOLDER,
            name="zeep-" + uuid.uuid4().hex[:8], urlModifier="", _soapheaders=header,
        )

    expect_fault(client, transport, "authenticationFault 10001", "authenticationFault", 10001,
                 copy(auth(password="wrong")), status=500)
    expect_fault(client, transport, "authorizationFault 20003", "authorizationFault", 20003,
                 copy(auth(user="portaluser@ips.test")), status=500)
    expect_fault(client, transport, "ipsApiFault 30001 (HTTP 500)", "ipsApiFault", 30001,
                 copy(auth(), source="a|999|1|999"), status=500)
    expect_fault(client, transport, "ipsApiFault 30001 (HTTP 200)", "ipsApiFault", 30001,
                 copy(auth(faultHttpStatusCode=200), source="a|999|1|999"), status=200)

    if os.environ.get("IPS_API_VERSION") == "2014-04-03":
        metadata(svc, handle)

    publish_check.run(
        check,
        submit=lambda job_name: svc.submitJob(
            companyHandle=COMPANY, jobName=job_name,
            imageServingPublishJob={"publishType": "Full", "emailSetting": "None"}, _soapheaders=auth(),
        ),
        active_jobs=lambda handle: array_items(svc.getActiveJobs(jobHandle=handle, _soapheaders=auth())),
        job_logs=lambda: array_items(svc.getJobLogs(companyHandle=COMPANY, _soapheaders=auth())),
    )


def pre40():
    """The pre-4.0 API (IpsApi.wsdl), which has no copyImage: reads, a folder, faults."""
    transport = StatusTransport()
    client = zeep.Client(os.environ["IPS_WSDL_URL"], transport=transport)
    svc = client.bind("IpsApiService", "IpsApiSoapPort")
    try:
        info = svc.getCompanyInfo(companyName="ApiTestCo", _soapheaders=auth())
        check("getCompanyInfo (pre-4.0)", info.companyHandle == COMPANY and info.rootPath == FOLDER,
              f"handle={info.companyHandle!r} root={info.rootPath!r}")
        items = array_items(svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [SOURCE]},
                                          _soapheaders=auth()))
        a = items[0] if len(items) == 1 else None
        check("getAssets (pre-4.0) reads the seed asset",
              a is not None and a.name == "macbookwin1" and a.type == "Image" and a.readyForPublish is True
              and a.imageInfo.width == 640,
              f"{len(items)} items" if a is None else f"name={a.name!r} ready={a.readyForPublish!r}")
        found = svc.searchAssets(
            companyHandle=COMPANY, includeSubfolders=True,
            systemFieldConditionArray={"items": [{"field": "Name", "op": "StartsWith", "value": "mac"}]},
            _soapheaders=auth(),
        )
        check("searchAssets (pre-4.0) with a value-only condition", found.totalRows == 1, f"{found.totalRows!r}")
        folder = "zeep-" + uuid.uuid4().hex[:8]
        handle = svc.createFolder(companyHandle=COMPANY, folderPath="/" + folder, _soapheaders=auth())
        check("createFolder (pre-4.0)", handle == f"{FOLDER}{folder}/", f"got {handle!r}")
    except Exception as e:  # noqa: BLE001
        check("pre-4.0 calls", False, f"{type(e).__name__}: {e}")
    expect_fault(client, transport, "authenticationFault 10001 (pre-4.0)", "authenticationFault", 10001,
                 lambda: svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [SOURCE]},
                                       _soapheaders=auth(password="wrong")), status=500)
    expect_fault(client, transport, "authorizationFault 20003 (pre-4.0)", "authorizationFault", 20003,
                 lambda: svc.createFolder(companyHandle=COMPANY, folderPath="/zeep-" + uuid.uuid4().hex[:8],
                                          _soapheaders=auth(user="portaluser@ips.test")), status=500)
    for status, header in ((500, auth()), (200, auth(faultHttpStatusCode=200))):
        expect_fault(client, transport, f"ipsApiFault 30001 (pre-4.0, HTTP {status})", "ipsApiFault", 30001,
                     lambda header=header: svc.deleteAsset(companyHandle=COMPANY, assetHandle="a|999|1|999",
                                                           _soapheaders=header), status=status)


def adobe():
    transport = StatusTransport()
    client = zeep.Client(os.environ["IPS_ADOBE_WSDL"], transport=transport)
    svc = client.create_service("{http://www.scene7.com/IpsApi}IpsApiServiceSoapBinding", SERVICE)
    name = "zeep-adobe-" + uuid.uuid4().hex[:8]
    handle = None
    try:
        handle = svc.copyImage(
            companyHandle=COMPANY, assetHandle=SOURCE, folderHandle=FOLDER,
            name=name, urlModifier="", _soapheaders=auth(),
        )
        check("copyImage (2013-02-15) returns a handle",
              isinstance(handle, str) and handle.startswith("a|"), f"got {handle!r}")
    except Exception as e:  # noqa: BLE001
        check("copyImage (2013-02-15) returns a handle", False, f"{type(e).__name__}: {e}")
    try:
        ret = svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [handle]}, _soapheaders=auth())
        items = array_items(ret)
        a = items[0] if len(items) == 1 else None
        check("getAssets (2013-02-15) finds the copy",
              a is not None and a.assetHandle == handle and a.name == name and a.folder == FOLDER,
              f"{len(items)} items" if a is None else f"handle={a.assetHandle!r} name={a.name!r} folder={a.folder!r}")
    except Exception as e:  # noqa: BLE001
        check("getAssets (2013-02-15) finds the copy", False, f"{type(e).__name__}: {e}")
    metadata(svc, handle, " (2013-02-15)")
    expect_fault(client, transport, "authenticationFault 10001 (2013-02-15)", "authenticationFault", 10001,
                 lambda: svc.getAssets(companyHandle=COMPANY, assetHandleArray={"items": [SOURCE]},
                                       _soapheaders=auth(password="wrong")), status=500)


if __name__ == "__main__":
    print(f"version {zeep.__version__} (Python {platform.python_version()})", flush=True)
    if sys.argv[1:] == ["adobe"]:
        adobe()
    elif os.environ.get("IPS_API_VERSION") == "pre-4.0":
        pre40()
    else:
        emulator()
    sys.exit(1 if failed else 0)
