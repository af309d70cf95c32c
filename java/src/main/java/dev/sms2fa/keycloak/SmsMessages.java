package dev.sms2fa.keycloak;

/**
 * Keys of the messages in {@code theme-resources/messages/messages_*.properties}.
 *
 * <p>{@link #SMS_TEXT} is the SMS text itself; the other keys are texts of the login page. A wrong,
 * expired or burned code gets a message of the same pattern, "Invalid code, ..." in English.
 */
public final class SmsMessages {

    /** Page heading. */
    public static final String TITLE = "smsAuthTitle";
    /** Instruction above the input, {0} = masked phone number. */
    public static final String INSTRUCTION = "smsAuthInstruction";
    /** Label of the code input. */
    public static final String CODE_LABEL = "smsAuthCodeLabel";
    /** The form was submitted without a code. */
    public static final String CODE_MISSING = "smsAuthCodeMissing";
    /** Wrong code, {0} = attempts left (an integer, for a choice format). */
    public static final String CODE_INVALID = "smsAuthCodeInvalid";
    /**
     * Wrong code without an attempt count; the other code errors start with the same words. The
     * authenticator no longer shows it: a locked-out user and a code that a parallel request
     * already used get {@link #CODE_INVALID}, like any wrong code.
     */
    public static final String CODE_REJECTED = "smsAuthCodeRejected";
    /** The code validity has passed; a new code can be requested on the page. */
    public static final String CODE_EXPIRED = "smsAuthCodeExpired";
    /** The code validity has passed and the login has no sends left. */
    public static final String CODE_EXPIRED_RESTART = "smsAuthCodeExpiredRestart";
    /** The code was entered wrong too many times; a new code can be requested on the page. */
    public static final String CODE_EXHAUSTED = "smsAuthCodeExhausted";
    /** The code was entered wrong too many times and the login has no sends left. */
    public static final String CODE_EXHAUSTED_RESTART = "smsAuthCodeExhaustedRestart";
    /** Text of the link that restarts the login. */
    public static final String RESTART_LOGIN = "smsAuthRestartLogin";
    /** Text of the button that sends a new code. */
    public static final String RESEND = "smsAuthResend";
    /** Wait before a new code can be requested, {0} = the element with the seconds. */
    public static final String RESEND_WAIT = "smsAuthResendWait";
    /** Sends left in this login, {0} = count (an integer, for a choice format). */
    public static final String SENDS_LEFT = "smsAuthSendsLeft";
    /** The login has sent its last code. */
    public static final String NO_SENDS_LEFT = "smsAuthNoSendsLeft";
    /**
     * The gateway did not accept the SMS or could not be reached, {0} = seconds to wait before a
     * retry (an integer, for a choice format).
     */
    public static final String SEND_FAILED = "smsAuthSendFailed";
    /** The user's hourly SMS limit is reached, {0} = minutes until a send is possible again. */
    public static final String SEND_LIMIT_REACHED = "smsAuthSendLimitReached";
    /** Text of the button that tries to send the code again after a failure. */
    public static final String SEND_AGAIN = "smsAuthSendAgain";
    /** The authenticator cannot work until an administrator acts. */
    public static final String UNAVAILABLE = "smsAuthUnavailable";

    /** Heading of the enrolment pages. */
    public static final String ENROL_TITLE = "smsEnrolTitle";
    /** Instruction of the number page. */
    public static final String ENROL_INSTRUCTION = "smsEnrolInstruction";
    /** Instruction of the number page when the user has a number, {0} = the masked stored number. */
    public static final String ENROL_CHANGE_INSTRUCTION = "smsEnrolChangeInstruction";
    /** Label of the country list. */
    public static final String COUNTRY_LABEL = "smsEnrolCountryLabel";
    /** Label of the number input. */
    public static final String NUMBER_LABEL = "smsEnrolNumberLabel";
    /** Text of the button that sends the confirmation code. */
    public static final String SEND_CODE = "smsEnrolSendCode";
    /** Country list option for a number typed with its country code. */
    public static final String COUNTRY_OTHER = "smsEnrolCountryOther";
    /** Instruction of the code page in enrolment, {0} = the masked number. */
    public static final String ENROL_CODE_INSTRUCTION = "smsEnrolCodeInstruction";
    /** Text of the button that goes back to the number page. */
    public static final String CHANGE_NUMBER = "smsEnrolChangeNumber";
    /** The number form was submitted empty. */
    public static final String NUMBER_MISSING = "smsEnrolNumberMissing";
    /** The entered text is not a valid phone number. */
    public static final String NUMBER_INVALID = "smsEnrolNumberInvalid";
    /** The number is of a type that cannot receive codes, such as premium rate. */
    public static final String NUMBER_TYPE = "smsEnrolNumberType";
    /** The number belongs to a country outside the allow-list. */
    public static final String NUMBER_COUNTRY = "smsEnrolNumberCountry";
    /** The number cannot be used; it is another user's, which the text does not reveal. */
    public static final String NUMBER_IN_USE = "smsEnrolNumberInUse";
    /** Enrolment cannot work until an administrator acts. */
    public static final String ENROL_UNAVAILABLE = "smsEnrolUnavailable";

    /**
     * SMS text: {0} = code, {1} = validity in whole minutes, {2} = realm display name. The native
     * library formats it, so only simple {n} placeholders and '' for an apostrophe work.
     */
    public static final String SMS_TEXT = "smsAuthText";
    /** SMS text that confirms a new number in enrolment; the placeholders of {@link #SMS_TEXT}. */
    public static final String ENROL_SMS_TEXT = "smsEnrolText";

    /** SMS text used when no theme bundle has {@link #SMS_TEXT}; equals the English bundle value. */
    public static final String DEFAULT_SMS_TEXT = "Your {2} login code is {0}. It is valid for {1} min.";

    private SmsMessages() {
    }
}
