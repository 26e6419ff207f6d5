#!/usr/bin/env python3
"""The emulator's side of one stack's run: what reached it, and how.

    verify.py [--jobs] MODE VERSION JOURNAL_URL TAP_LOG [FEATURE...]

MODE is `emulator` (the full set of checks) or `adobe` (generated from Adobe's
2013-02-15 WSDL); VERSION is the API version the client was generated for
(2008-01-15, 2014-04-03, or pre-4.0, whose API has no copyImage and gets its
own set of checks). With --jobs the stack also ran check 7 (a publish job,
submitted, polled while active and found in the logs), and the journal must
show those calls too. Reads the emulator's request journal (GET JOURNAL_URL,
emptied by the runner before the stack ran) and the relay's log of HTTP heads
(TAP_LOG, see tap.py), and prints

    check journal: ok|FAIL <detail>       the calls the checks imply were answered
                                          as expected (operation, namespace,
                                          outcome, HTTP status)
    check wire <feature>: ok|FAIL         for each FEATURE the stack is meant to
                                          exercise
    wire <feature>, <feature>...          every transport variant seen on its
                                          SOAP requests (for the report)

Features: http/1.0, chunked, expect-100, gzip-request, gzip-response.
Exits 0 when every check passed.
"""

import json
import sys
import urllib.request

IPS_XSD = "http://www.scene7.com/IpsApi/xsd"
V2013 = IPS_XSD + "/2013-02-15"
SOAP_PATH = "/scene7/services/IpsApiService"

FEATURES = {
    "http/1.0": "HTTP/1.0",
    "chunked": "chunked request body",
    "expect-100": "Expect: 100-continue",
    "gzip-request": "gzip request body",
    "gzip-response": "gzip response",
}


def observed(tap_log):
    """Transport features seen on SOAP requests (and their replies)."""
    seen = set()
    pending = {}  # conn -> [request lines], answered in order
    try:
        with open(tap_log, encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        entries = []
    for e in entries:
        line, h = e["line"], e["headers"]
        if e["dir"] == "request":
            pending.setdefault(e["conn"], []).append(line)
            method, path, version = (line.split(" ") + ["", ""])[:3]
            if method != "POST" or not path.startswith(SOAP_PATH):
                continue
            if version == "HTTP/1.0":
                seen.add("http/1.0")
            if "chunked" in h.get("transfer-encoding", "").lower():
                seen.add("chunked")
            if h.get("expect", "").lower() == "100-continue":
                seen.add("expect-100")
            if "gzip" in h.get("content-encoding", "").lower():
                seen.add("gzip-request")
        else:
            status = int(line.split(" ")[1])
            if 100 <= status < 200:
                continue
            queue = pending.get(e["conn"]) or [""]
            request = queue.pop(0)
            if request.startswith("POST " + SOAP_PATH) and "gzip" in h.get("content-encoding", "").lower():
                seen.add("gzip-response")
    return seen


def namespace(version):
    return IPS_XSD if version == "pre-4.0" else f"{IPS_XSD}/{version}"


# Check 7's calls: the submit, the polls (one at least while the job was
# active and one after it had left), and the logs.
# Check 8 (metadata_check.py): the metadata calls a stack that runs it makes.
METADATA_CALLS = [
    ("setAssetMetadata", "ok", 200, 1),
    ("searchAssetsByMetadata", "ok", 200, 1),
]

JOB_CALLS = [
    ("submitJob", "ok", 200, 1),
    ("getActiveJobs", "ok", 200, 2),
    ("getJobLogs", "ok", 200, 1),
]


def journal_problems(mode, version, entries, jobs=False, metadata=False):
    """What the journal lacks, given the checks the stack ran."""
    def has(op, outcome, status, ns):
        ops = op if isinstance(op, tuple) else (op,)
        return sum(
            1
            for e in entries
            if e["operation"] in ops and e["outcome"] == outcome and e["status"] == status and e["namespace"] == ns
        )

    problems = []
    if mode == "adobe":
        wanted = [
            ("copyImage", "ok", 200, 1),
            ("getAssets", "ok", 200, 1),
        ]
        ns = V2013
    elif version == "pre-4.0":
        wanted = [
            ("getCompanyInfo", "ok", 200, 1),
            ("getAssets", "ok", 200, 1),
            ("searchAssets", "ok", 200, 1),
            ("createFolder", "ok", 200, 1),
            ("getAssets", "10001", 500, 1),
            ("createFolder", "20003", 500, 1),
            ("deleteAsset", "30001", 500, 1),
            ("deleteAsset", "30001", 200, 1),
        ]
        ns = IPS_XSD
    else:
        wanted = [
            ("copyImage", "ok", 200, 2),
            (("getAssets", "getAssetsByName"), "ok", 200, 1),
            ("copyImage", "10001", 500, 1),
            ("copyImage", "20003", 500, 1),
            ("copyImage", "30001", 500, 1),
            ("copyImage", "30001", 200, 1),
        ]
        ns = namespace(version)
    if jobs:
        wanted += JOB_CALLS
    if metadata:
        wanted += METADATA_CALLS
    for op, outcome, status, count in wanted:
        if has(op, outcome, status, ns) < count:
            name = "/".join(op) if isinstance(op, tuple) else op
            how_many = "no" if count == 1 else f"fewer than {count}"
            problems.append(f"{how_many} {name} answered {outcome} with HTTP {status} in {ns}")
    other = sorted({e["namespace"] for e in entries if e["namespace"] not in (ns, None)})
    if other:
        problems.append("calls in other namespaces: " + ", ".join(other))
    return problems


def main():
    args = sys.argv[1:]
    jobs = "--jobs" in args
    if jobs:
        args.remove("--jobs")
    metadata = "--metadata" in args
    if metadata:
        args.remove("--metadata")
    mode, version, journal_url, tap_log, *expected = args
    ok = True
    try:
        with urllib.request.urlopen(journal_url, timeout=10) as r:
            entries = json.load(r)
        problems = journal_problems(mode, version, entries, jobs, metadata)
    except OSError as e:
        problems = [f"GET {journal_url}: {e}"]
    if problems:
        ok = False
        print("check journal: FAIL " + "; ".join(problems))
    else:
        print(f"check journal: ok")
    seen = observed(tap_log)
    for feature in expected:
        present = feature in seen
        ok &= present
        print(f"check wire {FEATURES[feature]}: " + ("ok" if present else "FAIL not seen on any SOAP request"))
    print("wire " + ", ".join(FEATURES[f] for f in FEATURES if f in seen))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
