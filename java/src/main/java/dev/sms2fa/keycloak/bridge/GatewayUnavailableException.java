package dev.sms2fa.keycloak.bridge;

/**
 * The SMS gateway could not be reached or failed: connection refused, timeout, a 5xx response or
 * an unreadable body. A later retry may work.
 */
public class GatewayUnavailableException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public GatewayUnavailableException(String message) {
        super(message);
    }
}
