# The SOAP fault <detail> of an IPS fault: one of the three fault elements,
# each the class wsdl2perl generated for it.
package IpsFaultDetail;
use strict;
use warnings;
use Class::Std::Fast::Storable constructor => 'none';
use base qw(SOAP::WSDL::XSD::Typelib::ComplexType);
Class::Std::initialize();
{
    my %ips_of :ATTR(:get<ipsApiFault>);
    my %authn_of :ATTR(:get<authenticationFault>);
    my %authz_of :ATTR(:get<authorizationFault>);
    my @names = qw(ipsApiFault authenticationFault authorizationFault);
    __PACKAGE__->_factory(
        [@names],
        { ipsApiFault => \%ips_of, authenticationFault => \%authn_of, authorizationFault => \%authz_of },
        { map { ($_ => "S7Elements::$_") } @names },
        { map { ($_ => $_) } @names },
    );
}
1;
