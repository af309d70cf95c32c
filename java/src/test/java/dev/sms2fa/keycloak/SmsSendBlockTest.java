package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmsSendBlockTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void sendFailedRoundTrip() {
        SmsSendBlock block = SmsSendBlock.sendFailed(NOW, 30);

        SmsSendBlock read = SmsSendBlock.fromNote(block.toNote());

        assertEquals(block, read);
        assertEquals(SmsMessages.SEND_FAILED, read.messageKey());
        assertEquals(NOW + 30_000, read.retryAtMillis());
    }

    @Test
    void limitReachedRoundTrip() {
        SmsSendBlock block = SmsSendBlock.limitReached(NOW, 42);

        assertEquals(block, SmsSendBlock.fromNote(block.toNote()));
        assertEquals(SmsMessages.SEND_LIMIT_REACHED, block.messageKey());
    }

    @Test
    void sendFailedArgumentCountsSecondsDown() {
        SmsSendBlock block = SmsSendBlock.sendFailed(NOW, 30);

        assertEquals(30, block.messageArgument(NOW));
        assertEquals(20, block.messageArgument(NOW + 10_000));
        assertEquals(0, block.messageArgument(NOW + 31_000));
    }

    @Test
    void limitArgumentInMinutesAtLeastOne() {
        SmsSendBlock block = SmsSendBlock.limitReached(NOW, 42);

        assertEquals(42, block.messageArgument(NOW));
        assertEquals(41, block.messageArgument(NOW + 60_000));
        assertEquals(1, block.messageArgument(NOW + 42 * 60_000 + 5_000));
    }

    @Test
    void unreadableNoteIsRetryableFailure() {
        for (String note : new String[] {null, "", "garbage", "smsAuthSendFailed:soon", "otherKey:123"}) {
            SmsSendBlock block = SmsSendBlock.fromNote(note);
            assertEquals(SmsMessages.SEND_FAILED, block.messageKey(), String.valueOf(note));
            assertEquals(0, block.messageArgument(NOW), String.valueOf(note));
        }
    }
}
