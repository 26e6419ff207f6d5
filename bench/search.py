#!/usr/bin/env python3
"""Search benchmark driver (bench/search.sh runs it): fills a fresh emulator
with ASSETS copies of the seed image, gives each copy metadata values, then
times typical searchAssetsByMetadata requests and a getAssetsByName baseline,
alternating them so that both see the same machine.

Usage: search.py URL ASSETS SAMPLES
Prints one line per request kind (p50, p99 in ms and p99's ratio to the
baseline's) and exits 1 if a reply is not what the catalog must answer.
Standard library only.
"""
import http.client
import random
import statistics
import sys
import threading
import time
import urllib.parse

URL, ASSETS, SAMPLES = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
u = urllib.parse.urlparse(URL)
PATH = "/scene7/services/IpsApiService"
NS = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
PHOTOGRAPHERS = [f"Photographer {i:02d}" for i in range(50)]


def envelope(op, body, user="ipsadmin@ips.test"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>'
        f'<authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>{user}</user><password>ips-emulator</password></authHeader>'
        f'</soapenv:Header><soapenv:Body><{op}Param xmlns="{NS}"><companyHandle>c|6</companyHandle>{body}</{op}Param>'
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def post(conn, op, body):
    conn.request("POST", PATH, envelope(op, body), {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{op}"'})
    r = conn.getresponse()
    data = r.read().decode()
    if r.status != 200:
        raise SystemExit(f"{op}: HTTP {r.status}: {data[:400]}")
    return data


def connect():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def name(i):
    return f"bench-{i:06d}"


def fill(start, stop, errors):
    conn = connect()
    try:
        for i in range(start, stop):
            post(conn, "copyImage", f"<assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle>"
                 f"<name>{name(i)}</name><urlModifier/>")
    except BaseException as e:  # reported by the caller
        errors.append(e)


def tag(start, stop, handles, errors):
    conn = connect()
    try:
        for lo in range(start, stop, 500):
            items = ""
            for i in range(lo, min(stop, lo + 500)):
                items += (f"<items><assetHandleArray><items>{handles[i]}</items></assetHandleArray><updateArray>"
                          f"<items><fieldHandle>m|6|ALL|Photographer</fieldHandle><value>{PHOTOGRAPHERS[i % 50]}</value></items>"
                          f"<items><fieldHandle>m|6|IMAGE|Rating</fieldHandle><value>{i % 5 + 1}</value></items>"
                          "</updateArray></items>")
            reply = post(conn, "batchSetAssetMetadata", f"<updateArray>{items}</updateArray>")
            if "<errorCount>0</errorCount>" not in reply:
                raise SystemExit(f"batchSetAssetMetadata: {reply[:400]}")
    except BaseException as e:
        errors.append(e)


def parallel(work, *args, threads=4):
    errors, pool = [], []
    step = (ASSETS + threads - 1) // threads
    for t in range(threads):
        lo, hi = t * step, min(ASSETS, (t + 1) * step)
        th = threading.Thread(target=work, args=(lo, hi, *args, errors))
        th.start()
        pool.append(th)
    for th in pool:
        th.join()
    if errors:
        raise SystemExit(f"filling failed: {errors[0]}")


def handles_by_name(conn):
    out = []
    for lo in range(0, ASSETS, 1000):
        names = "".join(f"<items>{name(i)}</items>" for i in range(lo, min(ASSETS, lo + 1000)))
        reply = post(conn, "getAssetsByName", f"<nameArray>{names}</nameArray>"
                     "<responseFieldArray><items>assetArray/items/assetHandle</items></responseFieldArray>")
        out += [h.split("<")[0] for h in reply.split("<assetHandle>")[1:]]
    if len(out) != ASSETS:
        raise SystemExit(f"expected {ASSETS} copies, found {len(out)}")
    return out


def condition(key, op, value):
    return f"<items><fieldHandle>{key}</fieldHandle><op>{op}</op><value>{value}</value></items>"


def by_metadata(conds, per_page=100):
    return (f"<metadataConditionArray>{conds}</metadataConditionArray>"
            f"<recordsPerPage>{per_page}</recordsPerPage><sortBy>name</sortBy>")


def total(reply):
    return int(reply.split("<totalRows>")[1].split("<")[0])


def main():
    t0 = time.time()
    parallel(fill)
    conn = connect()
    handles = handles_by_name(conn)
    parallel(tag, handles)
    print(f"filled {ASSETS} assets with metadata in {time.time() - t0:.0f} s", flush=True)
    rnd = random.Random(7)
    # Each kind: (label, request body maker, the totalRows it must answer or None).
    kinds = [
        ("getAssetsByName (baseline)", "getAssetsByName",
         lambda: f"<nameArray><items>{name(rnd.randrange(ASSETS))}</items></nameArray>", None),
        ("name StartsWith (10 matches)", "searchAssetsByMetadata",
         lambda: by_metadata(condition("name", "StartsWith", name(rnd.randrange(ASSETS) // 10 * 10)[:-1])), 10),
        ("custom field Equals (1/50 of assets, page of 100)", "searchAssetsByMetadata",
         lambda: by_metadata(condition("custom_attributes.Photographer", "Equals", rnd.choice(PHOTOGRAPHERS))), ASSETS // 50),
        ("name StartsWith + field Equals, MatchAll", "searchAssetsByMetadata",
         lambda: by_metadata(condition("name", "StartsWith", "bench-0")
                             + condition("m|6|ALL|Photographer", "Equals", PHOTOGRAPHERS[3])), None),
        ("name Contains (full scan in SQL)", "searchAssetsByMetadata",
         lambda: by_metadata(condition("name", "Contains", f"{rnd.randrange(1000):03d}1")), None),
    ]
    times = {k[0]: [] for k in kinds}
    for _ in range(SAMPLES):
        for label, op, body, expect in kinds:
            b = body()
            t = time.perf_counter()
            reply = post(conn, op, b)
            times[label].append((time.perf_counter() - t) * 1000)
            if expect is not None and op != "getAssetsByName" and total(reply) != expect:
                raise SystemExit(f"{label}: totalRows {total(reply)}, expected {expect}")
    base = sorted(times[kinds[0][0]])
    p99 = lambda xs: sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]
    print(f"{'request':52} {'p50 ms':>8} {'p99 ms':>8} {'p99/baseline':>13}")
    for label, *_ in kinds:
        xs = times[label]
        print(f"{label:52} {statistics.median(xs):8.2f} {p99(xs):8.2f} {p99(xs) / p99(base):13.1f}")


main()
