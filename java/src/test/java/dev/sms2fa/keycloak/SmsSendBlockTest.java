package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertFalse(read.showsCodePage());
    }

    @Test
    void limitReachedRoundTrip() {
        SmsSendBlock block = SmsSendBlock.limitReached(NOW, 42);

        assertEquals(block, SmsSendBlock.fromNote(block.toNote()));
        assertEquals(SmsMessages.SEND_LIMIT_REACHED, block.messageKey());
        assertFalse(block.showsCodePage());
    }

    @Test
    void lockedOutRoundTrip() {
        SmsSendBlock block = SmsSendBlock.lockedOut(NOW, 30, 2, 5);

        SmsSendBlock read = SmsSendBlock.fromNote(block.toNote());

        assertEquals(block, read);
        assertTrue(read.showsCodePage());
        assertEquals(2, read.sendsLeft());
        assertEquals(5, read.maxAttempts());
    }

    @Test
    void lockedOutShowsPageOfSentCode() {
        SmsSendBlock block = SmsSendBlock.lockedOut(NOW, 30, 2, 5);

        SmsCodeView view = block.codeView("+48******200", NOW + 10_000);

        assertEquals("+48******200", view.maskedPhone());
        assertTrue(view.codeOpen());
        assertNull(view.closedReason());
        assertEquals(2, view.sendsLeft());
        assertEquals(20, view.resendWaitSeconds());
        assertNull(view.closedMessageKey());
    }

    @Test
    void lockedOutWithoutSendsLeftHasNoWait() {
        SmsSendBlock block = SmsSendBlock.lockedOut(NOW, 30, 0, 5);

        SmsCodeView view = block.codeView("+48******200", NOW);

        assertEquals(0, view.sendsLeft());
        assertEquals(0, view.resendWaitSeconds());
        assertTrue(view.codeOpen());
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
        String[] notes = {null, "", "garbage", "SEND_FAILED:soon:0:0", "OTHER:123:0:0", "smsAuthSendFailed:123"};
        for (String note : notes) {
            SmsSendBlock block = SmsSendBlock.fromNote(note);
            assertEquals(SmsMessages.SEND_FAILED, block.messageKey(), String.valueOf(note));
            assertEquals(0, block.messageArgument(NOW), String.valueOf(note));
            assertFalse(block.showsCodePage(), String.valueOf(note));
        }
    }
}
