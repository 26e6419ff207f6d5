# A typemap snippet for wsdl2perl -mi: the fault detail as IpsFaultDetail,
# holding the three IPS fault elements as the generated element classes.
(
    'Fault/detail' => 'IpsFaultDetail',
    (
        map {
            (
                "Fault/detail/$_"        => "S7Elements::$_",
                "Fault/detail/$_/code"   => 'SOAP::WSDL::XSD::Typelib::Builtin::int',
                "Fault/detail/$_/reason" => 'SOAP::WSDL::XSD::Typelib::Builtin::string',
            )
        } qw(ipsApiFault authenticationFault authorizationFault)
    ),
)
