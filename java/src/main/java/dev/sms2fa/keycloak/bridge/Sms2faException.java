package dev.sms2fa.keycloak.bridge;

/**
 * Base class of the exceptions that the native library throws through JNI.
 *
 * <p>Messages never contain a one-time code, an API token, the SMS text or a full phone number,
 * so callers may log them.
 */
public class Sms2faException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public Sms2faException(String message) {
        super(message);
    }
}
