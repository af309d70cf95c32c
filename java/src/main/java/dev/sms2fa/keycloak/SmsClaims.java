package dev.sms2fa.keycloak;

import java.util.Map;

import org.keycloak.models.SingleUseObjectProvider;

/**
 * Cluster-wide claims in Keycloak's single-use object store, which is shared by all nodes.
 *
 * <p>Every claim is one {@link SingleUseObjectProvider#putIfAbsent} of a key with the prefix
 * {@value #PREFIX}, which only one request can win. That makes a send, an attempt or the single
 * use of a code happen once even when a browser submits the same form twice or two nodes serve one
 * login in parallel:
 * <ul>
 *   <li>{@code send:<part>:<n>} before send n of a login; the part is the challenge id for a resend</li>
 *   <li>{@code guess:<codeId>:<n>} before attempt n at a code, n from 1 to the maximum attempts</li>
 *   <li>{@code used:<codeId>} when a code is accepted</li>
 *   <li>{@code rate:<realmId>:<userId>:<n>} for each send attempt, n from 1 to the hourly limit,
 *       held for one hour with the claim time as its value</li>
 * </ul>
 */
final class SmsClaims {

    static final String PREFIX = "sms-2fa:";
    /** Lifespan of a per-user rate slot: the limit counts sends in any rolling hour. */
    static final long RATE_SLOT_LIFESPAN_SECONDS = 3600;
    /** Value field of a rate slot with the claim time in milliseconds since the epoch. */
    static final String RATE_SLOT_CLAIMED_AT = "claimedAt";

    private static final long MILLIS_PER_MINUTE = 60_000;

    private final SingleUseObjectProvider store;

    SmsClaims(SingleUseObjectProvider store) {
        this.store = store;
    }

    /**
     * Result of {@link #claimRateSlot}.
     *
     * @param key the claimed slot, or null when every slot is taken
     * @param retryAfterMinutes when every slot is taken, the minutes until the oldest slot frees up (at least 1)
     */
    record RateClaim(String key, long retryAfterMinutes) {

        boolean claimed() {
            return key != null;
        }
    }

    static String sendKey(String part, int sendNumber) {
        return PREFIX + "send:" + part + ":" + sendNumber;
    }

    static String guessKey(String codeId, int attemptNumber) {
        return PREFIX + "guess:" + codeId + ":" + attemptNumber;
    }

    static String usedKey(String codeId) {
        return PREFIX + "used:" + codeId;
    }

    static String rateKey(String realmId, String userId, int slot) {
        return PREFIX + "rate:" + realmId + ":" + userId + ":" + slot;
    }

    /** Claims send number {@code sendNumber} of the login identified by {@code part}; false if taken. */
    boolean claimSend(String part, int sendNumber, long lifespanSeconds) {
        return store.putIfAbsent(sendKey(part, sendNumber), lifespanSeconds);
    }

    /** Frees a send claim after a send that did not happen, so that a retry can claim the same number. */
    void releaseSend(String part, int sendNumber) {
        store.remove(sendKey(part, sendNumber));
    }

    /**
     * Claims the first free attempt slot of a code.
     *
     * @return the claimed 1-based attempt number, or 0 when all {@code maxAttempts} slots are taken
     */
    int claimGuess(String codeId, int maxAttempts, long lifespanSeconds) {
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (store.putIfAbsent(guessKey(codeId, attempt), lifespanSeconds)) {
                return attempt;
            }
        }
        return 0;
    }

    /** Claims slots 1 to {@code attemptsUsed} of a new code that inherited that many wrong attempts. */
    void claimInheritedGuesses(String codeId, int attemptsUsed, long lifespanSeconds) {
        for (int attempt = 1; attempt <= attemptsUsed; attempt++) {
            store.putIfAbsent(guessKey(codeId, attempt), lifespanSeconds);
        }
    }

    /** Returns whether every attempt slot of a code is taken, which burns it whatever its state records. */
    boolean allGuessesClaimed(String codeId, int maxAttempts) {
        // Slots fill from 1 upwards, so the last one is free in the common case and decides after one lookup.
        for (int attempt = maxAttempts; attempt >= 1; attempt--) {
            if (!store.contains(guessKey(codeId, attempt))) {
                return false;
            }
        }
        return true;
    }

    /** Claims the single use of an accepted code; false if another request already used it. */
    boolean claimUsed(String codeId, long lifespanSeconds) {
        return store.putIfAbsent(usedKey(codeId), lifespanSeconds);
    }

    /**
     * Claims the first free slot of the user's hourly send limit. The slot stores its claim time,
     * so that a rejection can report when the oldest slot frees up.
     */
    RateClaim claimRateSlot(String realmId, String userId, int maxSendsPerHour, long nowMillis) {
        for (int slot = 1; slot <= maxSendsPerHour; slot++) {
            String key = rateKey(realmId, userId, slot);
            if (store.putIfAbsent(key, RATE_SLOT_LIFESPAN_SECONDS)) {
                // putIfAbsent cannot carry a value, so the claim time follows in a second write.
                // A reader that comes in between finds no time and takes the slot as claimed now.
                store.put(key, RATE_SLOT_LIFESPAN_SECONDS, Map.of(RATE_SLOT_CLAIMED_AT, Long.toString(nowMillis)));
                return new RateClaim(key, 0);
            }
        }

        long oldestClaimMillis = nowMillis;
        for (int slot = 1; slot <= maxSendsPerHour; slot++) {
            oldestClaimMillis = Math.min(oldestClaimMillis,
                    claimTime(store.get(rateKey(realmId, userId, slot)), nowMillis));
        }
        return new RateClaim(null, retryAfterMinutes(oldestClaimMillis, nowMillis));
    }

    /** Frees a rate slot of a send attempt that never reached a gateway. */
    void releaseRateSlot(String key) {
        store.remove(key);
    }

    /** Returns the whole minutes, at least 1, until a slot claimed at {@code claimedAtMillis} frees up. */
    static long retryAfterMinutes(long claimedAtMillis, long nowMillis) {
        long freeAtMillis = claimedAtMillis + RATE_SLOT_LIFESPAN_SECONDS * 1000;
        long waitMillis = Math.max(0, freeAtMillis - nowMillis);
        return Math.max(1, (waitMillis + MILLIS_PER_MINUTE - 1) / MILLIS_PER_MINUTE);
    }

    private static long claimTime(Map<String, String> value, long nowMillis) {
        String claimedAt = value == null ? null : value.get(RATE_SLOT_CLAIMED_AT);
        if (claimedAt == null) {
            return nowMillis;
        }
        try {
            return Long.parseLong(claimedAt);
        } catch (NumberFormatException e) {
            return nowMillis;
        }
    }
}
