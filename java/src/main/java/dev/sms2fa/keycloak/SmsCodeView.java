package dev.sms2fa.keycloak;

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;

/**
 * Content of the code page for the current challenge of a login.
 *
 * @param maskedPhone the receiver number with the middle digits masked
 * @param codeOpen whether the current code can still be accepted, so the page shows its input
 * @param closedReason why the code can no longer be accepted; null while it is open
 * @param sendsLeft how many more codes the login can send
 * @param resendWaitSeconds seconds until a new code can be requested; 0 when it can be now or no sends are left
 */
record SmsCodeView(String maskedPhone, boolean codeOpen, ClosedReason closedReason, int sendsLeft,
                   long resendWaitSeconds) {

    /** Reason that a code can no longer be accepted. */
    enum ClosedReason {
        /** The code validity has passed. */
        EXPIRED,
        /** All attempts at the code are used. */
        BURNED
    }

    /**
     * Builds the view of a described challenge.
     *
     * @param burnedByClaims whether every attempt slot of the code is claimed cluster-wide, which
     *        burns it even when the stored state has not recorded the last attempt yet
     */
    static SmsCodeView of(DescribeChallengeResult challenge, String maskedPhone, boolean burnedByClaims,
                          long nowMillis) {
        ClosedReason closedReason = null;
        if (challenge.burned() || burnedByClaims) {
            closedReason = ClosedReason.BURNED;
        } else if (challenge.expired()) {
            closedReason = ClosedReason.EXPIRED;
        }
        int sendsLeft = Math.max(0, challenge.sendsLeft());
        long waitSeconds = sendsLeft > 0 ? secondsUntil(challenge.nextSendAtMillis(), nowMillis) : 0;
        return new SmsCodeView(maskedPhone, closedReason == null, closedReason, sendsLeft, waitSeconds);
    }

    /** Returns this view closed for {@code reason}. */
    SmsCodeView closed(ClosedReason reason) {
        return new SmsCodeView(maskedPhone, false, reason, sendsLeft, resendWaitSeconds);
    }

    /** Returns this view with at least {@code seconds} to wait before a new code can be requested. */
    SmsCodeView waitingAtLeast(long seconds) {
        return new SmsCodeView(maskedPhone, codeOpen, closedReason, sendsLeft,
                sendsLeft > 0 ? Math.max(resendWaitSeconds, seconds) : 0);
    }

    /** Returns whether the page offers to restart the login: the code is closed and no new code can be sent. */
    boolean restartLogin() {
        return !codeOpen && sendsLeft == 0;
    }

    /** Returns the message key that explains a closed code, or null while the code is open. */
    String closedMessageKey() {
        if (closedReason == null) {
            return null;
        }
        boolean restart = sendsLeft == 0;
        return switch (closedReason) {
            case EXPIRED -> restart ? SmsMessages.CODE_EXPIRED_RESTART : SmsMessages.CODE_EXPIRED;
            case BURNED -> restart ? SmsMessages.CODE_EXHAUSTED_RESTART : SmsMessages.CODE_EXHAUSTED;
        };
    }

    /** Returns the whole seconds, rounded up, from {@code nowMillis} until {@code atMillis}; 0 if it has passed. */
    static long secondsUntil(long atMillis, long nowMillis) {
        long millis = atMillis - nowMillis;
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }
}
