package dev.sms2fa.keycloak;

/**
 * Names of the event details and errors that the SMS authenticator adds to Keycloak's login events.
 *
 * <p>Every event of this authenticator has the detail {@value #DETAIL_SMS_EVENT}. Failures are
 * {@code LOGIN_ERROR} events. A verified code adds its details, including the gateway's message id,
 * to the {@code LOGIN} event that ends the login. Keycloak has no event type for a message sent
 * during a login, so a successful send records no event of its own there; in enrolment a send
 * is a CUSTOM_REQUIRED_ACTION event. A number added or changed is an UPDATE_CREDENTIAL event, and
 * a number removed is Keycloak's own REMOVE_CREDENTIAL event, whose detail credential_user_label
 * is the masked number because the credential's label is. No event contains a code or a full
 * phone number.
 */
final class SmsEvents {

    /** Detail that names what happened; one of the {@code SMS_EVENT_*} values. */
    static final String DETAIL_SMS_EVENT = "sms_event";
    static final String DETAIL_MASKED_PHONE = "sms_masked_phone";
    static final String DETAIL_MESSAGE_ID = "sms_message_id";
    static final String DETAIL_CODE_ID = "sms_code_id";
    /** {@code scheme://host:port} of the gateway that accepted the SMS, empty in simulation mode. */
    static final String DETAIL_DEVICE_URL = "sms_device_url";

    static final String SMS_EVENT_CODE_VERIFIED = "code_verified";
    static final String SMS_EVENT_SEND_FAILED = "send_failed";
    static final String SMS_EVENT_SEND_LIMITED = "send_limited";
    static final String SMS_EVENT_CODE_WRONG = "code_wrong";
    static final String SMS_EVENT_CODE_EXPIRED = "code_expired";
    static final String SMS_EVENT_CODE_BURNED = "code_burned";
    static final String SMS_EVENT_CODE_REUSED = "code_reused";
    /** A code went out; recorded in enrolment, where the required action's event type fits it. */
    static final String SMS_EVENT_CODE_SENT = "code_sent";
    /** A user confirmed a first number in enrolment; an UPDATE_CREDENTIAL event. */
    static final String SMS_EVENT_ENROLLED = "enrolled";
    /** A user confirmed a new number in place of the stored one; an UPDATE_CREDENTIAL event. */
    static final String SMS_EVENT_NUMBER_CHANGED = "number_changed";
    /** A provisioned number was proven at its first SMS login and stored; an UPDATE_CREDENTIAL event. */
    static final String SMS_EVENT_PROVISIONED_CONFIRMED = "provisioned_confirmed";
    /** A netzbegruenung mobile-number credential was turned into this plugin's type; an UPDATE_CREDENTIAL event. */
    static final String SMS_EVENT_LEGACY_MIGRATED = "legacy_migrated";
    /** Enrolment rejected a number, for the reason in the detail {@code reason}. */
    static final String SMS_EVENT_NUMBER_REJECTED = "number_rejected";

    /** Event error for a code that the gateway did not accept or that could not reach it. */
    static final String ERROR_SMS_SEND_FAILED = "sms_send_failed";
    /** Event error for a send refused because the user reached the hourly SMS limit. */
    static final String ERROR_SMS_SEND_LIMITED = "sms_send_limited";
    /** Event error for a number that enrolment rejected. */
    static final String ERROR_SMS_NUMBER_REJECTED = "sms_number_rejected";

    private SmsEvents() {
    }
}
