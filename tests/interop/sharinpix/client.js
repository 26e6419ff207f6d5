// The official `sharinpix` npm client against the emulator over HTTPS,
// configured only with an endpoint, a secret id and a secret. Prints one
// `check N <what>: PASS|FAIL <detail>` line per check; exits 1 if any failed.
const Sharinpix = require('sharinpix');

const endpoint = process.env.SHARINPIX_ENDPOINT;
const plain = process.env.IPS_BASE_URL;
const PHOTO = '4c4401c9-9cb1-4c50-b15e-b171de99af5e';
const ALBUM = '00100000123BB124';
const FIVE = '00100000123BB44';

let failed = 0;
function check(n, what, ok, detail) {
  if (!ok) failed += 1;
  console.log(`check ${n} ${what}: ${ok ? 'PASS' : 'FAIL'} ${detail || ''}`);
}

async function main() {
  Sharinpix.configure({ endpoint, id: 'sharinpix-demo', secret: 'ips-emulator' });
  const client = Sharinpix.get_instance();
  console.log(`version sharinpix ${require('sharinpix/package.json').version}`);

  const copy = await client.post(`/images/${PHOTO}/duplicate`, {});
  check(1, 'duplicate an image', copy.group_id === PHOTO && copy.album_id === ALBUM && copy.id !== PHOTO,
    `id=${copy.id} group_id=${copy.group_id}`);

  const read = await client.get(`/images/${copy.id}`);
  check(2, 'read the copy back', read.id === copy.id && read.width === copy.width, `width=${read.width}`);

  const album = await client.post(`/albums/${FIVE}/duplicate`, { destination_id: 'interop_album' });
  const groups = (album.thumbnails || []).map((t) => t.group_id).filter(Boolean);
  check(3, 'duplicate an album', album.id === 'interop_album' && album.images_count === 5 && groups.length === 4,
    `images_count=${album.images_count} thumbnails=${groups.length}`);

  const listed = await client.get('/albums/interop_album/images');
  check(4, 'list the new album', Array.isArray(listed) && listed.length === 5, `images=${listed.length}`);

  // The copy is served over the same HTTPS listener by Image Serving.
  const served = await fetchStatus(read.thumbnails.mini.replace(plain, endpoint.replace('/api/v1', '')));
  check(5, 'the copy renders', served === 200, `status=${served}`);

  const source = `${plain}/is/image/SharinPixDemo/${PHOTO}?wid=80&fmt=png`;
  const imported = await Sharinpix.import(source, 'interop_imports', { origin: 'interop' });
  let done = imported;
  for (let i = 0; i < 100 && !done.image_id && !done.error; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    done = await client.get(`/imports/${imported.id}`);
  }
  check(6, 'import by URL', Boolean(done.image_id), `image_id=${done.image_id} error=${done.error || ''}`);

  // The client's own upload: read the album's upload form, post the file
  // to it, then make the image of what the form answered.
  const file = require('path').join(__dirname, '../../../fixtures/seed/images/sharinpix-super-1.png');
  const uploaded = await Sharinpix.upload(file, 'interop_uploads', { origin: 'interop' });
  check(7, 'upload through the album form', uploaded.album_id === 'interop_uploads' && uploaded.format === 'png',
    `id=${uploaded.id} format=${uploaded.format}`);
}

function fetchStatus(url) {
  return new Promise((resolve) => {
    require('https').get(url, (res) => { res.resume(); resolve(res.statusCode); })
      .on('error', (e) => { console.log(`fetch ${url}: ${e.message}`); resolve(0); });
  });
}

main()
  .catch((e) => {
    failed += 1;
    console.log(`check 0 the client ran: FAIL ${e && (e.stack || e.message || e)}`);
  })
  .then(() => process.exit(failed ? 1 : 0));
