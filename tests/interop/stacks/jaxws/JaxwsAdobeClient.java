// JAX-WS RI through classes wsimport generated from Adobe's own
// IpsApi-2013-02-15.wsdl (package s7.adobe), with the port's address pointed
// at the emulator. Requests go out in the 2013-02-15 namespace; JAX-WS reads
// reply values only in that namespace, so non-null results show the emulator
// answered in the request's namespace.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.

import java.io.File;
import java.util.List;
import java.util.UUID;

import javax.xml.ws.BindingProvider;

import s7.adobe.Asset;
import s7.adobe.AuthHeader;
import s7.adobe.AuthenticationFaultException;
import s7.adobe.CopyImageParam;
import s7.adobe.GetAssetsParam;
import s7.adobe.GetAssetsReturn;
import s7.adobe.HandleArray;
import s7.adobe.IpsApiPortType;
import s7.adobe.IpsApiService;

public class JaxwsAdobeClient {
    static final String COMPANY = "c|6", SOURCE = "a|739|1|537", FOLDER = "ApiTestCo/";
    static boolean failed = false;

    static void check(String what, boolean ok, String detail) {
        System.out.println("check " + what + ": " + (ok ? "ok" : "FAIL " + detail));
        if (!ok) failed = true;
    }

    static AuthHeader auth(String password) {
        AuthHeader h = new AuthHeader();
        h.setUser("ipsuser@ips.test");
        h.setPassword(password);
        h.setAppName("interop-jaxws-adobe");
        h.setAppVersion("1");
        return h;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("version " + args[0] + " (Java " + System.getProperty("java.version") + ")");
        IpsApiService service = new IpsApiService(new File(System.getenv("IPS_ADOBE_WSDL")).toURI().toURL());
        IpsApiPortType port = service.getIpsApiSoapPort();
        ((BindingProvider) port).getRequestContext()
                .put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, System.getenv("IPS_SERVICE_URL"));

        String name = "jaxws-adobe-" + UUID.randomUUID().toString().substring(0, 8);
        String handle = null;
        try {
            CopyImageParam p = new CopyImageParam();
            p.setCompanyHandle(COMPANY);
            p.setAssetHandle(SOURCE);
            p.setFolderHandle(FOLDER);
            p.setName(name);
            p.setUrlModifier("");
            handle = port.copyImage(p, auth("ips-emulator")).getAssetHandle();
            check("copyImage (2013-02-15) returns a handle", handle != null && handle.startsWith("a|"), "got " + handle);
        } catch (Exception e) {
            check("copyImage (2013-02-15) returns a handle", false, e.toString());
        }

        try {
            GetAssetsParam p = new GetAssetsParam();
            p.setCompanyHandle(COMPANY);
            p.setAssetHandleArray(new HandleArray());
            p.getAssetHandleArray().getItems().add(handle);
            GetAssetsReturn r = port.getAssets(p, auth("ips-emulator"));
            List<Asset> items = r.getAssetArray() == null ? List.of() : r.getAssetArray().getItems();
            Asset a = items.size() == 1 ? items.get(0) : null;
            check("getAssets (2013-02-15) finds the copy",
                    a != null && handle != null && handle.equals(a.getAssetHandle()) && name.equals(a.getName())
                            && FOLDER.equals(a.getFolder()),
                    a == null ? items.size() + " items"
                            : "handle=" + a.getAssetHandle() + " name=" + a.getName() + " folder=" + a.getFolder());
        } catch (Exception e) {
            check("getAssets (2013-02-15) finds the copy", false, e.toString());
        }

        try {
            GetAssetsParam p = new GetAssetsParam();
            p.setCompanyHandle(COMPANY);
            p.setAssetHandleArray(new HandleArray());
            p.getAssetHandleArray().getItems().add(SOURCE);
            port.getAssets(p, auth("wrong"));
            check("authenticationFault 10001 (2013-02-15)", false, "no fault");
        } catch (AuthenticationFaultException e) {
            int code = e.getFaultInfo().getCode();
            String reason = e.getFaultInfo().getReason();
            check("authenticationFault 10001 (2013-02-15)", code == 10001 && reason != null && !reason.isEmpty(),
                    "code " + code + ", reason " + reason);
        } catch (Exception e) {
            check("authenticationFault 10001 (2013-02-15)", false, e.toString());
        }

        System.exit(failed ? 1 : 0);
    }
}
