#!/usr/bin/perl
# Perl SOAP::Lite against the emulator. SOAP::Lite generates no code for
# document/literal services, so this client reads what it needs from the WSDL
# the emulator serves (IPS_WSDL_URL) at run time -- the SOAP 1.1 port's
# address, each operation's soapAction and the namespace of its body
# element -- and builds the messages with SOAP::Data, as SOAP::Lite users do.
#
# Prints one `check <what>: ok|FAIL <detail>` line per check; exits 0 only if
# every check passed.
use strict;
use warnings;
use LWP::UserAgent;
use SOAP::Lite;
use XML::Parser;

my $AUTH_NS = $ENV{IPS_HEADER_NS} || 'http://www.scene7.com/IpsApi/xsd';
my $WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
my $SOAP11_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
my ($COMPANY, $SOURCE, $FOLDER) = ('c|6', 'a|739|1|537', 'ApiTestCo/');
my $base = $ENV{IPS_BASE_URL};
my $failed = 0;

sub check {
    my ($what, $ok, $detail) = @_;
    print "check $what: ", ($ok ? 'ok' : "FAIL " . ($detail // '')), "\n";
    $failed = 1 unless $ok;
}

# --- what the WSDL says ------------------------------------------------------
my $ua = LWP::UserAgent->new(timeout => 30);
my $res = $ua->get($ENV{IPS_WSDL_URL});
die "GET $ENV{IPS_WSDL_URL}: " . $res->status_line . "\n" unless $res->is_success;

my (%element_of_message, %input_of_op, %action, $address, $binding11);
{
    my ($in_message, $in_op, $in_binding, $in_port, $binding_is_11, %port_binding);
    my $p = XML::Parser->new(Namespaces => 1, Handlers => {
        Start => sub {
            my ($x, $el, %a) = @_;
            my $ns = $x->namespace($el) // '';
            my $qname = sub {    # a QName attribute value, resolved
                my ($prefix, $local) = $_[0] =~ /^(?:([^:]+):)?(.+)$/;
                return ($x->expand_ns_prefix($prefix // '#default') // '', $local);
            };
            if ($ns eq $WSDL_NS && $el eq 'message') { $in_message = $a{name} }
            elsif ($ns eq $WSDL_NS && $el eq 'part' && $in_message && $a{element}) {
                $element_of_message{$in_message} = [$qname->($a{element})];
            }
            elsif ($ns eq $WSDL_NS && $el eq 'binding') { $in_binding = $a{name}; $binding_is_11 = 0 }
            elsif ($ns eq $SOAP11_NS && $el eq 'binding' && $in_binding) { $binding_is_11 = 1; $binding11 //= $in_binding }
            elsif ($ns eq $WSDL_NS && $el eq 'operation') { $in_op = $a{name} }
            elsif ($ns eq $WSDL_NS && $el eq 'input' && $in_op && !$in_binding && $a{message}) {
                $input_of_op{$in_op} = ($qname->($a{message}))[1];
            }
            elsif ($ns eq $SOAP11_NS && $el eq 'operation' && $binding_is_11 && $in_op) {
                $action{$in_op} = $a{soapAction};
            }
            elsif ($ns eq $WSDL_NS && $el eq 'port') { $in_port = ($qname->($a{binding}))[1] }
            elsif ($ns eq $SOAP11_NS && $el eq 'address' && $in_port) { $port_binding{$in_port} = $a{location} }
        },
        End => sub {
            my ($x, $el) = @_;
            my $ns = $x->namespace($el) // '';
            return unless $ns eq $WSDL_NS;
            $in_message = undef if $el eq 'message';
            $in_op = undef if $el eq 'operation';
            $in_binding = undef if $el eq 'binding';
            $in_port = undef if $el eq 'port';
        },
    });
    $p->parse($res->decoded_content);
    $address = $port_binding{$binding11} if $binding11;
}
die "no SOAP 1.1 port address in the WSDL\n" unless $address;

# --- calls ---------------------------------------------------------------------
my $soap = SOAP::Lite->proxy($address, timeout => 30)->autotype(0)->readable(0);
$soap->on_fault(sub { return $_[1] });    # hand faults back as SOM, don't die

# With autotype(0) SOAP::Lite writes untyped values as they are, without
# escaping `&` or `<` (a typed value would be escaped, but carry xsi:type).
sub text { SOAP::Utils::encode_data($_[0]) }

sub auth {
    my (%extra) = @_;
    my %h = (user => 'ipsuser@ips.test', password => 'ips-emulator',
             appName => 'interop-soaplite', appVersion => '1', %extra);
    my @order = grep { exists $h{$_} } qw(user password appName appVersion faultHttpStatusCode);
    return SOAP::Header->name('authHeader')->attr({xmlns => $AUTH_NS})
        ->value(\SOAP::Data->value(map { SOAP::Data->name($_ => text($h{$_})) } @order));
}

# call(op, header, [name => value | name => [items]]...)
sub call {
    my ($op, $header, @params) = @_;
    my $msg = $input_of_op{$op} or die "operation $op is not in the WSDL\n";
    my ($ns, $element) = @{ $element_of_message{$msg} };
    my @children;
    while (my ($k, $v) = splice(@params, 0, 2)) {
        push @children, ref $v
            ? SOAP::Data->name($k => \SOAP::Data->value(map { SOAP::Data->name(items => text($_)) } @$v))
            : SOAP::Data->name($k => text($v));
    }
    my $action = $action{$op};
    $soap->on_action(sub { qq("$action") });
    return $soap->call(SOAP::Data->name($element)->attr({xmlns => $ns}), @children, $header);
}

sub copy_image {
    my ($header, $name, $modifier, $source) = @_;
    return call('copyImage', $header, companyHandle => $COMPANY, assetHandle => $source // $SOURCE,
                folderHandle => $FOLDER, name => $name, urlModifier => $modifier // '');
}

sub http_status { ($soap->transport->status // '') =~ /^(\d{3})/ ? $1 : undef }

sub fresh_name { sprintf 'soaplite-%08x', int(rand(0xffffffff)) }

sub expect_fault {
    my ($what, $element, $code, $som, $status) = @_;
    my $got = http_status();
    if (!ref $som || !$som->fault) {
        check($what, 0, 'no fault');
        return;
    }
    my $d = ($som->faultdetail // {})->{$element};
    if (!$d) { check($what, 0, "no $element detail, faultstring " . ($som->faultstring // '')) }
    elsif (!defined $d->{code} || $d->{code} !~ /^\d+$/ || $d->{code} != $code) {
        check($what, 0, 'code ' . ($d->{code} // 'undef') . ", wanted $code");
    }
    elsif (!defined $d->{reason} || $d->{reason} eq '') { check($what, 0, 'empty reason') }
    elsif (!defined $got || $got != $status) { check($what, 0, 'HTTP ' . ($got // '?') . ", wanted $status") }
    else { check($what, 1) }
}

sub png_size {
    my ($data) = @_;
    return undef unless substr($data, 0, 8) eq "\x89PNG\r\n\x1a\n" && substr($data, 12, 4) eq 'IHDR';
    return [unpack('N', substr($data, 16, 4)), unpack('N', substr($data, 20, 4))];
}

print "version $SOAP::Lite::VERSION (Perl ", sprintf('%vd', $^V), ")\n";

my $name = fresh_name();
my $som = copy_image(auth(), $name);
my $handle = ref $som && !$som->fault ? $som->valueof('//copyImageReturn/assetHandle') : undef;
check('copyImage returns a handle', defined $handle && $handle =~ /^a\|/,
      'got ' . ($handle // (ref $som && $som->fault ? 'fault ' . $som->faultstring : 'undef')));

$som = call('getAssets', auth(), companyHandle => $COMPANY, assetHandleArray => [$handle // '']);
my @items = ref $som && !$som->fault ? $som->valueof('//getAssetsReturn/assetArray/items') : ();
if (@items != 1) { check('getAssets finds the copy', 0, scalar(@items) . ' items') }
else {
    my $a = $items[0];
    check('getAssets finds the copy',
          ($a->{assetHandle} // '') eq ($handle // '-') && ($a->{name} // '') eq $name
              && ($a->{folder} // '') eq $FOLDER && ($a->{type} // '') eq 'Image',
          join ' ', map { "$_=" . ($a->{$_} // 'undef') } qw(assetHandle name folder type));
}

my $name2 = "$name-png";
$som = copy_image(auth(), $name2, 'wid=120&fmt=png');
my $h2 = ref $som && !$som->fault ? $som->valueof('//copyImageReturn/assetHandle') : undef;
my $img = $ua->get("$base/is/image/ApiTestCo/$name2");
my $size = $img->is_success ? png_size($img->content) : undef;
my $why = ref $som && $som->fault ? ' fault ' . $som->faultstring . ' ' . ($som->faultdetail->{ipsApiFault}{reason} // '') : '';
check('urlModifier copy served as 120px PNG',
      defined $h2 && $h2 =~ /^a\|/ && $size && $size->[0] == 120 && $size->[1] > 0,
      'handle ' . ($h2 // 'undef') . $why . ', image ' . $img->status_line . ', PNG size ' . ($size ? "@$size" : 'none'));

expect_fault('authenticationFault 10001', 'authenticationFault', 10001,
             copy_image(auth(password => 'wrong'), fresh_name()), 500);
expect_fault('authorizationFault 20003', 'authorizationFault', 20003,
             copy_image(auth(user => 'portaluser@ips.test'), fresh_name()), 500);
expect_fault('ipsApiFault 30001 (HTTP 500)', 'ipsApiFault', 30001,
             copy_image(auth(), fresh_name(), '', 'a|999|1|999'), 500);
expect_fault('ipsApiFault 30001 (HTTP 200)', 'ipsApiFault', 30001,
             copy_image(auth(faultHttpStatusCode => 200), fresh_name(), '', 'a|999|1|999'), 200);

exit($failed ? 1 : 0);
