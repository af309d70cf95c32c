package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SmsClaimsTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long MINUTE = 60_000L;

    private final InMemorySingleUseObjectProvider store = new InMemorySingleUseObjectProvider();
    private final SmsClaims claims = new SmsClaims(store);

    @Test
    void keysHavePrefixAndParts() {
        assertEquals("sms-2fa:send:abc:2", SmsClaims.sendKey("abc", 2));
        assertEquals("sms-2fa:guess:c0de:3", SmsClaims.guessKey("c0de", 3));
        assertEquals("sms-2fa:used:c0de", SmsClaims.usedKey("c0de"));
        assertEquals("sms-2fa:rate:realm-1:user-1:10", SmsClaims.rateKey("realm-1", "user-1", 10));
    }

    @Test
    void sendClaimedOnce() {
        assertTrue(claims.claimSend("root.tab", 1, 120));
        assertFalse(claims.claimSend("root.tab", 1, 120));
        assertTrue(claims.claimSend("root.tab", 2, 120));
        assertEquals(120L, store.lifespan(SmsClaims.sendKey("root.tab", 1)));
    }

    @Test
    void sendReleasedCanBeClaimedAgain() {
        assertTrue(claims.claimSend("challenge", 2, 120));
        claims.releaseSend("challenge", 2);
        assertTrue(claims.claimSend("challenge", 2, 120));
    }

    @Test
    void guessesClaimedInOrderUntilNoneFree() {
        assertEquals(1, claims.claimGuess("code", 3, 360));
        assertEquals(2, claims.claimGuess("code", 3, 360));
        assertFalse(claims.allGuessesClaimed("code", 3));
        assertEquals(3, claims.claimGuess("code", 3, 360));
        assertTrue(claims.allGuessesClaimed("code", 3));
        assertEquals(0, claims.claimGuess("code", 3, 360));
    }

    @Test
    void guessesOfOtherCodeIndependent() {
        claims.claimGuess("code-a", 5, 360);
        assertEquals(1, claims.claimGuess("code-b", 5, 360));
    }

    @Test
    void inheritedGuessesTakeFirstSlots() {
        claims.claimInheritedGuesses("new-code", 3, 360);

        assertEquals(4, claims.claimGuess("new-code", 5, 360));
        assertEquals(360L, store.lifespan(SmsClaims.guessKey("new-code", 1)));
    }

    @Test
    void noInheritedGuessesClaimsNothing() {
        claims.claimInheritedGuesses("new-code", 0, 360);
        assertEquals(0, store.size());
    }

    @Test
    void allGuessesClaimedNeedsEverySlot() {
        store.putIfAbsent(SmsClaims.guessKey("code", 5), 360);
        assertFalse(claims.allGuessesClaimed("code", 5));
    }

    @Test
    void loginClaimLifespanIsLongestPlusMargin() {
        assertEquals(1800 + SmsClaims.LOGIN_CLAIM_MARGIN_SECONDS, SmsClaims.loginClaimLifespanSeconds(1800, 300, 60));
        assertEquals(3600 + SmsClaims.LOGIN_CLAIM_MARGIN_SECONDS, SmsClaims.loginClaimLifespanSeconds(600, 3600, 60));
        assertEquals(7200 + SmsClaims.LOGIN_CLAIM_MARGIN_SECONDS, SmsClaims.loginClaimLifespanSeconds(600, 300, 7200));
    }

    @Test
    void loginClaimLifespanOutlivesOldFixedLifespan() {
        // Send claims used to last 120 s, so a stale note could claim a send number again after that.
        assertTrue(SmsClaims.loginClaimLifespanSeconds(1800, 300, 60) > 1800);
        assertTrue(SmsClaims.loginClaimLifespanSeconds(0, 0, 0) > 0);
    }

    @Test
    void sendClaimHeldForLoginLifespan() {
        long lifespan = SmsClaims.loginClaimLifespanSeconds(1800, 300, 60);

        assertTrue(claims.claimSend("challenge", 2, lifespan));

        assertEquals(lifespan, store.lifespan(SmsClaims.sendKey("challenge", 2)));
        assertTrue(claims.sendClaimed("challenge", 2));
        assertFalse(claims.sendClaimed("challenge", 3));
    }

    @Test
    void issuedRecordRoundTrip() {
        SmsClaims.Issued issued = new SmsClaims.Issued(2, "code-2", "state-2", "kid-1", "+48******200", "1821",
                "https://sms.example:443", "+48500100200");

        claims.recordIssued("challenge", issued, 1920);

        assertEquals(issued, claims.issued("challenge"));
        assertEquals(1920L, store.lifespan(SmsClaims.issuedKey("challenge")));
        assertEquals("sms-2fa:issued:challenge", SmsClaims.issuedKey("challenge"));
    }

    @Test
    void issuedRecordReplacedByNewerSend() {
        claims.recordIssued("challenge", new SmsClaims.Issued(1, "code-1", "state-1", "kid", "", "", "", ""), 1920);
        claims.recordIssued("challenge", new SmsClaims.Issued(2, "code-2", "state-2", "kid", "", "", "", ""), 1920);

        assertEquals(2, claims.issued("challenge").sendNumber());
        assertEquals("state-2", claims.issued("challenge").state());
    }

    @Test
    void issuedRecordMissingOrIncompleteIsNull() {
        assertNull(claims.issued("challenge"));

        store.put(SmsClaims.issuedKey("broken"), 60, Map.of("sendNumber", "two", "codeId", "c", "state", "s",
                "keyId", "k"));
        assertNull(claims.issued("broken"));

        store.put(SmsClaims.issuedKey("no-state"), 60, Map.of("sendNumber", "2", "codeId", "c", "keyId", "k"));
        assertNull(claims.issued("no-state"));
    }

    @Test
    void issuedToStringOmitsState() {
        SmsClaims.Issued issued = new SmsClaims.Issued(1, "code-1", "secret-state", "kid", "", "", "", "+48500100200");

        assertFalse(issued.toString().contains("secret-state"), issued.toString());
        assertFalse(issued.toString().contains("500100200"), issued.toString());
    }

    @Test
    void newerSendSupersedesOlderState() {
        SmsClaims.Issued newest = new SmsClaims.Issued(2, "code-2", "state-2", "kid", "", "", "", "");

        assertTrue(newest.supersedes(1, "code-1"));
        assertFalse(newest.supersedes(2, "code-2"));
        // The same send number with another code id cannot come from this challenge's sends; the record wins.
        assertTrue(newest.supersedes(2, "code-x"));
        // A note newer than the record (the record's write was lost) is kept.
        assertFalse(newest.supersedes(3, "code-3"));
    }

    @Test
    void firstSendRecordPointsToChallenge() {
        assertNull(claims.firstSendChallenge("root.tab.login"));

        claims.recordFirstSend("root.tab.login", "challenge", 1920);

        assertEquals("challenge", claims.firstSendChallenge("root.tab.login"));
        assertNull(claims.firstSendChallenge("root.tab.other-login"));
        assertEquals(1920L, store.lifespan(SmsClaims.firstSendKey("root.tab.login")));
    }

    @Test
    void claimedGuessesCountsFromFirstSlot() {
        assertEquals(0, claims.claimedGuesses("code", 5));
        claims.claimGuess("code", 5, 360);
        claims.claimGuess("code", 5, 360);

        assertEquals(2, claims.claimedGuesses("code", 5));

        claims.claimInheritedGuesses("code", 5, 360);
        assertEquals(5, claims.claimedGuesses("code", 5));
    }

    @Test
    void inheritedGuessesTakeLargerCount() {
        // The state records 1 wrong attempt, but parallel requests claimed 3 slots without writing back.
        assertEquals(3, SmsClaims.inheritedGuesses(1, 3, 5));
        assertEquals(2, SmsClaims.inheritedGuesses(2, 1, 5));
        assertEquals(0, SmsClaims.inheritedGuesses(0, 0, 5));
    }

    @Test
    void inheritedGuessesZeroAfterBurn() {
        // Every slot of the old code is claimed: the code was burned, and a new code starts at 0.
        assertEquals(0, SmsClaims.inheritedGuesses(3, 5, 5));
        assertEquals(0, SmsClaims.inheritedGuesses(0, 5, 5));
    }

    @Test
    void staleStateUnderCountsInheritedAttempts() {
        // Three wrong entries at code-1 claimed slots 1 to 3, but the note that the resend used records one.
        for (int i = 0; i < 3; i++) {
            claims.claimGuess("code-1", 5, 360);
        }
        int inherited = SmsClaims.inheritedGuesses(1, claims.claimedGuesses("code-1", 5), 5);
        claims.claimInheritedGuesses("code-2", inherited, 360);

        assertEquals(4, claims.claimGuess("code-2", 5, 360));
    }

    @Test
    void usedClaimedOnce() {
        assertTrue(claims.claimUsed("code", 360));
        assertFalse(claims.claimUsed("code", 360));
    }

    @Test
    void rateSlotsUpToLimit() {
        for (int slot = 1; slot <= 3; slot++) {
            SmsClaims.RateClaim claim = claims.claimRateSlot("realm", "user", 3, NOW + slot * MINUTE);
            assertTrue(claim.claimed(), "slot " + slot);
            assertEquals(SmsClaims.rateKey("realm", "user", slot), claim.key());
        }

        SmsClaims.RateClaim refused = claims.claimRateSlot("realm", "user", 3, NOW + 10 * MINUTE);

        assertFalse(refused.claimed());
        assertNull(refused.key());
        // The oldest slot was claimed at NOW + 1 min and frees at NOW + 61 min, 51 minutes later.
        assertEquals(51, refused.retryAfterMinutes());
    }

    @Test
    void rateSlotStoresClaimTimeForOneHour() {
        SmsClaims.RateClaim claim = claims.claimRateSlot("realm", "user", 10, NOW);

        assertEquals(Map.of(SmsClaims.RATE_SLOT_CLAIMED_AT, Long.toString(NOW)), store.get(claim.key()));
        assertEquals(3600L, store.lifespan(claim.key()));
    }

    @Test
    void rateSlotsPerUser() {
        claims.claimRateSlot("realm", "user-a", 1, NOW);

        assertFalse(claims.claimRateSlot("realm", "user-a", 1, NOW).claimed());
        assertTrue(claims.claimRateSlot("realm", "user-b", 1, NOW).claimed());
        assertTrue(claims.claimRateSlot("other-realm", "user-a", 1, NOW).claimed());
    }

    @Test
    void rateSlotReleasedCanBeClaimedAgain() {
        SmsClaims.RateClaim claim = claims.claimRateSlot("realm", "user", 1, NOW);
        claims.releaseRateSlot(claim.key());

        assertTrue(claims.claimRateSlot("realm", "user", 1, NOW).claimed());
    }

    @Test
    void rateSlotWithoutClaimTimeCountsAsNow() {
        // Another request won the slot but has not written its claim time yet.
        store.putIfAbsent(SmsClaims.rateKey("realm", "user", 1), 3600);

        SmsClaims.RateClaim refused = claims.claimRateSlot("realm", "user", 1, NOW);

        assertEquals(60, refused.retryAfterMinutes());
    }

    @Test
    void retryAfterMinutesRoundsUp() {
        assertEquals(60, SmsClaims.retryAfterMinutes(NOW, NOW));
        assertEquals(1, SmsClaims.retryAfterMinutes(NOW, NOW + 59 * MINUTE + 1));
        assertEquals(2, SmsClaims.retryAfterMinutes(NOW, NOW + 58 * MINUTE + 1));
        assertEquals(3, SmsClaims.retryAfterMinutes(NOW, NOW + 58 * MINUTE - 1));
    }

    @Test
    void retryAfterMinutesAtLeastOne() {
        assertEquals(1, SmsClaims.retryAfterMinutes(NOW, NOW + 61 * MINUTE));
    }
}
