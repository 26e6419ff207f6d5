// Mono's `wsdl` (the .NET Framework "web reference" model: an ASMX
// SoapHttpClientProtocol proxy) against the emulator, through the proxy
// generated from the WSDL the emulator serves (namespace S7).
//
// Mono sends `Expect: 100-continue` with every POST. EnableDecompression
// announces gzip and authHeader.gzipResponse asks for it, so replies come
// back gzip-compressed. ASMX never maps wsdl:fault to types: a fault is a
// SoapException whose Detail is an XmlNode, read here by namespace and name.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

using System;
using System.Net;
using System.Xml;

class StatusRecordingService : S7.IpsApiService
{
    public int LastStatus;

    protected override WebResponse GetWebResponse(WebRequest request)
    {
        try
        {
            var response = base.GetWebResponse(request);
            LastStatus = (int)((HttpWebResponse)response).StatusCode;
            return response;
        }
        catch (WebException e)
        {
            if (e.Response is HttpWebResponse h) LastStatus = (int)h.StatusCode;
            throw;
        }
    }
}

static class Client
{
    const string AuthNs = "http://www.scene7.com/IpsApi/xsd";
    const string Company = "c|6", Source = "a|739|1|537", Folder = "ApiTestCo/";
    static bool failed;
    static readonly Random Rng = new Random();

    static void Check(string what, bool ok, string detail = "")
    {
        Console.WriteLine("check " + what + ": " + (ok ? "ok" : "FAIL " + detail));
        Console.Out.Flush();
        if (!ok) failed = true;
    }

    static string FreshName() => "mono-" + Rng.Next().ToString("x8");

    static S7.authHeader Auth(string user = "ipsuser@ips.test", string password = "ips-emulator", int? faultStatus = null)
    {
        var h = new S7.authHeader
        {
            user = user,
            password = password,
            appName = "interop-mono",
            appVersion = "1",
            gzipResponse = true,
            gzipResponseSpecified = true,
        };
        if (faultStatus.HasValue)
        {
            h.faultHttpStatusCode = faultStatus.Value;
            h.faultHttpStatusCodeSpecified = true;
        }
        return h;
    }

    static S7.copyImageParam CopyParam(string name, string modifier = "", string source = Source) =>
        new S7.copyImageParam
        {
            companyHandle = Company,
            assetHandle = source,
            folderHandle = Folder,
            name = name,
            urlModifier = modifier,
        };

    static void ExpectFault(string what, StatusRecordingService svc, S7.authHeader header, string element, int code,
        Func<object> call, int status)
    {
        svc.authHeaderValue = header;
        try
        {
            var r = call();
            Check(what, false, "no fault; returned " + r);
        }
        catch (System.Web.Services.Protocols.SoapException e)
        {
            XmlNode detail = null;
            if (e.Detail != null)
                foreach (XmlNode n in e.Detail.ChildNodes)
                    if (n.NodeType == XmlNodeType.Element && n.LocalName == element && n.NamespaceURI == AuthNs)
                        detail = n;
            if (detail == null)
            {
                Check(what, false, "no " + element + " in the detail: " + (e.Detail?.OuterXml ?? "(none)"));
                return;
            }
            var codeText = detail["code", AuthNs]?.InnerText;
            var reason = detail["reason", AuthNs]?.InnerText;
            if (!int.TryParse(codeText, out var got) || got != code)
                Check(what, false, "code " + (codeText ?? "(null)") + ", wanted " + code);
            else if (string.IsNullOrEmpty(reason)) Check(what, false, "empty reason");
            else if (svc.LastStatus != status) Check(what, false, "HTTP " + svc.LastStatus + ", wanted " + status);
            else Check(what, true);
        }
        catch (Exception e)
        {
            Check(what, false, e.GetType().Name + ": " + e.Message);
        }
    }

    static int[] PngSize(byte[] b)
    {
        byte[] sig = { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 };
        if (b.Length < 24) return null;
        for (int i = 0; i < 8; i++) if (b[i] != sig[i]) return null;
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') return null;
        Func<int, int> be32 = i => b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3];
        return new[] { be32(16), be32(20) };
    }

    static int Main()
    {
        var baseUrl = Environment.GetEnvironmentVariable("IPS_BASE_URL");
        Console.WriteLine("version " + MonoVersion());

        var svc = new StatusRecordingService
        {
            Url = Environment.GetEnvironmentVariable("IPS_SERVICE_URL"),
            EnableDecompression = true,
        };

        var name = FreshName();
        string handle = null;
        try
        {
            svc.authHeaderValue = Auth();
            handle = svc.copyImage(CopyParam(name))?.assetHandle;
            Check("copyImage returns a handle", handle != null && handle.StartsWith("a|"), "got " + (handle ?? "(null)"));
        }
        catch (Exception e)
        {
            Check("copyImage returns a handle", false, e.GetType().Name + ": " + e.Message);
        }

        try
        {
            svc.authHeaderValue = Auth();
            var r = svc.getAssets(new S7.getAssetsParam { companyHandle = Company, assetHandleArray = new[] { handle } });
            var items = r?.assetArray ?? new S7.Asset[0];
            if (items.Length != 1) Check("getAssets finds the copy", false, items.Length + " items");
            else
            {
                var a = items[0];
                Check("getAssets finds the copy",
                    a.assetHandle == handle && a.name == name && a.folder == Folder && a.type == "Image",
                    $"handle={a.assetHandle} name={a.name} folder={a.folder} type={a.type}");
            }
        }
        catch (Exception e)
        {
            Check("getAssets finds the copy", false, e.GetType().Name + ": " + e.Message);
        }

        var name2 = name + "-png";
        try
        {
            svc.authHeaderValue = Auth();
            var h2 = svc.copyImage(CopyParam(name2, "wid=120&fmt=png"))?.assetHandle;
            byte[] png;
            using (var wc = new WebClient()) png = wc.DownloadData(baseUrl + "/is/image/ApiTestCo/" + name2);
            var size = PngSize(png);
            Check("urlModifier copy served as 120px PNG",
                h2 != null && h2.StartsWith("a|") && size != null && size[0] == 120 && size[1] > 0,
                "handle " + h2 + ", PNG size " + (size == null ? "none" : size[0] + "x" + size[1]));
        }
        catch (Exception e)
        {
            Check("urlModifier copy served as 120px PNG", false, e.GetType().Name + ": " + e.Message);
        }

        ExpectFault("authenticationFault 10001", svc, Auth(password: "wrong"), "authenticationFault", 10001,
            () => svc.copyImage(CopyParam(FreshName())), 500);
        ExpectFault("authorizationFault 20003", svc, Auth(user: "portaluser@ips.test"), "authorizationFault", 20003,
            () => svc.copyImage(CopyParam(FreshName())), 500);
        ExpectFault("ipsApiFault 30001 (HTTP 500)", svc, Auth(), "ipsApiFault", 30001,
            () => svc.copyImage(CopyParam(FreshName(), "", "a|999|1|999")), 500);
        ExpectFault("ipsApiFault 30001 (HTTP 200)", svc, Auth(faultStatus: 200), "ipsApiFault", 30001,
            () => svc.copyImage(CopyParam(FreshName(), "", "a|999|1|999")), 200);

        return failed ? 1 : 0;
    }

    static string MonoVersion()
    {
        var t = Type.GetType("Mono.Runtime");
        var m = t?.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        var s = m?.Invoke(null, null) as string ?? "?";
        return s.Split(' ')[0];
    }
}
