// gSOAP against the emulator, through the proxy wsdl2h + soapcpp2 generated
// from the WSDL the emulator serves (or, built with -DADOBE_WSDL, from
// Adobe's IpsApi-2013-02-15.wsdl). The run script's typemap names the
// prefixes: s7 for the API version's namespace, auth for .../IpsApi/xsd.
//
// gSOAP marks the authHeader mustUnderstand="1". The last checks use a second
// proxy with SOAP_IO_CHUNK | SOAP_ENC_ZLIB: a chunked, gzip-compressed
// request body, and a gzip-compressed reply.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>

#include "IpsApiServiceSoapBinding.nsmap"
#include "soapIpsApiServiceSoapBindingProxy.h"

static const std::string COMPANY = "c|6", SOURCE = "a|739|1|537", FOLDER = "ApiTestCo/";
static bool failed = false;

#ifdef ADOBE_WSDL
#define NS_NOTE " (2013-02-15)"
#else
#define NS_NOTE ""
#endif

static void check(const std::string &what, bool ok, const std::string &detail = "") {
    std::printf("check %s: %s%s\n", what.c_str(), ok ? "ok" : "FAIL ", ok ? "" : detail.c_str());
    std::fflush(stdout);
    if (!ok) failed = true;
}

static std::string fresh_name(const char *prefix) {
    static std::mt19937_64 rng{std::random_device{}()};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-%08llx", prefix, (unsigned long long)(rng() & 0xffffffffULL));
    return buf;
}

struct Auth {
    std::string user = "ipsuser@ips.test", password = "ips-emulator", app = "interop-gsoap", version = "1";
    int status = 0;
#ifdef VERSIONED_HEADER
    // 2014-04-03's own header, where appName and appVersion are required.
    _s7__authHeader header;
    _s7__authHeader *get() {
        header.appName = app;
        header.appVersion = version;
#else
    _auth__authHeader header;
    _auth__authHeader *get() {
        header.appName = &app;
        header.appVersion = &version;
#endif
        header.user = &user;
        header.password = &password;
        header.faultHttpStatusCode = status ? &status : nullptr;
        return &header;
    }
};

static std::string error_text(IpsApiServiceSoapBindingProxy &p) {
    std::ostringstream os;
    p.soap_stream_fault(os);
    std::string s = os.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    for (char &c : s)
        if (c == '\n') c = ' ';
    return s;
}

static int copy_image(IpsApiServiceSoapBindingProxy &p, Auth &auth, const std::string &name, const std::string &modifier,
                      const std::string &source, std::string *handle) {
    _s7__copyImageParam in;
    in.companyHandle = COMPANY;
    in.assetHandle = source;
    in.folderHandle = FOLDER;
    in.name = name;
    in.urlModifier = modifier;
    _s7__copyImageReturn out;
    p.soap_header(auth.get());
    int rc = p.copyImage(&in, out);
    if (rc == SOAP_OK && handle) *handle = out.assetHandle;
    return rc;
}

// A typed fault: which detail element, its int code and reason, the HTTP status.
static void expect_fault(const std::string &what, IpsApiServiceSoapBindingProxy &p, int rc, const char *element,
                         int code, int status) {
    if (rc != SOAP_FAULT) {
        check(what, false, rc == SOAP_OK ? "no fault" : "error " + std::to_string(rc) + ": " + error_text(p));
        return;
    }
    SOAP_ENV__Detail *d = p.soap->fault ? p.soap->fault->detail : nullptr;
    if (!d) {
        check(what, false, "fault without detail: " + error_text(p));
        return;
    }
    int got = -1;
    const std::string *reason = nullptr;
    std::string name = element;
    if (name == "authenticationFault" && d->auth__authenticationFault) {
        got = d->auth__authenticationFault->code;
        reason = &d->auth__authenticationFault->reason;
    } else if (name == "authorizationFault" && d->auth__authorizationFault) {
        got = d->auth__authorizationFault->code;
        reason = &d->auth__authorizationFault->reason;
    } else if (name == "ipsApiFault" && d->auth__ipsApiFault) {
        got = d->auth__ipsApiFault->code;
        reason = &d->auth__ipsApiFault->reason;
    }
    if (!reason) check(what, false, "no typed " + name + " in the detail: " + error_text(p));
    else if (got != code) check(what, false, "code " + std::to_string(got) + ", wanted " + std::to_string(code));
    else if (reason->empty()) check(what, false, "empty reason");
    else if (status && p.soap->status != status)
        check(what, false, "HTTP " + std::to_string(p.soap->status) + ", wanted " + std::to_string(status));
    else check(what, true);
}

static bool get_assets(IpsApiServiceSoapBindingProxy &p, Auth &auth, const std::string &handle, const std::string &name) {
    _s7__getAssetsParam in;
    in.companyHandle = COMPANY;
    s7__HandleArray handles;
    handles.items.push_back(handle);
    in.assetHandleArray = &handles;
    _s7__getAssetsReturn out;
    p.soap_header(auth.get());
    const std::string what = "getAssets" NS_NOTE " finds the copy";
    int rc = p.getAssets(&in, out);
    if (rc != SOAP_OK) {
        check(what, false, error_text(p));
        return false;
    }
    if (!out.assetArray || out.assetArray->items.size() != 1) {
        check(what, false, std::to_string(out.assetArray ? out.assetArray->items.size() : 0) + " items");
        return false;
    }
    s7__Asset *a = out.assetArray->items[0];
    auto s = [](std::string *v) { return v ? *v : std::string("(null)"); };
    bool ok = s(a->assetHandle) == handle && s(a->name) == name && s(a->folder) == FOLDER;
    check(what, ok, "handle=" + s(a->assetHandle) + " name=" + s(a->name) + " folder=" + s(a->folder));
    return ok;
}

#ifndef ADOBE_WSDL
// GET base/is/image/... with gSOAP's own HTTP client; returns the body.
static bool http_get(const std::string &url, std::string &body) {
    struct soap *soap = soap_new1(SOAP_C_UTFSTRING);
    bool ok = false;
    if (soap_GET(soap, url.c_str(), nullptr) == SOAP_OK && soap_begin_recv(soap) == SOAP_OK) {
        size_t len = 0;
        char *data = soap_http_get_body(soap, &len);
        if (data) {
            body.assign(data, len);
            ok = soap->status == 200;
        }
        soap_end_recv(soap);
    }
    soap_closesock(soap);
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
    return ok;
}

static bool png_size(const std::string &b, unsigned &w, unsigned &h) {
    if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0) return false;
    auto be32 = [&](size_t i) {
        return (unsigned)(unsigned char)b[i] << 24 | (unsigned)(unsigned char)b[i + 1] << 16 |
               (unsigned)(unsigned char)b[i + 2] << 8 | (unsigned)(unsigned char)b[i + 3];
    };
    w = be32(16);
    h = be32(20);
    return true;
}
#endif

int main() {
    const char *base = std::getenv("IPS_BASE_URL");
    const char *service = std::getenv("IPS_SERVICE_URL");
    std::printf("version %d.%d.%d\n", GSOAP_VERSION / 100000, GSOAP_VERSION / 1000 % 100, GSOAP_VERSION % 1000);

    IpsApiServiceSoapBindingProxy proxy(SOAP_C_UTFSTRING);
    proxy.soap_endpoint = service;
    Auth auth;

    std::string name = fresh_name("gsoap"), handle;
    const std::string what = "copyImage" NS_NOTE " returns a handle";
    int rc = copy_image(proxy, auth, name, "", SOURCE, &handle);
    check(what, rc == SOAP_OK && handle.rfind("a|", 0) == 0, rc == SOAP_OK ? "got " + handle : error_text(proxy));
    get_assets(proxy, auth, handle, name);

#ifdef ADOBE_WSDL
    Auth wrong;
    wrong.password = "wrong";
    expect_fault("authenticationFault 10001 (2013-02-15)", proxy,
                 copy_image(proxy, wrong, fresh_name("gsoap"), "", SOURCE, nullptr), "authenticationFault", 10001, 500);
#else
    std::string name2 = name + "-png", h2, png;
    rc = copy_image(proxy, auth, name2, "wid=120&fmt=png", SOURCE, &h2);
    unsigned w = 0, h = 0;
    bool got = rc == SOAP_OK && http_get(std::string(base) + "/is/image/ApiTestCo/" + name2, png) && png_size(png, w, h);
    check("urlModifier copy served as 120px PNG", got && h2.rfind("a|", 0) == 0 && w == 120 && h > 0,
          rc != SOAP_OK ? error_text(proxy) : "handle " + h2 + ", PNG size " + std::to_string(w) + "x" + std::to_string(h));

    Auth wrong;
    wrong.password = "wrong";
    expect_fault("authenticationFault 10001", proxy, copy_image(proxy, wrong, fresh_name("gsoap"), "", SOURCE, nullptr),
                 "authenticationFault", 10001, 500);
    Auth portal;
    portal.user = "portaluser@ips.test";
    expect_fault("authorizationFault 20003", proxy, copy_image(proxy, portal, fresh_name("gsoap"), "", SOURCE, nullptr),
                 "authorizationFault", 20003, 500);
    expect_fault("ipsApiFault 30001 (HTTP 500)", proxy,
                 copy_image(proxy, auth, fresh_name("gsoap"), "", "a|999|1|999", nullptr), "ipsApiFault", 30001, 500);
    Auth status200;
    status200.status = 200;
    expect_fault("ipsApiFault 30001 (HTTP 200)", proxy,
                 copy_image(proxy, status200, fresh_name("gsoap"), "", "a|999|1|999", nullptr), "ipsApiFault", 30001, 200);

    // Chunked and gzip-compressed requests; gzip-compressed replies.
    IpsApiServiceSoapBindingProxy zproxy(SOAP_C_UTFSTRING | SOAP_IO_CHUNK | SOAP_ENC_ZLIB);
    zproxy.soap_endpoint = service;
    std::string h3;
    rc = copy_image(zproxy, auth, fresh_name("gsoap"), "", SOURCE, &h3);
    check("copyImage with chunked gzip request", rc == SOAP_OK && h3.rfind("a|", 0) == 0,
          rc == SOAP_OK ? "got " + h3 : error_text(zproxy));
    expect_fault("ipsApiFault 30001 with chunked gzip request", zproxy,
                 copy_image(zproxy, auth, fresh_name("gsoap"), "", "a|999|1|999", nullptr), "ipsApiFault", 30001, 500);
#endif
    proxy.destroy();
    return failed ? 1 : 0;
}
