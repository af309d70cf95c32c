package dev.sms2fa.keycloak;

/**
 * Reason that the first send of a login delivered no code, stored in the auth note
 * {@link SmsAuthenticator#NOTE_SEND_BLOCKED} so that a reload shows the same page again instead of
 * sending. Only the page's buttons send.
 *
 * @param kind why no code was sent
 * @param retryAtMillis when a retry makes sense, in milliseconds since the epoch
 * @param sendsLeft for {@link Kind#LOCKED_OUT}, the sends left that the page shows; 0 otherwise
 * @param maxAttempts for {@link Kind#LOCKED_OUT}, the attempts left that a wrong-code page shows; 0 otherwise
 */
record SmsSendBlock(Kind kind, long retryAtMillis, int sendsLeft, int maxAttempts) {

    /** Reason that the first send delivered no code. */
    enum Kind {
        /** The gateway did not accept the SMS or could not be reached. */
        SEND_FAILED,
        /** The user's hourly SMS limit is reached. */
        LIMIT_REACHED,
        /**
         * Brute-force detection locked the user out, so nothing was sent. The page is the code
         * page of a code just sent, so that it does not reveal the lockout.
         */
        LOCKED_OUT
    }

    private static final String SEPARATOR = ":";
    private static final long MILLIS_PER_MINUTE = 60_000;

    /** Creates the block for an SMS that the gateway did not accept; a retry makes sense in {@code waitSeconds}. */
    static SmsSendBlock sendFailed(long nowMillis, long waitSeconds) {
        return new SmsSendBlock(Kind.SEND_FAILED, nowMillis + waitSeconds * 1000, 0, 0);
    }

    /** Creates the block for a user whose hourly SMS limit is reached for {@code waitMinutes}. */
    static SmsSendBlock limitReached(long nowMillis, long waitMinutes) {
        return new SmsSendBlock(Kind.LIMIT_REACHED, nowMillis + waitMinutes * MILLIS_PER_MINUTE, 0, 0);
    }

    /**
     * Creates the block for a locked-out user. The page then looks like the one after a first
     * send: {@code sendsLeft} more codes, the resend cooldown {@code cooldownSeconds}, and
     * {@code maxAttempts} attempts left in the message for an entered code.
     */
    static SmsSendBlock lockedOut(long nowMillis, long cooldownSeconds, int sendsLeft, int maxAttempts) {
        return new SmsSendBlock(Kind.LOCKED_OUT, nowMillis + cooldownSeconds * 1000, Math.max(0, sendsLeft),
                Math.max(0, maxAttempts));
    }

    /**
     * Reads a note written by {@link #toNote}. A value that does not parse, which only a bug or an
     * older version can write, reads as a failed send that can be retried now.
     */
    static SmsSendBlock fromNote(String note) {
        String[] parts = note == null ? new String[0] : note.split(SEPARATOR, -1);
        if (parts.length == 4) {
            try {
                return new SmsSendBlock(Kind.valueOf(parts[0]), Long.parseLong(parts[1]), Integer.parseInt(parts[2]),
                        Integer.parseInt(parts[3]));
            } catch (IllegalArgumentException e) {
                // NumberFormatException is an IllegalArgumentException; falls through to the default below.
            }
        }
        return new SmsSendBlock(Kind.SEND_FAILED, 0, 0, 0);
    }

    String toNote() {
        return kind.name() + SEPARATOR + retryAtMillis + SEPARATOR + sendsLeft + SEPARATOR + maxAttempts;
    }

    /** Returns whether the page is the code page ({@link Kind#LOCKED_OUT}) instead of the retry page. */
    boolean showsCodePage() {
        return kind == Kind.LOCKED_OUT;
    }

    /** Returns the message key of the retry page: {@link SmsMessages#SEND_FAILED} or {@link SmsMessages#SEND_LIMIT_REACHED}. */
    String messageKey() {
        return kind == Kind.LIMIT_REACHED ? SmsMessages.SEND_LIMIT_REACHED : SmsMessages.SEND_FAILED;
    }

    /**
     * Returns the argument of {@link #messageKey} at {@code nowMillis}: the seconds left for a
     * failed send (0 once a retry makes sense), the whole minutes left, at least 1, for the limit.
     */
    long messageArgument(long nowMillis) {
        long seconds = SmsCodeView.secondsUntil(retryAtMillis, nowMillis);
        if (kind == Kind.LIMIT_REACHED) {
            return Math.max(1, (seconds + 59) / 60);
        }
        return seconds;
    }

    /** Returns the code page view for {@link Kind#LOCKED_OUT}: an open code input and the resend cooldown. */
    SmsCodeView codeView(String maskedPhone, long nowMillis) {
        long waitSeconds = sendsLeft > 0 ? SmsCodeView.secondsUntil(retryAtMillis, nowMillis) : 0;
        return new SmsCodeView(maskedPhone, true, null, sendsLeft, waitSeconds);
    }
}
