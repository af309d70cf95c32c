package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;

class SmsAuthenticatorTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long LOGIN_LIFESPAN = SmsClaims.loginClaimLifespanSeconds(1800, 300, 60);

    private final InMemorySingleUseObjectProvider store = new InMemorySingleUseObjectProvider();
    private final SmsClaims claims = new SmsClaims(store);

    private static DescribeChallengeResult challenge(int sendNumber, String codeId, int attemptsUsed) {
        return new DescribeChallengeResult("challenge", codeId, sendNumber, 3 - sendNumber, NOW + 30_000,
                NOW + 300_000, attemptsUsed, 5, false, false);
    }

    private static SmsClaims.Issued issued(int sendNumber, String codeId) {
        return new SmsClaims.Issued(sendNumber, codeId, "state-" + sendNumber, "kid", "+48******200", "id", "", "");
    }

    @Test
    void noteCurrentWithoutNewerSend() {
        assertFalse(SmsAuthenticator.noteSuperseded(claims, challenge(1, "code-1", 0)));

        claims.recordIssued("challenge", issued(1, "code-1"), LOGIN_LIFESPAN);
        assertFalse(SmsAuthenticator.noteSuperseded(claims, challenge(1, "code-1", 0)));
    }

    @Test
    void noteStaleAfterRecordedResend() {
        // A wrong-code request read send 1; a parallel "send a new code" sent and recorded send 2.
        claims.claimSend("challenge", 2, LOGIN_LIFESPAN);
        claims.recordIssued("challenge", issued(2, "code-2"), LOGIN_LIFESPAN);

        assertTrue(SmsAuthenticator.noteSuperseded(claims, challenge(1, "code-1", 1)));
        assertFalse(SmsAuthenticator.noteSuperseded(claims, challenge(2, "code-2", 0)));
    }

    @Test
    void noteStaleWhileResendInFlight() {
        // The resend has claimed send 2 but not recorded it yet.
        claims.recordIssued("challenge", issued(1, "code-1"), LOGIN_LIFESPAN);
        claims.claimSend("challenge", 2, LOGIN_LIFESPAN);

        assertTrue(SmsAuthenticator.noteSuperseded(claims, challenge(1, "code-1", 1)));
    }

    @Test
    void noteCurrentAfterFailedResendReleasedClaim() {
        claims.recordIssued("challenge", issued(1, "code-1"), LOGIN_LIFESPAN);
        claims.claimSend("challenge", 2, LOGIN_LIFESPAN);
        claims.releaseSend("challenge", 2);

        assertFalse(SmsAuthenticator.noteSuperseded(claims, challenge(1, "code-1", 1)));
    }

    @Test
    void staleNoteCannotClaimSendAgain() {
        // Send 2 succeeded; a stale note of send 1 would claim send 2 again, and the claim lasts the login.
        assertTrue(claims.claimSend("challenge", 2, LOGIN_LIFESPAN));

        assertFalse(claims.claimSend("challenge", 2, LOGIN_LIFESPAN));
        assertTrue(store.lifespan(SmsClaims.sendKey("challenge", 2)) > 1800);
    }

    @Test
    void attemptsLeftCountsClaimedSlots() {
        assertEquals(5, SmsAuthenticator.attemptsLeft(claims, challenge(1, "code-1", 0)));
        assertEquals(3, SmsAuthenticator.attemptsLeft(claims, challenge(1, "code-1", 2)));

        for (int i = 0; i < 4; i++) {
            claims.claimGuess("code-1", 5, 360);
        }
        // Parallel requests claimed 4 slots, more than the state records.
        assertEquals(1, SmsAuthenticator.attemptsLeft(claims, challenge(1, "code-1", 2)));
    }

    @Test
    void attemptsLeftNeverNegative() {
        assertEquals(0, SmsAuthenticator.attemptsLeft(claims, challenge(1, "code-1", 7)));
    }

    @Test
    void wrongCodeMessageCarriesAttemptsLeft() {
        var message = SmsAuthenticator.wrongCodeMessage(3);

        assertEquals(SmsLoginForm.FIELD_CODE, message.getField());
        assertEquals(SmsMessages.CODE_INVALID, message.getMessage());
        assertEquals(3, message.getParameters()[0]);
        assertEquals(0, SmsAuthenticator.wrongCodeMessage(-1).getParameters()[0]);
    }
}
