//! The requests the crash loop sends, as raw HTTP: SOAP calls as
//! `ipsuser@ips.test` in company `c|6`, upload servlet forms, `/is/image`.

use crate::server;

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const UPLOAD_NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
const USER: &str = "<user>ipsuser@ips.test</user><password>ips-emulator</password>";
const BOUNDARY: &str = "crash-loop-boundary-7d1f";

/// `op` with `body` inside its Param element.
pub fn soap(op: &str, body: &str) -> Vec<u8> {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd">{USER}</authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{NS}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("SOAPAction: \"{op}\"\r\n");
    server::post(
        "/scene7/services/IpsApiService",
        "text/xml; charset=utf-8",
        &action,
        envelope.as_bytes(),
    )
}

/// copyImage of the seed photo.
pub fn copy(name: &str, folder: &str, modifier: &str) -> Vec<u8> {
    let modifier = modifier.replace('&', "&amp;");
    soap(
        "copyImage",
        &format!("<assetHandle>a|739|1|537</assetHandle><folderHandle>{folder}</folderHandle><name>{name}</name><urlModifier>{modifier}</urlModifier>"),
    )
}

pub fn rename(handle: &str, name: &str) -> Vec<u8> {
    soap(
        "renameAsset",
        &format!("<assetHandle>{handle}</assetHandle><newName>{name}</newName><validateName>true</validateName>"),
    )
}

pub fn move_to(handle: &str, folder: &str) -> Vec<u8> {
    soap(
        "moveAsset",
        &format!("<assetHandle>{handle}</assetHandle><folderHandle>{folder}</folderHandle>"),
    )
}

pub fn delete(handle: &str) -> Vec<u8> {
    soap("deleteAsset", &format!("<assetHandle>{handle}</assetHandle>"))
}

pub fn create_folder(path: &str) -> Vec<u8> {
    soap("createFolder", &format!("<folderPath>{path}</folderPath>"))
}

pub fn delete_folder(path: &str) -> Vec<u8> {
    soap("deleteFolder", &format!("<folderHandle>{path}</folderHandle>"))
}

/// An upload servlet request starting job `job` with one file, which
/// becomes the asset named by `file_name`'s stem in `folder`.
pub fn upload(job: &str, folder: &str, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let auth = format!(r#"<authHeader xmlns="{UPLOAD_NS}">{USER}</authHeader>"#);
    let params = format!(
        r#"<uploadPostParam xmlns="{UPLOAD_NS}"><companyHandle>c|6</companyHandle><jobName>{job}</jobName><destFolder>{folder}</destFolder><uploadParams><overwrite>false</overwrite></uploadParams></uploadPostParam>"#
    );
    let mut form = Vec::new();
    let mut part = |disposition: String, data: &[u8]| {
        form.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n").as_bytes(),
        );
        form.extend_from_slice(data);
        form.extend_from_slice(b"\r\n");
    };
    part("name=\"auth\"".into(), auth.as_bytes());
    part("name=\"uploadParams\"".into(), params.as_bytes());
    part(format!("name=\"file1\"; filename=\"{file_name}\""), bytes);
    form.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    server::post("/scene7/UploadFile", &content_type, "", &form)
}
