//! The WSDL of a version: Adobe's names throughout (definitions, messages,
//! port type, bindings, service, ports, prefixes, `soapAction`), so that
//! classes generated from it match those generated from Adobe's own.

use std::fmt::Write as _;

use super::super::versions::{namespace, IPS_XSD};
use super::{Document, Subset, FILE_BASE, SERVICE_PATH};
use crate::ips::contract::Version;
use crate::ips::types::header;
use crate::ips::Operation;

const FAULTS: [&str; 3] = ["ipsApiFault", "authenticationFault", "authorizationFault"];

/// The two bindings: (name, port name, binding namespace prefix).
const BINDINGS: [(&str, &str, &str); 2] = [
    ("IpsApiServiceSoapBinding", "IpsApiSoapPort", "soap"),
    ("IpsApiServiceSoap12Binding", "IpsApiSoap12Port", "soap12"),
];

fn messages(out: &mut String, operations: &[&'static Operation]) {
    for op in operations {
        let n = op.name;
        let _ = write!(
            out,
            "  <message name=\"{n}\">\n    <part name=\"input\" element=\"types:{n}Param\"/>\n  </message>\n  <message name=\"{n}Response\">\n    <part name=\"output\" element=\"types:{n}Return\"/>\n  </message>\n"
        );
    }
    for f in FAULTS {
        let _ = write!(
            out,
            "  <message name=\"{f}Exception\">\n    <part name=\"fault\" element=\"flt:{f}\"/>\n  </message>\n"
        );
    }
    out.push_str(
        "  <message name=\"authHeader\">\n    <part name=\"authHeader\" element=\"hdr:authHeader\"/>\n  </message>\n\n",
    );
}

fn port_type(out: &mut String, operations: &[&'static Operation]) {
    out.push_str("  <portType name=\"IpsApiPortType\">\n");
    for op in operations {
        let n = op.name;
        let _ = writeln!(out, "    <operation name=\"{n}\">");
        let _ = writeln!(out, "      <input name=\"{n}\" message=\"tns:{n}\"/>");
        let _ = writeln!(out, "      <output name=\"{n}Response\" message=\"tns:{n}Response\"/>");
        for f in FAULTS {
            let _ = writeln!(out, "      <fault name=\"{f}\" message=\"tns:{f}Exception\"/>");
        }
        out.push_str("    </operation>\n");
    }
    out.push_str("  </portType>\n\n");
}

fn binding(out: &mut String, operations: &[&'static Operation], (name, _, p): (&str, &str, &str)) {
    let _ = write!(
        out,
        "  <binding name=\"{name}\" type=\"tns:IpsApiPortType\">\n    <{p}:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n"
    );
    for op in operations {
        let n = op.name;
        let _ = write!(
            out,
            "    <operation name=\"{n}\">\n      <{p}:operation soapAction=\"{n}\" style=\"document\"/>\n      <input name=\"{n}\">\n        <{p}:header message=\"tns:authHeader\" part=\"authHeader\" use=\"literal\"/>\n        <{p}:body use=\"literal\"/>\n      </input>\n      <output name=\"{n}Response\">\n        <{p}:body use=\"literal\"/>\n      </output>\n"
        );
        for f in FAULTS {
            let _ = write!(
                out,
                "      <fault name=\"{f}\">\n        <{p}:fault name=\"{f}\" use=\"literal\"/>\n      </fault>\n"
            );
        }
        out.push_str("    </operation>\n");
    }
    out.push_str("  </binding>\n\n");
}

/// The WSDL of `version`: the subset's operations, its bindings, and the
/// schemas imported from the service's own URLs. The schema holding the
/// imports says `elementFormDefault="qualified"` too, as the imported ones
/// do: some generators (Perl SOAP::WSDL) give imported types the importing
/// schema's form.
pub fn wsdl(version: Version, subset: &Subset) -> String {
    let operations = subset.operations(version);
    let types_ns = namespace(version);
    let (_, header_versioned) = header::auth_header(version);
    let hdr_ns = if header_versioned { types_ns } else { IPS_XSD };
    let names: Vec<_> = operations.iter().map(|o| o.name).collect();
    let query = subset.query();
    let bindings: Vec<_> = BINDINGS
        .iter()
        .take(if subset.soap12 { 2 } else { 1 })
        .copied()
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n  Scene7 IPS API {label} as ips-emulator serves it: the operations it\n  implements in this version: {ops}.\n\n  Every operation is document/literal, takes the authHeader SOAP header,\n  may fail with ipsApiFault, authenticationFault or authorizationFault, and\n  has its own name as soapAction{both}.\n  Addresses follow the host the WSDL was fetched from (or ?serviceUrl=).\n-->\n",
        label = version.label(),
        ops = names.join(", "),
        both = if subset.soap12 { ", in the SOAP 1.1 and the SOAP 1.2 binding" } else { "" },
    );
    let _ = write!(
        out,
        "<definitions name=\"IpsApi\"\n    targetNamespace=\"http://www.scene7.com/IpsApi\"\n    xmlns=\"http://schemas.xmlsoap.org/wsdl/\"\n    xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\"\n    xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\"\n    xmlns:tns=\"http://www.scene7.com/IpsApi\"\n    xmlns:types=\"{types_ns}\"\n    xmlns:hdr=\"{hdr_ns}\"\n    xmlns:flt=\"{IPS_XSD}\"\n    xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n\n  <types>\n    <xsd:schema elementFormDefault=\"qualified\">\n"
    );
    let imports: Vec<(&str, Document)> = if version == Version::Pre40 {
        vec![(IPS_XSD, Document::Pre40Types)]
    } else {
        vec![(types_ns, Document::Types(version)), (IPS_XSD, Document::Common)]
    };
    for (ns, doc) in imports {
        let query = if doc == Document::Common {
            String::new()
        } else {
            query.clone()
        };
        let _ = write!(
            out,
            "      <xsd:import namespace=\"{ns}\"\n          schemaLocation=\"{FILE_BASE}/scene7/webservice/{}{}\"/>\n",
            doc.file_name(),
            query.replace('&', "&amp;")
        );
    }
    out.push_str("    </xsd:schema>\n  </types>\n\n");
    messages(&mut out, &operations);
    port_type(&mut out, &operations);
    for b in &bindings {
        binding(&mut out, &operations, *b);
    }
    out.push_str("  <service name=\"IpsApiService\">\n");
    for (name, port, p) in &bindings {
        let _ = write!(
            out,
            "    <port name=\"{port}\" binding=\"tns:{name}\">\n      <{p}:address location=\"{FILE_BASE}{SERVICE_PATH}\"/>\n    </port>\n"
        );
    }
    out.push_str("  </service>\n</definitions>\n");
    out
}
