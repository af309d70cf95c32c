package dev.sms2fa.keycloak.bridge;

/**
 * The native library could not be found, extracted or loaded, or its version differs from the
 * version of this jar. The message names the fix.
 */
public class NativeLibraryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
