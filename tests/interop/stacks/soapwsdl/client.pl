#!/usr/bin/perl
# Perl SOAP::WSDL against the emulator, through the classes wsdl2perl
# generated from a subset of the served WSDL (copyImage and getAssets).
# Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
# every check passed.
use strict;
use warnings;
use LWP::UserAgent;
use IpsFaultDetail;
use S7Interfaces::IpsApiService::IpsApiSoapPort;

my ($version) = @ARGV;
my ($company, $source, $folder) = ('c|6', 'a|739|1|537', 'ApiTestCo/');
my $failed = 0;

sub check {
    my ($what, $ok, $detail) = @_;
    print "check $what: " . ($ok ? 'ok' : 'FAIL ' . ($detail // '')) . "\n";
    $failed ||= !$ok;
}

sub fresh { sprintf 'soapwsdl-%08x', int rand 0xffffffff }

sub auth {
    my (%extra) = @_;
    return { user => 'ipsuser@ips.test', password => 'ips-emulator', appName => 'interop-soapwsdl', appVersion => '1', %extra };
}

my $svc = S7Interfaces::IpsApiService::IpsApiSoapPort->new({ proxy => $ENV{IPS_SERVICE_URL} });

sub copy {
    my ($name, $modifier, $header, $from) = @_;
    return $svc->copyImage(
        { companyHandle => $company, assetHandle => $from // $source, folderHandle => $folder, name => $name, urlModifier => $modifier },
        $header // auth());
}

print "version $version (Perl $^V)\n";

my $name = fresh();
my $r = copy($name, '');
my $handle = $r ? $r->get_assetHandle->get_value : undef;
check('copyImage returns a handle', defined $handle && $handle =~ /^a\|/, $r ? "got $handle" : $r->get_faultstring);

my $got = $svc->getAssets({ companyHandle => $company, assetHandleArray => { items => [$handle // ''] } }, auth());
if (!$got) {
    my $d = $got->get_detail; check("getAssets finds the copy", 0, $got->get_faultstring . (ref $d && $d->get_ipsApiFault ? ": " . $d->get_ipsApiFault->get_reason->get_value : ""));
} else {
    my $items = $got->get_assetArray ? $got->get_assetArray->get_items : undef;
    my @items = ref $items eq 'ARRAY' ? @$items : defined $items ? ($items) : ();
    my $a = $items[0];
    check('getAssets finds the copy',
        @items == 1 && $a->get_assetHandle eq $handle && $a->get_name eq $name
            && $a->get_folder eq $folder && $a->get_type eq 'Image',
        scalar(@items) . ' items');
}

my $png_name = "$name-png";
$r = copy($png_name, 'wid=120&fmt=png');
my $res = LWP::UserAgent->new->get("$ENV{IPS_BASE_URL}/is/image/ApiTestCo/$png_name");
my ($width) = $res->is_success && substr($res->content, 12, 4) eq 'IHDR' ? unpack('N', substr($res->content, 16, 4)) : ();
check('urlModifier copy served as 120px PNG', $r && ($width // 0) == 120, 'width ' . ($width // 'none'));

sub expect_fault {
    my ($what, $element, $code, $status, @call) = @_;
    my $f = copy(@call);
    if ($f) {
        check($what, 0, 'no fault');
        return;
    }
    my $detail = $f->get_detail;
    my $getter = "get_$element";
    my $typed = ref $detail && $detail->can($getter) ? $detail->$getter : undef;
    my $got = $svc->get_transport->code;
    if (!$typed) {
        check($what, 0, "no typed $element detail: " . $f->get_faultstring);
    } elsif ($typed->get_code->get_value != $code || !$typed->get_reason->get_value) {
        check($what, 0, 'code ' . $typed->get_code->get_value);
    } elsif ($got != $status) {
        check($what, 0, "HTTP $got, wanted $status");
    } else {
        check($what, 1);
    }
}

expect_fault('authenticationFault 10001', 'authenticationFault', 10001, 500, fresh(), '', auth(password => 'wrong'));
expect_fault('authorizationFault 20003', 'authorizationFault', 20003, 500, fresh(), '', auth(user => 'portaluser@ips.test'));
expect_fault('ipsApiFault 30001 (HTTP 500)', 'ipsApiFault', 30001, 500, fresh(), '', auth(), 'a|999|1|999');
expect_fault('ipsApiFault 30001 (HTTP 200)', 'ipsApiFault', 30001, 200, fresh(), '', auth(faultHttpStatusCode => 200), 'a|999|1|999');
exit($failed ? 1 : 0);
