package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;

class SmsCodeViewTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final String MASKED = "+48******200";

    private static DescribeChallengeResult challenge(int sendsLeft, long nextSendAtMillis, boolean burned,
                                                     boolean expired) {
        return new DescribeChallengeResult("c1", "k1", 1, sendsLeft, nextSendAtMillis, NOW + 300_000, 0, 5,
                burned, expired);
    }

    @Test
    void openCodeWithWait() {
        SmsCodeView view = SmsCodeView.of(challenge(2, NOW + 29_001, false, false), MASKED, false, NOW);

        assertTrue(view.codeOpen());
        assertNull(view.closedReason());
        assertNull(view.closedMessageKey());
        assertEquals(MASKED, view.maskedPhone());
        assertEquals(2, view.sendsLeft());
        assertEquals(30, view.resendWaitSeconds());
        assertFalse(view.restartLogin());
    }

    @Test
    void waitEndsAtNextSendTime() {
        assertEquals(0, SmsCodeView.of(challenge(2, NOW, false, false), MASKED, false, NOW).resendWaitSeconds());
        assertEquals(0, SmsCodeView.of(challenge(2, NOW - 5_000, false, false), MASKED, false, NOW)
                .resendWaitSeconds());
    }

    @Test
    void noWaitWithoutSendsLeft() {
        SmsCodeView view = SmsCodeView.of(challenge(0, NOW + 60_000, false, false), MASKED, false, NOW);

        assertEquals(0, view.resendWaitSeconds());
        assertTrue(view.codeOpen());
        assertFalse(view.restartLogin());
    }

    @Test
    void burnedStateClosesCode() {
        SmsCodeView view = SmsCodeView.of(challenge(1, NOW, true, false), MASKED, false, NOW);

        assertFalse(view.codeOpen());
        assertEquals(SmsCodeView.ClosedReason.BURNED, view.closedReason());
        assertEquals(SmsMessages.CODE_EXHAUSTED, view.closedMessageKey());
    }

    @Test
    void burnedByClaimsClosesCode() {
        SmsCodeView view = SmsCodeView.of(challenge(1, NOW, false, false), MASKED, true, NOW);

        assertEquals(SmsCodeView.ClosedReason.BURNED, view.closedReason());
    }

    @Test
    void burnedWinsOverExpired() {
        SmsCodeView view = SmsCodeView.of(challenge(1, NOW, true, true), MASKED, false, NOW);

        assertEquals(SmsCodeView.ClosedReason.BURNED, view.closedReason());
    }

    @Test
    void expiredClosesCode() {
        SmsCodeView view = SmsCodeView.of(challenge(1, NOW, false, true), MASKED, false, NOW);

        assertFalse(view.codeOpen());
        assertEquals(SmsMessages.CODE_EXPIRED, view.closedMessageKey());
        assertFalse(view.restartLogin());
    }

    @Test
    void closedWithoutSendsOffersRestart() {
        SmsCodeView expired = SmsCodeView.of(challenge(0, NOW, false, true), MASKED, false, NOW);
        SmsCodeView burned = SmsCodeView.of(challenge(0, NOW, true, false), MASKED, false, NOW);

        assertTrue(expired.restartLogin());
        assertEquals(SmsMessages.CODE_EXPIRED_RESTART, expired.closedMessageKey());
        assertTrue(burned.restartLogin());
        assertEquals(SmsMessages.CODE_EXHAUSTED_RESTART, burned.closedMessageKey());
    }

    @Test
    void closedKeepsSendsAndWait() {
        SmsCodeView open = SmsCodeView.of(challenge(2, NOW + 10_000, false, false), MASKED, false, NOW);

        SmsCodeView closed = open.closed(SmsCodeView.ClosedReason.BURNED);

        assertFalse(closed.codeOpen());
        assertEquals(2, closed.sendsLeft());
        assertEquals(10, closed.resendWaitSeconds());
    }

    @Test
    void waitingAtLeastRaisesWait() {
        SmsCodeView view = SmsCodeView.of(challenge(2, NOW + 10_000, false, false), MASKED, false, NOW);

        assertEquals(25, view.waitingAtLeast(25).resendWaitSeconds());
        assertEquals(10, view.waitingAtLeast(3).resendWaitSeconds());
    }

    @Test
    void waitingAtLeastWithoutSendsLeft() {
        SmsCodeView view = SmsCodeView.of(challenge(0, NOW, false, false), MASKED, false, NOW);

        assertEquals(0, view.waitingAtLeast(25).resendWaitSeconds());
    }

    @Test
    void secondsUntilRoundsUp() {
        assertEquals(0, SmsCodeView.secondsUntil(NOW, NOW));
        assertEquals(0, SmsCodeView.secondsUntil(NOW - 1, NOW));
        assertEquals(1, SmsCodeView.secondsUntil(NOW + 1, NOW));
        assertEquals(1, SmsCodeView.secondsUntil(NOW + 1000, NOW));
        assertEquals(2, SmsCodeView.secondsUntil(NOW + 1001, NOW));
    }
}
