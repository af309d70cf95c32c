package dev.sms2fa.keycloak.bridge;

/**
 * The challenge state of the login does not allow another send now: the resend cooldown has not
 * passed, or the login has used all its sends.
 */
public class SendNotAllowedException extends Sms2faException {

    /** Reason for a send that comes before the end of the resend cooldown. */
    public static final String REASON_COOLDOWN = "cooldown";
    /** Reason for a send after the login has used all its sends. */
    public static final String REASON_LIMIT = "limit";

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;
    private final String reason;

    /**
     * Called by the native library through JNI; keep the signature.
     *
     * @param message what is not allowed, in the user's words
     * @param retryAfterSeconds seconds until the next send is allowed, 0 when no send is left
     * @param reason {@value #REASON_COOLDOWN} or {@value #REASON_LIMIT}
     */
    public SendNotAllowedException(String message, long retryAfterSeconds, String reason) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.reason = reason;
    }

    /** Returns the seconds until the next send is allowed; 0 when the login has no sends left. */
    public long getRetryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Returns {@value #REASON_COOLDOWN} or {@value #REASON_LIMIT}. */
    public String getReason() {
        return reason;
    }
}
