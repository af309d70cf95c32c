package dev.sms2fa.keycloak.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class GatewayCheckReportsTest {

    private static final String OK_REPORT = "{\"ok\":true,\"gatewayType\":\"smseagle\",\"deviceUrl\":\"https://gw:443\","
            + "\"checks\":[{\"name\":\"connection\",\"result\":\"ok\",\"message\":\"Connected.\"},"
            + "{\"name\":\"send\",\"result\":\"skipped\",\"message\":\"Not checked.\"}]}";

    @Test
    void configFailureNamesField() {
        ObjectNode report = GatewayCheckReports.configFailure(GatewayCheckReports.PROBLEM_INVALID_CONFIG, "apiurl",
                "apiurl: missing");

        assertFalse(report.get("ok").asBoolean());
        JsonNode check = report.get("checks").get(0);
        assertEquals("config", check.get("name").asText());
        assertEquals("failed", check.get("result").asText());
        assertEquals("invalid_config", check.get("problem").asText());
        assertEquals("apiurl", check.get("field").asText());
        assertEquals("apiurl: missing", check.get("message").asText());
    }

    @Test
    void configFailureWithoutField() {
        ObjectNode report = GatewayCheckReports.configFailure(GatewayCheckReports.PROBLEM_NO_EXECUTION, null, "none");
        assertFalse(report.get("checks").get(0).has("field"));
    }

    @Test
    void failedConfigCheckGoesFirstAndFailsReport() {
        ObjectNode report = GatewayCheckReports.parse(OK_REPORT);
        GatewayCheckReports.addConfigCheck(report, GatewayCheckReports.RESULT_FAILED,
                GatewayCheckReports.PROBLEM_SIMULATION_IN_PRODUCTION, "simulation", "Simulation is on.");

        assertFalse(report.get("ok").asBoolean());
        assertEquals(3, report.get("checks").size());
        assertEquals("config", report.get("checks").get(0).get("name").asText());
        assertEquals("connection", report.get("checks").get(1).get("name").asText());
    }

    @Test
    void warningConfigCheckKeepsOk() {
        ObjectNode report = GatewayCheckReports.parse(OK_REPORT);
        GatewayCheckReports.addConfigCheck(report, GatewayCheckReports.RESULT_WARNING, "x", null, "Note.");
        assertTrue(report.get("ok").asBoolean());
    }

    @Test
    void summaryNamesFailuresThenWarnings() {
        assertEquals("ok", GatewayCheckReports.summary(GatewayCheckReports.parse(OK_REPORT)));

        ObjectNode failed = GatewayCheckReports.parse("{\"ok\":false,\"checks\":["
                + "{\"name\":\"token\",\"result\":\"ok\",\"message\":\"\"},"
                + "{\"name\":\"modem\",\"result\":\"warning\",\"problem\":\"missing_permission\",\"message\":\"\"},"
                + "{\"name\":\"send\",\"result\":\"failed\",\"problem\":\"missing_permission\",\"message\":\"\"}]}");
        assertEquals("failed (send=missing_permission, modem=missing_permission)", GatewayCheckReports.summary(failed));

        ObjectNode warned = GatewayCheckReports.parse("{\"ok\":true,\"checks\":["
                + "{\"name\":\"simulation\",\"result\":\"warning\",\"problem\":\"simulation\",\"message\":\"\"}]}");
        assertEquals("ok with warnings (simulation=simulation)", GatewayCheckReports.summary(warned));
    }

    @Test
    void parseRejectsReportWithoutChecks() {
        assertThrows(IllegalStateException.class, () -> GatewayCheckReports.parse("{\"ok\":true}"));
        assertThrows(IllegalStateException.class, () -> GatewayCheckReports.parse("not json"));
    }
}
