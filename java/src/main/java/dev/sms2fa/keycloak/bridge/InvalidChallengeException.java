package dev.sms2fa.keycloak.bridge;

/** A challenge state string is malformed, was tampered with, or has an unsupported version. */
public class InvalidChallengeException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public InvalidChallengeException(String message) {
        super(message);
    }
}
