// KDSoap (Qt 5) against the emulator, through the classes kdwsdl2cpp
// generated from the WSDL the emulator serves (namespace IpsApiService; class
// names from the WSDL's prefixes: TYPES__CopyImageParam and FLT__AuthHeader,
// or, from the 2014-04-03 WSDL, whose `hdr` prefix also names the version's
// namespace, HDR__CopyImageParam and HDR__AuthHeader).
//
// KDSoap generates no fault classes: a fault is a job whose isFault() is true,
// its detail a generic KDSoapValue tree, read here by namespace and name.
// KDSoap does not expose the HTTP status; the runner checks it in the
// emulator's journal.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QUrl>
#include <cstdio>

#include "wsdl_ipsapi.h"

#ifdef VERSIONED_HEADER
#define S7(name) HDR__##name
#define AUTH_HEADER HDR__AuthHeader
#else
#define S7(name) TYPES__##name
#define AUTH_HEADER FLT__AuthHeader
#endif

using IpsApiService::IpsApiServiceSoapBinding;
namespace Jobs = IpsApiService::IpsApiServiceSoapBindingJobs;

static const QString AUTH_NS = QStringLiteral("http://www.scene7.com/IpsApi/xsd");
static const QString COMPANY = "c|6", SOURCE = "a|739|1|537", FOLDER = "ApiTestCo/";
static bool failed = false;

static void check(const QString &what, bool ok, const QString &detail = QString()) {
    std::printf("check %s: %s\n", qPrintable(what), ok ? "ok" : qPrintable("FAIL " + detail));
    std::fflush(stdout);
    if (!ok) failed = true;
}

static QString freshName() {
    return QStringLiteral("kdsoap-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QChar('0'));
}

static AUTH_HEADER auth(const QString &user = "ipsuser@ips.test", const QString &password = "ips-emulator") {
    AUTH_HEADER h;
    h.setUser(user);
    h.setPassword(password);
    h.setAppName("interop-kdsoap");
    h.setAppVersion("1");
    return h;
}

static S7(CopyImageParam) copyParam(const QString &name, const QString &modifier = QStringLiteral(""),
                                       const QString &source = SOURCE) {
    S7(CopyImageParam) p;
    p.setCompanyHandle(COMPANY);
    p.setAssetHandle(source);
    p.setFolderHandle(FOLDER);
    p.setName(name);
    p.setUrlModifier(modifier);
    return p;
}

// Runs a job to its end.
static void run(KDSoapJob *job) {
    QEventLoop loop;
    QObject::connect(job, &KDSoapJob::finished, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
}

static Jobs::CopyImageJob *copyImage(IpsApiServiceSoapBinding &svc, const AUTH_HEADER &h,
                                     const S7(CopyImageParam) &p) {
    svc.setAuthHeader(h);
    auto *job = new Jobs::CopyImageJob(&svc);
    job->setAutoDelete(false);
    job->setInput(p);
    run(job);
    return job;
}

// A fault's detail element `element` in .../IpsApi/xsd: its code and reason.
static void expectFault(const QString &what, KDSoapJob *job, const QString &element, int code) {
    if (!job->isFault()) {
        check(what, false, "no fault");
        return;
    }
    const KDSoapValue detail = job->reply().childValues().child("detail");
    KDSoapValue typed;
    for (const KDSoapValue &v : detail.childValues())
        if (v.name() == element && v.namespaceUri() == AUTH_NS) typed = v;
    if (typed.isNull()) {
        check(what, false, "no " + element + " in the detail: " + job->faultAsString());
        return;
    }
    bool isInt = false;
    const int got = typed.childValues().child("code").value().toString().toInt(&isInt);
    const QString reason = typed.childValues().child("reason").value().toString();
    if (!isInt || got != code) check(what, false, QStringLiteral("code %1, wanted %2").arg(got).arg(code));
    else if (reason.isEmpty()) check(what, false, "empty reason");
    else check(what, true);
}

static QByteArray httpGet(const QString &url) {
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(url)));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    QByteArray body = reply->error() == QNetworkReply::NoError ? reply->readAll() : QByteArray();
    reply->deleteLater();
    return body;
}

static bool pngSize(const QByteArray &b, quint32 &w, quint32 &h) {
    if (b.size() < 24 || !b.startsWith("\x89PNG\r\n\x1a\n") || b.mid(12, 4) != "IHDR") return false;
    auto be32 = [&](int i) {
        return quint32(quint8(b[i])) << 24 | quint32(quint8(b[i + 1])) << 16 | quint32(quint8(b[i + 2])) << 8 |
               quint32(quint8(b[i + 3]));
    };
    w = be32(16);
    h = be32(20);
    return true;
}

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    const QString base = qEnvironmentVariable("IPS_BASE_URL");
    std::printf("version %s (Qt %s)\n", argv[1], qVersion());

    IpsApiServiceSoapBinding svc;
    svc.setEndPoint(qEnvironmentVariable("IPS_SERVICE_URL"));

    const QString name = freshName();
    QString handle;
    {
        auto *job = copyImage(svc, auth(), copyParam(name));
        handle = job->isFault() ? QString() : job->output().assetHandle();
        check("copyImage returns a handle", handle.startsWith("a|"),
              job->isFault() ? job->faultAsString() : "got '" + handle + "'");
        delete job;
    }
    {
        svc.setAuthHeader(auth());
        S7(GetAssetsParam) p;
        p.setCompanyHandle(COMPANY);
        S7(HandleArray) handles;
        handles.setItems(QStringList{handle});
        p.setAssetHandleArray(handles);
        auto *job = new Jobs::GetAssetsJob(&svc);
        job->setAutoDelete(false);
        job->setInput(p);
        run(job);
        const QList<S7(Asset)> items = job->output().assetArray().items();
        if (job->isFault()) check("getAssets finds the copy", false, job->faultAsString());
        else if (items.size() != 1) check("getAssets finds the copy", false, QString::number(items.size()) + " items");
        else {
            const S7(Asset) &a = items.first();
            check("getAssets finds the copy",
                  a.assetHandle() == handle && a.name() == name && a.folder() == FOLDER && a.type() == "Image",
                  "handle=" + a.assetHandle() + " name=" + a.name() + " folder=" + a.folder() + " type=" + a.type());
        }
        delete job;
    }
    {
        const QString name2 = name + "-png";
        auto *job = copyImage(svc, auth(), copyParam(name2, "wid=120&fmt=png"));
        const QString h2 = job->isFault() ? QString() : job->output().assetHandle();
        quint32 w = 0, h = 0;
        const bool png = !job->isFault() && pngSize(httpGet(base + "/is/image/ApiTestCo/" + name2), w, h);
        check("urlModifier copy served as 120px PNG", h2.startsWith("a|") && png && w == 120 && h > 0,
              job->isFault() ? job->faultAsString()
                             : QStringLiteral("handle %1, PNG size %2x%3").arg(h2).arg(w).arg(h));
        delete job;
    }

    KDSoapJob *job = copyImage(svc, auth("ipsuser@ips.test", "wrong"), copyParam(freshName()));
    expectFault("authenticationFault 10001", job, "authenticationFault", 10001);
    delete job;
    job = copyImage(svc, auth("portaluser@ips.test"), copyParam(freshName()));
    expectFault("authorizationFault 20003", job, "authorizationFault", 20003);
    delete job;
    job = copyImage(svc, auth(), copyParam(freshName(), QStringLiteral(""), "a|999|1|999"));
    expectFault("ipsApiFault 30001 (HTTP 500)", job, "ipsApiFault", 30001);
    delete job;
    AUTH_HEADER status200 = auth();
    status200.setFaultHttpStatusCode(200);
    job = copyImage(svc, status200, copyParam(freshName(), QStringLiteral(""), "a|999|1|999"));
    expectFault("ipsApiFault 30001 (HTTP 200)", job, "ipsApiFault", 30001);
    delete job;

    return failed ? 1 : 0;
}
