<?php
// PHP ext/soap SoapClient against the emulator: the client is built at run
// time from the WSDL URL the emulator serves (IPS_WSDL_URL). `compression`
// makes every request body gzip-compressed and accepts gzip replies.
//
// Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only
// if every check passed.

const AUTH_NS = 'http://www.scene7.com/IpsApi/xsd';
// The authHeader the WSDL binds (2014-04-03 binds its own).
define('HEADER_NS', getenv('IPS_HEADER_NS') ?: AUTH_NS);
const COMPANY = 'c|6';
const SOURCE = 'a|739|1|537';
const FOLDER = 'ApiTestCo/';

$base = getenv('IPS_BASE_URL');
$failed = false;

function check(string $what, bool $ok, string $detail = ''): void
{
    global $failed;
    echo "check $what: " . ($ok ? 'ok' : "FAIL $detail") . "\n";
    if (!$ok) {
        $failed = true;
    }
}

function auth(array $extra = []): SoapHeader
{
    $h = array_merge(
        ['user' => 'ipsuser@ips.test', 'password' => 'ips-emulator', 'appName' => 'interop-php', 'appVersion' => '1'],
        $extra
    );
    return new SoapHeader(HEADER_NS, 'authHeader', $h);
}

function http_status(SoapClient $c): ?int
{
    $headers = $c->__getLastResponseHeaders();
    if ($headers && preg_match('#^HTTP/\S+ (\d{3})#', $headers, $m)) {
        return (int) $m[1];
    }
    return null;
}

function png_size(string $data): ?array
{
    if (substr($data, 0, 8) !== "\x89PNG\r\n\x1a\n" || substr($data, 12, 4) !== 'IHDR') {
        return null;
    }
    return [unpack('N', substr($data, 16, 4))[1], unpack('N', substr($data, 20, 4))[1]];
}

// ext/soap decodes fault details without their schema, so code arrives as
// the string "10001": accept an int, or a string of exactly that integer.
function int_value($v, int $want): bool
{
    return $v === $want || (is_string($v) && $v === (string) $want);
}

function fresh_name(): string
{
    return 'php-' . bin2hex(random_bytes(4));
}

$client = new SoapClient(getenv('IPS_WSDL_URL'), [
    'soap_version' => SOAP_1_1,
    'trace' => true,
    'exceptions' => true,
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
    // level 5: without a level PHP only announces Accept-Encoding
    'compression' => SOAP_COMPRESSION_ACCEPT | SOAP_COMPRESSION_GZIP | 5,
]);

function copy_image(SoapClient $c, SoapHeader $h, string $name, string $modifier = '', string $source = SOURCE)
{
    $c->__setSoapHeaders([$h]);
    return $c->copyImage([
        'companyHandle' => COMPANY, 'assetHandle' => $source, 'folderHandle' => FOLDER,
        'name' => $name, 'urlModifier' => $modifier,
    ]);
}

function expect_fault(SoapClient $c, string $what, string $element, int $code, callable $call, int $status): void
{
    try {
        $r = $call();
        check($what, false, 'no fault; returned ' . json_encode($r));
    } catch (SoapFault $f) {
        $d = $f->detail->$element ?? null;
        $got = http_status($c);
        if ($d === null) {
            check($what, false, "no $element detail: " . json_encode($f->detail ?? null));
        } elseif (!int_value($d->code, $code)) {
            check($what, false, 'code ' . var_export($d->code, true) . ", wanted int $code");
        } elseif (!is_string($d->reason) || $d->reason === '') {
            check($what, false, 'empty reason');
        } elseif ($got !== $status) {
            check($what, false, "HTTP $got, wanted $status");
        } else {
            check($what, true);
        }
    } catch (Throwable $e) {
        check($what, false, get_class($e) . ': ' . $e->getMessage());
    }
}

echo 'version ' . PHP_VERSION . "\n";

if (getenv('IPS_API_VERSION') === 'pre-4.0') {
    pre40($client);
} else {
    since40($client, $base);
}
exit($failed ? 1 : 0);

/** The pre-4.0 API, which has no copyImage: reads, a folder, and faults. */
function pre40(SoapClient $client): void
{
    try {
        $client->__setSoapHeaders([auth()]);
        $info = $client->getCompanyInfo(['companyName' => 'ApiTestCo'])->companyInfo;
        check('getCompanyInfo (pre-4.0)', $info->companyHandle === COMPANY && $info->rootPath === FOLDER,
            "handle={$info->companyHandle} root={$info->rootPath}");
        $r = $client->getAssets(['companyHandle' => COMPANY, 'assetHandleArray' => ['items' => [SOURCE]]]);
        $items = $r->assetArray->items ?? [];
        $a = count($items) === 1 ? $items[0] : null;
        check('getAssets (pre-4.0) reads the seed asset',
            $a !== null && $a->name === 'macbookwin1' && $a->type === 'Image' && $a->readyForPublish === true
                && $a->imageInfo->width === 640,
            json_encode($a));
        $s = $client->searchAssets(['companyHandle' => COMPANY, 'includeSubfolders' => true,
            'systemFieldConditionArray' => ['items' => [['field' => 'Name', 'op' => 'StartsWith', 'value' => 'mac']]]]);
        check('searchAssets (pre-4.0) with a value-only condition', $s->totalRows === 1, 'totalRows ' . var_export($s->totalRows, true));
        $folder = fresh_name();
        $h = $client->createFolder(['companyHandle' => COMPANY, 'folderPath' => "/$folder"])->folderHandle;
        check('createFolder (pre-4.0)', $h === FOLDER . "$folder/", "got $h");
    } catch (Throwable $e) {
        check('pre-4.0 calls', false, get_class($e) . ': ' . $e->getMessage());
    }
    $call = function (SoapHeader $h, string $op, array $args) use ($client) {
        return function () use ($client, $h, $op, $args) {
            $client->__setSoapHeaders([$h]);
            return $client->$op($args);
        };
    };
    expect_fault($client, 'authenticationFault 10001 (pre-4.0)', 'authenticationFault', 10001,
        $call(auth(['password' => 'wrong']), 'getAssets', ['companyHandle' => COMPANY, 'assetHandleArray' => ['items' => [SOURCE]]]), 500);
    expect_fault($client, 'authorizationFault 20003 (pre-4.0)', 'authorizationFault', 20003,
        $call(auth(['user' => 'portaluser@ips.test']), 'createFolder', ['companyHandle' => COMPANY, 'folderPath' => '/' . fresh_name()]), 500);
    expect_fault($client, 'ipsApiFault 30001 (pre-4.0, HTTP 500)', 'ipsApiFault', 30001,
        $call(auth(), 'deleteAsset', ['companyHandle' => COMPANY, 'assetHandle' => 'a|999|1|999']), 500);
    expect_fault($client, 'ipsApiFault 30001 (pre-4.0, HTTP 200)', 'ipsApiFault', 30001,
        $call(auth(['faultHttpStatusCode' => 200]), 'deleteAsset', ['companyHandle' => COMPANY, 'assetHandle' => 'a|999|1|999']), 200);
}

/** 4.0 and later: copyImage and its checks. */
function since40(SoapClient $client, string $base): void
{
    $name = fresh_name();
    $handle = null;
    try {
        $handle = copy_image($client, auth(), $name)->assetHandle ?? null;
        check('copyImage returns a handle', is_string($handle) && str_starts_with($handle, 'a|'), 'got ' . var_export($handle, true));
    } catch (Throwable $e) {
        check('copyImage returns a handle', false, get_class($e) . ': ' . $e->getMessage());
    }

    try {
        $client->__setSoapHeaders([auth()]);
        $r = $client->getAssets(['companyHandle' => COMPANY, 'assetHandleArray' => ['items' => [$handle]]]);
        $items = $r->assetArray->items ?? [];
        if (count($items) !== 1) {
            check('getAssets finds the copy', false, count($items) . ' items');
        } else {
            $a = $items[0];
            check(
                'getAssets finds the copy',
                $a->assetHandle === $handle && $a->name === $name && $a->folder === FOLDER && $a->type === 'Image',
                "handle={$a->assetHandle} name={$a->name} folder={$a->folder} type={$a->type}"
            );
        }
    } catch (Throwable $e) {
        check('getAssets finds the copy', false, get_class($e) . ': ' . $e->getMessage());
    }

    $name2 = "$name-png";
    try {
        $h2 = copy_image($client, auth(), $name2, 'wid=120&fmt=png')->assetHandle ?? null;
        $png = file_get_contents("$base/is/image/ApiTestCo/" . rawurlencode($name2));
        $size = $png === false ? null : png_size($png);
        check(
            'urlModifier copy served as 120px PNG',
            is_string($h2) && str_starts_with($h2, 'a|') && $size !== null && $size[0] === 120 && $size[1] > 0,
            'handle ' . var_export($h2, true) . ', PNG size ' . json_encode($size)
        );
    } catch (Throwable $e) {
        check('urlModifier copy served as 120px PNG', false, get_class($e) . ': ' . $e->getMessage());
    }

    expect_fault($client, 'authenticationFault 10001', 'authenticationFault', 10001,
        fn() => copy_image($client, auth(['password' => 'wrong']), fresh_name()), 500);
    expect_fault($client, 'authorizationFault 20003', 'authorizationFault', 20003,
        fn() => copy_image($client, auth(['user' => 'portaluser@ips.test']), fresh_name()), 500);
    expect_fault($client, 'ipsApiFault 30001 (HTTP 500)', 'ipsApiFault', 30001,
        fn() => copy_image($client, auth(), fresh_name(), '', 'a|999|1|999'), 500);
    expect_fault($client, 'ipsApiFault 30001 (HTTP 200)', 'ipsApiFault', 30001,
        fn() => copy_image($client, auth(['faultHttpStatusCode' => 200]), fresh_name(), '', 'a|999|1|999'), 200);

}
