// node `soap` against the emulator: the client is built at run time from the
// WSDL URL the emulator serves (IPS_WSDL_URL).
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
// every check passed.
'use strict';

const crypto = require('crypto');
const soap = require('soap');

// The authHeader the WSDL binds (2014-04-03 binds its own).
const AUTH_NS = process.env.IPS_HEADER_NS || 'http://www.scene7.com/IpsApi/xsd';
const COMPANY = 'c|6';
const SOURCE = 'a|739|1|537';
const FOLDER = 'ApiTestCo/';
const BASE = process.env.IPS_BASE_URL;
// How often, and how long, the active jobs are polled for a submitted job.
const POLL_INTERVAL_MS = 300;
const POLL_LIMIT_MS = 30000;

let failed = false;
function check(what, ok, detail = '') {
  console.log(`check ${what}: ` + (ok ? 'ok' : `FAIL ${detail}`));
  if (!ok) failed = true;
}

const freshName = () => 'node-' + crypto.randomBytes(4).toString('hex');

// The items of a returned array: one item comes back as an object, none as
// null or a missing element.
function arrayItems(array) {
  const items = array?.items ?? [];
  return Array.isArray(items) ? items : [items];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function pngSize(buf) {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(sig) || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

async function main() {
  const version = require('soap/package.json').version;
  console.log(`version ${version} (Node ${process.version})`);

  const client = await soap.createClientAsync(process.env.IPS_WSDL_URL);
  // The top-level methods belong to the last port (SOAP 1.2): name the 1.1 one.
  const port = client.IpsApiService.IpsApiSoapPort;

  const call = (op, header, args) => {
    client.clearSoapHeaders();
    client.addSoapHeader({ authHeader: header }, '', 'auth', AUTH_NS);
    return new Promise((resolve, reject) => {
      port[op](args, (err, result) => (err ? reject(err) : resolve(result)));
    });
  };
  const auth = (extra = {}) => ({
    user: 'ipsuser@ips.test', password: 'ips-emulator', appName: 'interop-node', appVersion: '1', ...extra,
  });
  const copy = (header, name, urlModifier = '', assetHandle = SOURCE) =>
    call('copyImage', header, { companyHandle: COMPANY, assetHandle, folderHandle: FOLDER, name, urlModifier });

  async function expectFault(what, element, code, promise, status) {
    try {
      const r = await promise;
      check(what, false, `no fault; returned ${JSON.stringify(r)}`);
    } catch (e) {
      const detail = e.root?.Envelope?.Body?.Fault?.detail?.[element];
      const got = e.response?.status;
      // node soap hands back every value as a string: "10001"
      if (!detail) check(what, false, `no ${element} detail: ${e.message}`);
      else if (String(detail.code) !== String(code) || !/^\d+$/.test(String(detail.code)))
        check(what, false, `code ${JSON.stringify(detail.code)}, wanted ${code}`);
      else if (!detail.reason) check(what, false, 'empty reason');
      else if (got !== status) check(what, false, `HTTP ${got}, wanted ${status}`);
      else check(what, true);
    }
  }

  const name = freshName();
  let handle = null;
  try {
    handle = (await copy(auth(), name))?.assetHandle;
    check('copyImage returns a handle', typeof handle === 'string' && handle.startsWith('a|'), `got ${handle}`);
  } catch (e) {
    check('copyImage returns a handle', false, e.message);
  }

  try {
    const r = await call('getAssets', auth(), { companyHandle: COMPANY, assetHandleArray: { items: [handle] } });
    const items = arrayItems(r?.assetArray);
    if (items.length !== 1) check('getAssets finds the copy', false, `${items.length} items`);
    else {
      const a = items[0];
      check('getAssets finds the copy',
        a.assetHandle === handle && a.name === name && a.folder === FOLDER && a.type === 'Image',
        `handle=${a.assetHandle} name=${a.name} folder=${a.folder} type=${a.type}`);
    }
  } catch (e) {
    check('getAssets finds the copy', false, e.message);
  }

  const name2 = `${name}-png`;
  try {
    const h2 = (await copy(auth(), name2, 'wid=120&fmt=png'))?.assetHandle;
    const res = await fetch(`${BASE}/is/image/ApiTestCo/${encodeURIComponent(name2)}`);
    const size = res.ok ? pngSize(Buffer.from(await res.arrayBuffer())) : null;
    check('urlModifier copy served as 120px PNG',
      typeof h2 === 'string' && h2.startsWith('a|') && size !== null && size[0] === 120 && size[1] > 0,
      `handle ${h2}, image HTTP ${res.status}, PNG size ${JSON.stringify(size)}`);
  } catch (e) {
    check('urlModifier copy served as 120px PNG', false, e.message);
  }

  await expectFault('authenticationFault 10001', 'authenticationFault', 10001,
    copy(auth({ password: 'wrong' }), freshName()), 500);
  await expectFault('authorizationFault 20003', 'authorizationFault', 20003,
    copy(auth({ user: 'portaluser@ips.test' }), freshName()), 500);
  await expectFault('ipsApiFault 30001 (HTTP 500)', 'ipsApiFault', 30001,
    copy(auth(), freshName(), '', 'a|999|1|999'), 500);
  await expectFault('ipsApiFault 30001 (HTTP 200)', 'ipsApiFault', 30001,
    copy(auth({ faultHttpStatusCode: 200 }), freshName(), '', 'a|999|1|999'), 200);

  if (process.env.IPS_API_VERSION === '2014-04-03') await metadata(call, auth, handle);

  await publishJob(call, auth);
}

// Check 8, as tests/interop/metadata_check.py: a unique Photographer value
// set on the copy, found by searchAssetsByMetadata and shown by getAssets.
async function metadata(call, auth, handle) {
  const value = `node ${Math.random().toString(16).slice(2, 10)}`;
  try {
    await call('setAssetMetadata', auth(), {
      companyHandle: COMPANY, assetHandle: handle,
      updateArray: { items: [{ fieldHandle: 'm|6|ALL|Photographer', value }] },
    });
    const r = await call('searchAssetsByMetadata', auth(), {
      companyHandle: COMPANY,
      metadataConditionArray: { items: [{ fieldHandle: 'custom_attributes.Photographer', op: 'Equals', value }] },
      responseMetadataArray: { items: ['name'] },
    });
    const handles = arrayItems(r?.assetSummaryArray).map((s) => s.assetHandle);
    check('setAssetMetadata + searchAssetsByMetadata',
      String(r?.totalRows) === '1' && handles.length === 1 && handles[0] === handle,
      `totalRows=${r?.totalRows} handles=${JSON.stringify(handles)} wanted ${handle}`);
  } catch (e) {
    check('setAssetMetadata + searchAssetsByMetadata', false, e.message);
  }
  try {
    const r = await call('getAssets', auth(), { companyHandle: COMPANY, assetHandleArray: { items: [handle] } });
    const items = arrayItems(r?.assetArray);
    const pairs = items.length === 1 ? arrayItems(items[0].metadataArray).map((m) => [m.name, m.value]) : [];
    check('getAssets shows the metadata value', pairs.some(([n, v]) => n === 'Photographer' && v === value),
      `metadataArray ${JSON.stringify(pairs)}`);
  } catch (e) {
    check('getAssets shows the metadata value', false, e.message);
  }
}

// Polls getActiveJobs for one job until it has left the active jobs: the job
// as each poll saw it, and whether it left within POLL_LIMIT_MS.
async function pollActive(call, auth, jobHandle) {
  const seen = [];
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    const r = await call('getActiveJobs', auth(), { jobHandle });
    const mine = arrayItems(r?.jobArray).filter((j) => j.jobHandle === jobHandle);
    if (mine.length === 0) return { seen, left: true };
    seen.push(mine[0]);
    await sleep(POLL_INTERVAL_MS);
  }
  return { seen, left: false };
}

// A full publish job: submitted, polled while it is active, then found
// finished in the job logs (the runner holds each job Running 1.5 s).
async function publishJob(call, auth) {
  const jobName = 'interop-publish-' + crypto.randomBytes(4).toString('hex');
  let jobHandle;
  try {
    const r = await call('submitJob', auth(), {
      companyHandle: COMPANY, jobName, imageServingPublishJob: { publishType: 'Full', emailSetting: 'None' },
    });
    jobHandle = r?.jobHandle;
    check('submitJob (publish) returns a jobHandle', typeof jobHandle === 'string' && jobHandle !== '',
      `got ${JSON.stringify(r)}`);
  } catch (e) {
    check('submitJob (publish) returns a jobHandle', false, e.message);
    return;
  }
  if (typeof jobHandle !== 'string' || jobHandle === '') return;
  try {
    const { seen, left } = await pollActive(call, auth, jobHandle);
    check('getActiveJobs sees the job Running',
      seen.some((j) => j.state === 'Running' && j.originalName === jobName && j.type === 'ImageServingPublish'),
      `${seen.length} polls saw it: ` + seen.map((j) => `${j.state}/${j.originalName}/${j.type}`).join(', '));
    check('the job leaves the active jobs', left, `still active after ${POLL_LIMIT_MS / 1000}s`);
  } catch (e) {
    check('getActiveJobs sees the job Running', false, e.message);
    return;
  }
  try {
    const logs = arrayItems((await call('getJobLogs', auth(), { companyHandle: COMPANY }))?.jobLogArray);
    const mine = logs.filter((l) => l.originalJobName === jobName);
    if (mine.length !== 1) {
      check('getJobLogs lists the finished job', false, `${mine.length} of ${logs.length} logs named ${jobName}`);
      return;
    }
    const log = mine[0];
    // Counts may come back as numbers or as digit strings.
    const count = (v) => (/^\d+$/.test(String(v)) ? Number(v) : NaN);
    const [success, errors, total] = [log.fileSuccessCount, log.fileErrorCount, log.totalFileCount].map(count);
    // node soap hands dateTimes back as Date objects; a missing one is NaN.
    const start = new Date(log.startDate).getTime();
    const end = new Date(log.endDate).getTime();
    check('getJobLogs lists the finished job',
      log.jobHandle === jobHandle && end >= start && String(log.fatalError) === 'false'
        && success >= 1 && errors === 0 && total >= success,
      `handle=${log.jobHandle} start=${start} end=${end} fatal=${log.fatalError} `
        + `success/error/total=${success}/${errors}/${total}`);
  } catch (e) {
    check('getJobLogs lists the finished job', false, e.message);
  }
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (e) => {
    console.log(`check client: FAIL ${e.stack || e}`);
    process.exit(1);
  },
);
