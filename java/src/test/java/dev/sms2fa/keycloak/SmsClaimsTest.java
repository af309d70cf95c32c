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
