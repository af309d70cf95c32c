package dev.sms2fa.keycloak.bridge;

/**
 * A panic inside the native library. The native side catches the panic at the JNI boundary and
 * throws this error instead of unwinding into the JVM, so the JVM keeps running. It is a bug in
 * the library, not a user or configuration error.
 */
public class NativePanicError extends Error {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public NativePanicError(String message) {
        super(message);
    }
}
