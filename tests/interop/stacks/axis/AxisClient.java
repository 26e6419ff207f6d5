// Apache Axis 1.4 against the emulator, through the stubs WSDL2Java generated
// from the WSDL the emulator serves (package s7.axis).
//
// Axis' default transport (HTTPSender) speaks HTTP/1.0; the last check goes
// through CommonsHTTPSender instead (HTTP/1.1 with a chunked request body).
// WSDL2Java generates no code for a header declared only in the binding, so
// the authHeader is built by hand, as Axis users do.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

import java.io.InputStream;
import java.net.URL;
import java.util.UUID;

import org.apache.axis.AxisFault;
import org.apache.axis.EngineConfiguration;
import org.apache.axis.configuration.FileProvider;
import org.apache.axis.message.SOAPHeaderElement;
import org.apache.axis.transport.http.HTTPConstants;

import s7.axis.Asset;
import s7.axis.AuthenticationFault;
import s7.axis.AuthorizationFault;
import s7.axis.CopyImageParam;
import s7.axis.GetAssetsParam;
import s7.axis.GetAssetsReturn;
import s7.axis.IpsApiFault;
import s7.axis.IpsApiServiceLocator;
import s7.axis.IpsApiServiceSoapBindingStub;

public class AxisClient {
    static final String AUTH_NS = "http://www.scene7.com/IpsApi/xsd";
    static final String COMPANY = "c|6", SOURCE = "a|739|1|537", FOLDER = "ApiTestCo/";
    static boolean failed = false;

    static void check(String what, boolean ok, String detail) {
        System.out.println("check " + what + ": " + (ok ? "ok" : "FAIL " + detail));
        if (!ok) failed = true;
    }

    static String freshName() {
        return "axis-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static SOAPHeaderElement auth(String user, String password, Integer faultStatus) throws Exception {
        SOAPHeaderElement h = new SOAPHeaderElement(AUTH_NS, "authHeader");
        h.setPrefix("auth");
        h.addChildElement("user", "auth", AUTH_NS).addTextNode(user);
        h.addChildElement("password", "auth", AUTH_NS).addTextNode(password);
        h.addChildElement("appName", "auth", AUTH_NS).addTextNode("interop-axis");
        h.addChildElement("appVersion", "auth", AUTH_NS).addTextNode("1");
        if (faultStatus != null) {
            h.addChildElement("faultHttpStatusCode", "auth", AUTH_NS).addTextNode(faultStatus.toString());
        }
        return h;
    }

    static SOAPHeaderElement auth() throws Exception {
        return auth("ipsuser@ips.test", "ips-emulator", null);
    }

    static IpsApiServiceSoapBindingStub stub(IpsApiServiceLocator locator, SOAPHeaderElement header) throws Exception {
        IpsApiServiceSoapBindingStub s = (IpsApiServiceSoapBindingStub) locator.getIpsApiSoapPort();
        s.setHeader(header);
        return s;
    }

    static CopyImageParam copyParam(String name, String modifier, String source) {
        CopyImageParam p = new CopyImageParam();
        p.setCompanyHandle(COMPANY);
        p.setAssetHandle(source);
        p.setFolderHandle(FOLDER);
        p.setName(name);
        p.setUrlModifier(modifier);
        return p;
    }

    static Integer httpStatus(IpsApiServiceSoapBindingStub s) {
        try {
            Object v = s._getCall().getMessageContext().getProperty(HTTPConstants.MC_HTTP_STATUS_CODE);
            return v instanceof Integer ? (Integer) v : null;
        } catch (Exception e) {
            return null;
        }
    }

    interface Call {
        Object run(IpsApiServiceSoapBindingStub s) throws Exception;
    }

    /**
     * The typed fault (its class, code and reason), and the HTTP status it came
     * with (status null: not checked; CommonsHTTPSender does not record it).
     */
    static void expectFault(String what, Class<?> type, int code, IpsApiServiceSoapBindingStub s, Call call, Integer status) {
        try {
            Object r = call.run(s);
            check(what, false, "no fault; returned " + r);
            return;
        } catch (Exception e) {
            if (!type.isInstance(e)) {
                check(what, false, e.getClass().getName() + ": " + e);
                return;
            }
            int got;
            String reason;
            if (e instanceof AuthenticationFault) {
                got = ((AuthenticationFault) e).getCode();
                reason = ((AuthenticationFault) e).getReason();
            } else if (e instanceof AuthorizationFault) {
                got = ((AuthorizationFault) e).getCode();
                reason = ((AuthorizationFault) e).getReason();
            } else {
                got = ((IpsApiFault) e).getCode();
                reason = ((IpsApiFault) e).getReason();
            }
            Integer st = httpStatus(s);
            if (got != code) check(what, false, "code " + got + ", wanted " + code);
            else if (reason == null || reason.isEmpty()) check(what, false, "empty reason");
            else if (status != null && !status.equals(st)) check(what, false, "HTTP " + st + ", wanted " + status);
            else check(what, true, "");
        }
    }

    static int[] pngSize(byte[] b) {
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        if (b.length < 24) return null;
        for (int i = 0; i < 8; i++) if (b[i] != sig[i]) return null;
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') return null;
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
        return new int[] {bb.getInt(16), bb.getInt(20)};
    }

    public static void main(String[] args) throws Exception {
        String base = System.getenv("IPS_BASE_URL");
        URL service = new URL(System.getenv("IPS_SERVICE_URL"));
        System.out.println("version "
                + org.apache.axis.Version.getVersionText().replaceAll("^Apache Axis version: ", "").split("\\s")[0]
                + " (Java " + System.getProperty("java.version") + ")");

        IpsApiServiceLocator locator = new IpsApiServiceLocator();
        locator.setIpsApiSoapPortEndpointAddress(service.toString());

        String name = freshName();
        String handle = null;
        try {
            handle = stub(locator, auth()).copyImage(copyParam(name, "", SOURCE)).getAssetHandle();
            check("copyImage returns a handle", handle != null && handle.startsWith("a|"), "got " + handle);
        } catch (Exception e) {
            check("copyImage returns a handle", false, e.toString());
        }

        try {
            GetAssetsParam p = new GetAssetsParam();
            p.setCompanyHandle(COMPANY);
            p.setAssetHandleArray(new String[] {handle});
            GetAssetsReturn r = stub(locator, auth()).getAssets(p);
            Asset[] items = r.getAssetArray();
            if (items == null || items.length != 1) {
                check("getAssets finds the copy", false, (items == null ? 0 : items.length) + " items");
            } else {
                Asset a = items[0];
                check("getAssets finds the copy",
                        handle != null && handle.equals(a.getAssetHandle()) && name.equals(a.getName())
                                && FOLDER.equals(a.getFolder()) && "Image".equals(a.getType()),
                        "handle=" + a.getAssetHandle() + " name=" + a.getName() + " folder=" + a.getFolder()
                                + " type=" + a.getType());
            }
        } catch (Exception e) {
            check("getAssets finds the copy", false, e.toString());
        }

        String name2 = name + "-png";
        try {
            String h2 = stub(locator, auth()).copyImage(copyParam(name2, "wid=120&fmt=png", SOURCE)).getAssetHandle();
            byte[] png;
            try (InputStream in = new URL(base + "/is/image/ApiTestCo/" + name2).openStream()) {
                png = in.readAllBytes();
            }
            int[] size = pngSize(png);
            check("urlModifier copy served as 120px PNG",
                    h2 != null && h2.startsWith("a|") && size != null && size[0] == 120 && size[1] > 0,
                    "handle " + h2 + ", PNG size " + (size == null ? "none" : size[0] + "x" + size[1]));
        } catch (Exception e) {
            check("urlModifier copy served as 120px PNG", false, e.toString());
        }

        expectFault("authenticationFault 10001", AuthenticationFault.class, 10001,
                stub(locator, auth("ipsuser@ips.test", "wrong", null)),
                s -> s.copyImage(copyParam(freshName(), "", SOURCE)), 500);
        expectFault("authorizationFault 20003", AuthorizationFault.class, 20003,
                stub(locator, auth("portaluser@ips.test", "ips-emulator", null)),
                s -> s.copyImage(copyParam(freshName(), "", SOURCE)), 500);
        expectFault("ipsApiFault 30001 (HTTP 500)", IpsApiFault.class, 30001, stub(locator, auth()),
                s -> s.copyImage(copyParam(freshName(), "", "a|999|1|999")), 500);
        expectFault("ipsApiFault 30001 (HTTP 200)", IpsApiFault.class, 30001,
                stub(locator, auth("ipsuser@ips.test", "ips-emulator", 200)),
                s -> s.copyImage(copyParam(freshName(), "", "a|999|1|999")), 200);

        // The same stubs over commons-httpclient: HTTP/1.1, chunked request bodies.
        EngineConfiguration commons = new FileProvider(args[0]);
        IpsApiServiceLocator chunked = new IpsApiServiceLocator(commons);
        chunked.setIpsApiSoapPortEndpointAddress(service.toString());
        try {
            String h3 = stub(chunked, auth()).copyImage(copyParam(freshName(), "", SOURCE)).getAssetHandle();
            check("copyImage over CommonsHTTPSender (chunked)", h3 != null && h3.startsWith("a|"), "got " + h3);
        } catch (Exception e) {
            check("copyImage over CommonsHTTPSender (chunked)", false, e.toString());
        }
        expectFault("authenticationFault 10001 over CommonsHTTPSender", AuthenticationFault.class, 10001,
                stub(chunked, auth("ipsuser@ips.test", "wrong", null)),
                s -> s.copyImage(copyParam(freshName(), "", SOURCE)), null);

        System.exit(failed ? 1 : 0);
    }
}
