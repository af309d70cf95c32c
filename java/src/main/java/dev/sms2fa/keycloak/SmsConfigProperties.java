package dev.sms2fa.keycloak;

import java.util.List;

import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Keys, defaults and admin console fields of the SMS authenticator configuration.
 *
 * <p>The keys and labels match the netzbegruenung SMS plugin and the SMSEagle manual, which
 * administrators follow field by field. The native library validates the values and applies the
 * same defaults, so a key missing from the execution's config map behaves like its default.
 */
public final class SmsConfigProperties {

    public static final String API_URL = "apiurl";
    public static final String URL_ENCODE = "urlencode";
    public static final String API_TOKEN_ATTRIBUTE = "apitokenattribute";
    public static final String API_TOKEN = "apitoken";
    public static final String MESSAGE_ATTRIBUTE = "messageattribute";
    public static final String RECEIVER_ATTRIBUTE = "receiverattribute";
    public static final String SENDER_ATTRIBUTE = "senderattribute";
    public static final String SENDER_ID = "senderId";
    public static final String FORCE_SECOND_FACTOR = "forceSecondFactor";
    /** Role whose members Force 2FA leaves alone; the netzbegruenung plugin's key. */
    public static final String EXEMPT_ROLE = "whitelist";
    /** User attribute with a number that an administrator or LDAP provides; the netzbegruenung plugin's key. */
    public static final String PHONE_NUMBER_ATTRIBUTE = "mobileNumberAttribute";
    /** Whether a number may belong to one user of the realm only; the netzbegruenung plugin's key. */
    public static final String UNIQUE_NUMBERS = "enforcePhoneNumberUniqueness";
    public static final String GATEWAY_TYPE = "gatewayType";
    public static final String CODE_LENGTH = "length";
    public static final String CODE_TTL_SECONDS = "ttl";
    public static final String MAX_ATTEMPTS = "maxAttempts";
    public static final String CONNECT_TIMEOUT_MS = "connectTimeoutMs";
    public static final String REQUEST_TIMEOUT_MS = "requestTimeoutMs";
    public static final String TLS_CA_FILE = "tlsCaFile";
    public static final String RESEND_COOLDOWN_SECONDS = "resendCooldownSeconds";
    public static final String MAX_SENDS_PER_LOGIN = "maxSendsPerLogin";
    public static final String MAX_SENDS_PER_HOUR = "maxSendsPerHour";
    public static final String PRIORITY = "priority";
    public static final String MODEM_NO = "modemNo";
    public static final String ORIGIN_BOUND_LINE = "originBoundLine";
    public static final String FALLBACK_API_URL = "fallbackApiUrl";
    public static final String TLS_PIN_SHA256 = "tlsPinSha256";
    public static final String TLS_SKIP_VERIFY = "tlsSkipVerify";
    public static final String DEFAULT_REGION = "defaultRegion";
    public static final String ALLOWED_COUNTRIES = "allowedCountries";
    public static final String SIMULATION = "simulation";

    public static final String DEFAULT_URL_ENCODE = "false";
    public static final String DEFAULT_API_TOKEN_ATTRIBUTE = "";
    public static final String DEFAULT_API_TOKEN = "";
    public static final String DEFAULT_MESSAGE_ATTRIBUTE = "text";
    public static final String DEFAULT_RECEIVER_ATTRIBUTE = "to";
    public static final String DEFAULT_SENDER_ATTRIBUTE = "from";
    public static final String DEFAULT_SENDER_ID = "";
    public static final String DEFAULT_FORCE_SECOND_FACTOR = "false";
    public static final String DEFAULT_EXEMPT_ROLE = "";
    public static final String DEFAULT_PHONE_NUMBER_ATTRIBUTE = "";
    public static final String DEFAULT_UNIQUE_NUMBERS = "true";
    public static final String GATEWAY_TYPE_AUTO = "auto";
    public static final String GATEWAY_TYPE_SMSEAGLE = "smseagle";
    public static final String GATEWAY_TYPE_GENERIC = "generic";
    public static final String DEFAULT_GATEWAY_TYPE = GATEWAY_TYPE_AUTO;
    public static final String DEFAULT_CODE_LENGTH = "6";
    public static final String DEFAULT_CODE_TTL_SECONDS = "300";
    public static final String DEFAULT_MAX_ATTEMPTS = "5";
    public static final String DEFAULT_CONNECT_TIMEOUT_MS = "2000";
    public static final String DEFAULT_REQUEST_TIMEOUT_MS = "10000";
    public static final String DEFAULT_TLS_CA_FILE = "";
    public static final String DEFAULT_RESEND_COOLDOWN_SECONDS = "30";
    public static final String DEFAULT_MAX_SENDS_PER_LOGIN = "3";
    public static final String DEFAULT_MAX_SENDS_PER_HOUR = "10";
    public static final String DEFAULT_PRIORITY = "9";
    public static final String DEFAULT_MODEM_NO = "";
    public static final String DEFAULT_ORIGIN_BOUND_LINE = "false";
    public static final String DEFAULT_FALLBACK_API_URL = "";
    public static final String DEFAULT_TLS_PIN_SHA256 = "";
    public static final String DEFAULT_TLS_SKIP_VERIFY = "false";
    public static final String DEFAULT_DEFAULT_REGION = "";
    public static final String DEFAULT_ALLOWED_COUNTRIES = "";
    public static final String DEFAULT_SIMULATION = "false";

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(API_URL).label("SMS API URL").type(ProviderConfigProperty.STRING_TYPE)
                .required(true)
                .helpText("HTTP or HTTPS URL that receives the SMS requests, for an SMSEagle device for example"
                        + " https://smseagle.example.org/api/v2/messages/sms.")
                .add()
            .property().name(URL_ENCODE).label("URL encode data").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue(DEFAULT_URL_ENCODE)
                .helpText("Send the request body URL-encoded (application/x-www-form-urlencoded) instead of JSON."
                        + " Generic gateway only, because the SMSEagle API v2 takes JSON.")
                .add()
            .property().name(API_TOKEN_ATTRIBUTE).label("API Secret Token Attribute")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_API_TOKEN_ATTRIBUTE)
                .helpText("Name of the request field that carries the API secret, for the generic gateway."
                        + " The SMSEagle gateway sends the secret in the access-token header instead.")
                .add()
            .property().name(API_TOKEN).label("API Secret").type(ProviderConfigProperty.PASSWORD)
                .secret(true).defaultValue(DEFAULT_API_TOKEN)
                .helpText("API token of the SMS gateway. For SMSEagle, an API access token created in the"
                        + " device's web interface with permission to send SMS.")
                .add()
            .property().name(MESSAGE_ATTRIBUTE).label("Message Attribute").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_MESSAGE_ATTRIBUTE)
                .helpText("Name of the request field that carries the SMS text. Generic gateway only.")
                .add()
            .property().name(RECEIVER_ATTRIBUTE).label("Receiver Phone Number Attribute")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_RECEIVER_ATTRIBUTE)
                .helpText("Name of the request field that carries the receiver's phone number. Generic gateway"
                        + " only.")
                .add()
            .property().name(SENDER_ATTRIBUTE).label("Sender Phone Number Attribute")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_SENDER_ATTRIBUTE)
                .helpText("Name of the request field that carries the sender ID. Generic gateway only.")
                .add()
            .property().name(FORCE_SECOND_FACTOR).label("Force 2FA").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue(DEFAULT_FORCE_SECOND_FACTOR)
                .helpText("Make users who have no second factor (OTP, WebAuthn, passkey, recovery codes or SMS)"
                        + " add a phone number at their next login. Needs the required action \"Phone number for"
                        + " SMS codes\" (mobile_number_config) enabled. Default off.")
                .add()
            .property().name(EXEMPT_ROLE).label("Role exempt from Force 2FA").type(ProviderConfigProperty.ROLE_TYPE)
                .defaultValue(DEFAULT_EXEMPT_ROLE)
                .helpText("Users with this realm or client role, directly or through a group or composite role,"
                        + " are not made to add a phone number by Force 2FA. Default empty: nobody is exempt.")
                .add()
            .property().name(GATEWAY_TYPE).label("Gateway type").type(ProviderConfigProperty.LIST_TYPE)
                .options(GATEWAY_TYPE_AUTO, GATEWAY_TYPE_SMSEAGLE, GATEWAY_TYPE_GENERIC)
                .defaultValue(DEFAULT_GATEWAY_TYPE)
                .helpText("smseagle uses the SMSEagle HTTP API v2, generic sends the attributes above."
                        + " auto picks smseagle when the URL path ends in /api/v2/messages/sms or"
                        + " /api/v2/messages/sms_single, and generic otherwise.")
                .add()
            .property().name(SENDER_ID).label("Sender ID").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_SENDER_ID)
                .helpText("Sender number or name shown to the receiver, for the generic gateway. Left out of the"
                        + " request when empty.")
                .add()
            .property().name(TLS_CA_FILE).label("Trusted CA certificate file (PEM)")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_TLS_CA_FILE)
                .helpText("Path on the Keycloak server of a PEM file with CA certificates to trust in"
                        + " addition to the system roots, for a gateway with a self-signed certificate.")
                .add()
            .property().name(TLS_PIN_SHA256).label("Pinned certificate SHA-256")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_TLS_PIN_SHA256)
                .helpText("SHA-256 fingerprint of the gateway's TLS certificate (DER), 64 hex digits, colons"
                        + " allowed. When set, the connection is accepted exactly when the certificate matches,"
                        + " whatever its CA and host name. Default empty: no pinning.")
                .add()
            .property().name(TLS_SKIP_VERIFY).label("Skip TLS verification (unsafe)")
                .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(DEFAULT_TLS_SKIP_VERIFY)
                .helpText("Accept any TLS certificate from the gateway, so anyone on the network path can read"
                        + " the codes. For tests only; logged as a warning. Cannot be combined with a pinned"
                        + " certificate. Default off.")
                .add()
            .property().name(CONNECT_TIMEOUT_MS).label("Connect timeout (ms)").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_CONNECT_TIMEOUT_MS)
                .helpText("Maximum time to open a connection to the gateway, in milliseconds, 100 to 2000."
                        + " Default 2000.")
                .add()
            .property().name(REQUEST_TIMEOUT_MS).label("Request timeout (ms)").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_REQUEST_TIMEOUT_MS)
                .helpText("Maximum time for the whole request to the gateway, in milliseconds, 500 to 10000."
                        + " Default 10000.")
                .add()
            .property().name(FALLBACK_API_URL).label("Second device SMS API URL")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_FALLBACK_API_URL)
                .helpText("URL of a second gateway, in the same form as the SMS API URL, that receives the SMS"
                        + " only when the first one certainly did not: connection refused or TLS handshake"
                        + " failed. Never used after a timeout or any HTTP response. Default empty: none.")
                .add()
            .property().name(PRIORITY).label("SMSEagle priority").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_PRIORITY)
                .helpText("Priority of the SMS in the SMSEagle outbox, 0 (lowest) to 9 (highest). Default 9."
                        + " SMSEagle gateway only.")
                .add()
            .property().name(MODEM_NO).label("SMSEagle modem number").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_MODEM_NO)
                .helpText("Modem of a multi-modem SMSEagle device that sends the SMS, 1 to 8. Default empty:"
                        + " the device picks the modem. SMSEagle gateway only.")
                .add()
            .property().name(CODE_LENGTH).label("Code length").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_CODE_LENGTH)
                .helpText("Number of digits in the code, 6 to 10. Default 6.")
                .add()
            .property().name(CODE_TTL_SECONDS).label("Code validity (seconds)").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_CODE_TTL_SECONDS)
                .helpText("How long a code is accepted after it was sent, in seconds, 60 to 600. Default 300.")
                .add()
            .property().name(MAX_ATTEMPTS).label("Maximum wrong attempts").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_MAX_ATTEMPTS)
                .helpText("Wrong entries that burn a code, 1 to 10. Default 5. After a burn the user can request"
                        + " a new code within the limits below; a code sent before a burn inherits the wrong"
                        + " entries of the previous code.")
                .add()
            .property().name(RESEND_COOLDOWN_SECONDS).label("Resend cooldown (seconds)")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_RESEND_COOLDOWN_SECONDS)
                .helpText("Seconds after the first SMS of a login before the user can request a new code, 0 to"
                        + " 600. Default 30. The wait doubles for each further code (30, 60, 120 ...).")
                .add()
            .property().name(MAX_SENDS_PER_LOGIN).label("Maximum SMS per login")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_MAX_SENDS_PER_LOGIN)
                .helpText("Number of SMS one login may send, the first one included, 1 to 10. Default 3. Sends"
                        + " that the gateway does not accept are not counted.")
                .add()
            .property().name(MAX_SENDS_PER_HOUR).label("Maximum SMS per user per hour")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_MAX_SENDS_PER_HOUR)
                .helpText("Number of SMS send attempts per user in any rolling hour, across all logins and"
                        + " cluster nodes, 1 to 100. Default 10. Failed attempts are counted too.")
                .add()
            .property().name(DEFAULT_REGION).label("Default phone region")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_DEFAULT_REGION)
                .helpText("ISO 3166 two-letter country code, for example PL, used for phone numbers entered"
                        + " without a country code. Default empty: numbers must start with + or 00.")
                .add()
            .property().name(ALLOWED_COUNTRIES).label("Allowed countries")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_ALLOWED_COUNTRIES)
                .helpText("Comma-separated ISO 3166 two-letter country codes, for example PL,DE, of the phone"
                        + " numbers that are accepted. Default empty: all countries.")
                .add()
            .property().name(UNIQUE_NUMBERS).label("Unique phone numbers").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue(DEFAULT_UNIQUE_NUMBERS)
                .helpText("Reject a number in enrolment that another user of the realm already has, compared in"
                        + " E.164 form. Default on.")
                .add()
            .property().name(PHONE_NUMBER_ATTRIBUTE).label("Provisioned phone number attribute")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_PHONE_NUMBER_ATTRIBUTE)
                .helpText("Name of a user attribute, for example one filled from LDAP, with a phone number that"
                        + " users without an SMS credential get their codes at. The first SMS login with it proves"
                        + " possession and stores it as the user's credential. Default empty: not used.")
                .add()
            .property().name(ORIGIN_BOUND_LINE).label("Add origin-bound code line")
                .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(DEFAULT_ORIGIN_BOUND_LINE)
                .helpText("End the SMS with a line \"@host #code\", where host is the Keycloak host name of the"
                        + " login, so that phones can offer the code only on that site. Default off.")
                .add()
            .property().name(SIMULATION).label("Simulation mode").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue(DEFAULT_SIMULATION)
                .helpText("Send no SMS and only log that one was suppressed, for development. Refused when"
                        + " Keycloak runs in production mode (kc.sh start). Default off.")
                .add()
            .build();

    private SmsConfigProperties() {
    }

    /** Returns the admin console fields, one per key, in the order the admin console shows them. */
    public static List<ProviderConfigProperty> list() {
        return PROPERTIES;
    }
}
