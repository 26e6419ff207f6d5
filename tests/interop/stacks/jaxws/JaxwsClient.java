// JAX-WS RI against the emulator, through the classes wsimport generated from
// the WSDL the emulator serves (package s7.jaxws; -XadditionalHeaders makes
// the authHeader a typed method parameter). The service reads the WSDL from
// its URL at run time, as generated JAX-WS clients do.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

import java.io.InputStream;
import java.net.URL;
import java.util.List;
import java.util.UUID;

import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.MessageContext;

import s7.jaxws.Asset;
import s7.jaxws.AuthHeader;
import s7.jaxws.AuthenticationFaultException;
import s7.jaxws.AuthorizationFaultException;
import s7.jaxws.CopyImageParam;
import s7.jaxws.GetAssetsParam;
import s7.jaxws.GetAssetsReturn;
import s7.jaxws.HandleArray;
import s7.jaxws.IpsApiFaultException;
import s7.jaxws.IpsApiPortType;
import s7.jaxws.IpsApiService;

public class JaxwsClient {
    static final String COMPANY = "c|6", SOURCE = "a|739|1|537", FOLDER = "ApiTestCo/";
    static boolean failed = false;

    static void check(String what, boolean ok, String detail) {
        System.out.println("check " + what + ": " + (ok ? "ok" : "FAIL " + detail));
        if (!ok) failed = true;
    }

    static String freshName() {
        return "jaxws-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static AuthHeader auth(String user, String password, Integer faultStatus) {
        AuthHeader h = new AuthHeader();
        h.setUser(user);
        h.setPassword(password);
        h.setAppName("interop-jaxws");
        h.setAppVersion("1");
        h.setFaultHttpStatusCode(faultStatus);
        return h;
    }

    static AuthHeader auth() {
        return auth("ipsuser@ips.test", "ips-emulator", null);
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

    static Integer httpStatus(IpsApiPortType port) {
        Object v = ((BindingProvider) port).getResponseContext().get(MessageContext.HTTP_RESPONSE_CODE);
        return v instanceof Integer ? (Integer) v : null;
    }

    interface Call {
        Object run() throws Exception;
    }

    static void expectFault(String what, Class<? extends Exception> type, int code, IpsApiPortType port, Call call,
            int status) {
        try {
            Object r = call.run();
            check(what, false, "no fault; returned " + r);
            return;
        } catch (Exception e) {
            if (!type.isInstance(e)) {
                check(what, false, e.getClass().getName() + ": " + e);
                return;
            }
            int got;
            String reason;
            if (e instanceof AuthenticationFaultException) {
                got = ((AuthenticationFaultException) e).getFaultInfo().getCode();
                reason = ((AuthenticationFaultException) e).getFaultInfo().getReason();
            } else if (e instanceof AuthorizationFaultException) {
                got = ((AuthorizationFaultException) e).getFaultInfo().getCode();
                reason = ((AuthorizationFaultException) e).getFaultInfo().getReason();
            } else {
                got = ((IpsApiFaultException) e).getFaultInfo().getCode();
                reason = ((IpsApiFaultException) e).getFaultInfo().getReason();
            }
            Integer st = httpStatus(port);
            if (got != code) check(what, false, "code " + got + ", wanted " + code);
            else if (reason == null || reason.isEmpty()) check(what, false, "empty reason");
            else if (st == null || st != status) check(what, false, "HTTP " + st + ", wanted " + status);
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
        System.out.println("version " + args[0] + " (Java " + System.getProperty("java.version") + ")");

        IpsApiPortType port = new IpsApiService(new URL(System.getenv("IPS_WSDL_URL"))).getIpsApiSoapPort();

        String name = freshName();
        String handle = null;
        try {
            handle = port.copyImage(copyParam(name, "", SOURCE), auth()).getAssetHandle();
            check("copyImage returns a handle", handle != null && handle.startsWith("a|"), "got " + handle);
        } catch (Exception e) {
            check("copyImage returns a handle", false, e.toString());
        }

        try {
            GetAssetsParam p = new GetAssetsParam();
            p.setCompanyHandle(COMPANY);
            p.setAssetHandleArray(new HandleArray());
            p.getAssetHandleArray().getItems().add(handle);
            GetAssetsReturn r = port.getAssets(p, auth());
            List<Asset> items = r.getAssetArray() == null ? List.of() : r.getAssetArray().getItems();
            if (items.size() != 1) {
                check("getAssets finds the copy", false, items.size() + " items");
            } else {
                Asset a = items.get(0);
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
            String h2 = port.copyImage(copyParam(name2, "wid=120&fmt=png", SOURCE), auth()).getAssetHandle();
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

        expectFault("authenticationFault 10001", AuthenticationFaultException.class, 10001, port,
                () -> port.copyImage(copyParam(freshName(), "", SOURCE), auth("ipsuser@ips.test", "wrong", null)), 500);
        expectFault("authorizationFault 20003", AuthorizationFaultException.class, 20003, port,
                () -> port.copyImage(copyParam(freshName(), "", SOURCE), auth("portaluser@ips.test", "ips-emulator", null)),
                500);
        expectFault("ipsApiFault 30001 (HTTP 500)", IpsApiFaultException.class, 30001, port,
                () -> port.copyImage(copyParam(freshName(), "", "a|999|1|999"), auth()), 500);
        expectFault("ipsApiFault 30001 (HTTP 200)", IpsApiFaultException.class, 30001, port,
                () -> port.copyImage(copyParam(freshName(), "", "a|999|1|999"), auth("ipsuser@ips.test", "ips-emulator", 200)),
                200);

        System.exit(failed ? 1 : 0);
    }
}
