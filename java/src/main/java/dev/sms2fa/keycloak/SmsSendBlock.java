package dev.sms2fa.keycloak;

/**
 * Reason that the first send of a login delivered no code, stored in the auth note
 * {@link SmsAuthenticator#NOTE_SEND_BLOCKED} so that a reload shows the same page again instead of
 * sending. Only the page's retry button sends.
 *
 * @param messageKey {@link SmsMessages#SEND_FAILED} or {@link SmsMessages#SEND_LIMIT_REACHED}
 * @param retryAtMillis when a retry makes sense, in milliseconds since the epoch
 */
record SmsSendBlock(String messageKey, long retryAtMillis) {

    private static final char SEPARATOR = ':';
    private static final long MILLIS_PER_MINUTE = 60_000;

    /** Creates the block for an SMS that the gateway did not accept; a retry makes sense in {@code waitSeconds}. */
    static SmsSendBlock sendFailed(long nowMillis, long waitSeconds) {
        return new SmsSendBlock(SmsMessages.SEND_FAILED, nowMillis + waitSeconds * 1000);
    }

    /** Creates the block for a user whose hourly SMS limit is reached for {@code waitMinutes}. */
    static SmsSendBlock limitReached(long nowMillis, long waitMinutes) {
        return new SmsSendBlock(SmsMessages.SEND_LIMIT_REACHED, nowMillis + waitMinutes * MILLIS_PER_MINUTE);
    }

    /**
     * Reads a note written by {@link #toNote}. A value that does not parse, which only a bug can
     * write, reads as a failed send that can be retried now.
     */
    static SmsSendBlock fromNote(String note) {
        int separator = note == null ? -1 : note.lastIndexOf(SEPARATOR);
        if (separator > 0) {
            String messageKey = note.substring(0, separator);
            try {
                long retryAtMillis = Long.parseLong(note.substring(separator + 1));
                if (SmsMessages.SEND_FAILED.equals(messageKey) || SmsMessages.SEND_LIMIT_REACHED.equals(messageKey)) {
                    return new SmsSendBlock(messageKey, retryAtMillis);
                }
            } catch (NumberFormatException e) {
                // Falls through to the default below.
            }
        }
        return new SmsSendBlock(SmsMessages.SEND_FAILED, 0);
    }

    String toNote() {
        return messageKey + SEPARATOR + retryAtMillis;
    }

    /**
     * Returns the argument of {@link #messageKey} at {@code nowMillis}: the seconds left for a
     * failed send (0 once a retry makes sense), the whole minutes left, at least 1, for the limit.
     */
    long messageArgument(long nowMillis) {
        long seconds = SmsCodeView.secondsUntil(retryAtMillis, nowMillis);
        if (SmsMessages.SEND_LIMIT_REACHED.equals(messageKey)) {
            return Math.max(1, (seconds + 59) / 60);
        }
        return seconds;
    }
}
