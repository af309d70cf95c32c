package dev.sms2fa.keycloak;

import java.util.HashMap;
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
 *   <li>{@code send:<part>:<n>} before send n of a login, held for the whole login; the part is the
 *       challenge id for a resend and {@code <rootSessionId>.<tabId>.<loginId>} for the first send</li>
 *   <li>{@code guess:<codeId>:<n>} before attempt n at a code, n from 1 to the maximum attempts</li>
 *   <li>{@code used:<codeId>} when a code is accepted</li>
 *   <li>{@code rate:<realmId>:<userId>:<n>} for each send attempt, n from 1 to the hourly limit,
 *       held for one hour with the claim time as its value</li>
 * </ul>
 *
 * <p>Two records, written with {@link SingleUseObjectProvider#put} and so visible to other
 * requests once the writing request commits, keep the newest send of a login where a parallel
 * request cannot overwrite it. Keycloak writes an authentication session back whole, so a request
 * that read the session before a send can replace the new state note with an older one:
 * <ul>
 *   <li>{@code issued:<challengeId>}: the newest code sent in a challenge ({@link Issued})</li>
 *   <li>{@code first:<rootSessionId>.<tabId>.<loginId>}: the challenge id that the login's
 *       first send started, for a request that finds no state note at all</li>
 * </ul>
 */
final class SmsClaims {

    static final String PREFIX = "sms-2fa:";
    /** Lifespan of a per-user rate slot: the limit counts sends in any rolling hour. */
    static final long RATE_SLOT_LIFESPAN_SECONDS = 3600;
    /** Value field of a rate slot with the claim time in milliseconds since the epoch. */
    static final String RATE_SLOT_CLAIMED_AT = "claimedAt";

    /**
     * Seconds that a send claim and the send records outlive the login's lifespan: clock skew
     * between nodes, plus the longest send, which takes 24 s with two devices at the maximum
     * connect (2 s) and request (10 s) timeouts.
     */
    static final long LOGIN_CLAIM_MARGIN_SECONDS = 120;
    /** Value field of a {@code first:} record with the challenge id. */
    static final String FIRST_SEND_CHALLENGE_ID = "challengeId";

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

    /**
     * The newest code sent in a challenge, as stored in the {@code issued:<challengeId>} record.
     *
     * @param sendNumber 1-based number of the send within the login
     * @param codeId id of the code sent
     * @param state the challenge state that the send returned
     * @param keyId id of the realm HMAC key that protects {@code state}
     * @param maskedPhone the receiver number with the middle digits masked
     * @param messageId the gateway's message id
     * @param deviceUrl {@code scheme://host:port} of the gateway that accepted the SMS, "" in simulation mode
     */
    record Issued(int sendNumber, String codeId, String state, String keyId, String maskedPhone, String messageId,
                  String deviceUrl, String phone) {

        private static final String SEND_NUMBER = "sendNumber";
        private static final String CODE_ID = "codeId";
        private static final String STATE = "state";
        private static final String KEY_ID = "keyId";
        private static final String MASKED_PHONE = "maskedPhone";
        private static final String MESSAGE_ID = "messageId";
        private static final String DEVICE_URL = "deviceUrl";
        private static final String PHONE = "phone";

        Map<String, String> toMap() {
            Map<String, String> map = new HashMap<>();
            map.put(SEND_NUMBER, Integer.toString(sendNumber));
            map.put(CODE_ID, codeId);
            map.put(STATE, state);
            map.put(KEY_ID, keyId);
            map.put(MASKED_PHONE, nullToEmpty(maskedPhone));
            map.put(MESSAGE_ID, nullToEmpty(messageId));
            map.put(DEVICE_URL, nullToEmpty(deviceUrl));
            map.put(PHONE, nullToEmpty(phone));
            return map;
        }

        /** Reads a record written by {@link #toMap}; null when it is missing or incomplete. */
        static Issued fromMap(Map<String, String> map) {
            if (map == null || map.get(CODE_ID) == null || map.get(STATE) == null || map.get(KEY_ID) == null) {
                return null;
            }
            int sendNumber;
            try {
                sendNumber = Integer.parseInt(String.valueOf(map.get(SEND_NUMBER)));
            } catch (NumberFormatException e) {
                return null;
            }
            return new Issued(sendNumber, map.get(CODE_ID), map.get(STATE), map.get(KEY_ID),
                    nullToEmpty(map.get(MASKED_PHONE)), nullToEmpty(map.get(MESSAGE_ID)),
                    nullToEmpty(map.get(DEVICE_URL)), nullToEmpty(map.get(PHONE)));
        }

        /**
         * Returns whether this newer send replaced the code of send {@code sendNumber} with id
         * {@code codeId}, which makes a state of that send stale.
         */
        boolean supersedes(int sendNumber, String codeId) {
            return this.sendNumber > sendNumber || (this.sendNumber == sendNumber && !this.codeId.equals(codeId));
        }

        /** Omits the state and the number. */
        @Override
        public String toString() {
            return "Issued[sendNumber=" + sendNumber + ", codeId=" + codeId + ", keyId=" + keyId + "]";
        }

        private static String nullToEmpty(String value) {
            return value == null ? "" : value;
        }
    }

    /**
     * Returns the lifespan of the claims and records that must last for the whole login: the
     * longest of the realm's login, user action and access code lifespans, plus
     * {@link #LOGIN_CLAIM_MARGIN_SECONDS}. Keycloak ends a login whose last request is older than
     * the login lifespan, so a stale state note cannot outlive these claims.
     */
    static long loginClaimLifespanSeconds(int loginLifespanSeconds, int userActionLifespanSeconds,
                                          int accessCodeLifespanSeconds) {
        int longest = Math.max(loginLifespanSeconds, Math.max(userActionLifespanSeconds, accessCodeLifespanSeconds));
        return Math.max(0, longest) + LOGIN_CLAIM_MARGIN_SECONDS;
    }

    /**
     * Returns how many attempt slots a resent code takes over from the code it replaces. That is
     * the larger of the count that the new state inherited and the slots claimed for the old code,
     * because a request that verified the old code may not have written its state back. It is 0
     * when every slot of the old code is claimed, because a burned code passes on no attempts.
     */
    static int inheritedGuesses(int stateAttemptsUsed, int oldCodeClaimedGuesses, int oldCodeMaxAttempts) {
        if (oldCodeClaimedGuesses >= oldCodeMaxAttempts) {
            return 0;
        }
        return Math.max(stateAttemptsUsed, oldCodeClaimedGuesses);
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

    static String issuedKey(String challengeId) {
        return PREFIX + "issued:" + challengeId;
    }

    static String firstSendKey(String part) {
        return PREFIX + "first:" + part;
    }

    /** Claims send number {@code sendNumber} of the login identified by {@code part}; false if taken. */
    boolean claimSend(String part, int sendNumber, long lifespanSeconds) {
        return store.putIfAbsent(sendKey(part, sendNumber), lifespanSeconds);
    }

    /** Frees a send claim after a send that did not happen, so that a retry can claim the same number. */
    void releaseSend(String part, int sendNumber) {
        store.remove(sendKey(part, sendNumber));
    }

    /** Returns whether send number {@code sendNumber} of the login identified by {@code part} is claimed. */
    boolean sendClaimed(String part, int sendNumber) {
        return store.contains(sendKey(part, sendNumber));
    }

    /** Records {@code issued} as the newest code of the challenge, replacing the previous record. */
    void recordIssued(String challengeId, Issued issued, long lifespanSeconds) {
        store.put(issuedKey(challengeId), lifespanSeconds, issued.toMap());
    }

    /** Returns the newest code sent in the challenge, or null when no record exists. */
    Issued issued(String challengeId) {
        return Issued.fromMap(store.get(issuedKey(challengeId)));
    }

    /** Records the challenge that the first send of the login identified by {@code part} started. */
    void recordFirstSend(String part, String challengeId, long lifespanSeconds) {
        store.put(firstSendKey(part), lifespanSeconds, Map.of(FIRST_SEND_CHALLENGE_ID, challengeId));
    }

    /** Returns the challenge id recorded by {@link #recordFirstSend}, or null when none is recorded. */
    String firstSendChallenge(String part) {
        Map<String, String> value = store.get(firstSendKey(part));
        return value == null ? null : value.get(FIRST_SEND_CHALLENGE_ID);
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

    /** Returns how many attempt slots of a code are claimed; slots fill from 1 upwards without gaps. */
    int claimedGuesses(String codeId, int maxAttempts) {
        int claimed = 0;
        while (claimed < maxAttempts && store.contains(guessKey(codeId, claimed + 1))) {
            claimed++;
        }
        return claimed;
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
