package dev.sms2fa.keycloak.admin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keycloak.util.JsonSerialization;

/**
 * Builds and reads the JSON report of the gateway check. The native library writes the gateway
 * checks; this class adds the checks of the Keycloak side, named {@value #CONFIG_CHECK}.
 */
final class GatewayCheckReports {

    /** Name of a check about the execution's config, which the Java side runs. */
    static final String CONFIG_CHECK = "config";
    static final String RESULT_FAILED = "failed";
    static final String RESULT_WARNING = "warning";
    static final String PROBLEM_INVALID_CONFIG = "invalid_config";
    static final String PROBLEM_NO_EXECUTION = "no_execution";
    static final String PROBLEM_SIMULATION_IN_PRODUCTION = "simulation_in_production";

    private GatewayCheckReports() {
    }

    /** Parses the report that {@code NativeBridge.checkGateway} returns. */
    static ObjectNode parse(String json) {
        JsonNode node;
        try {
            node = JsonSerialization.mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("The native checkGateway returned invalid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("checks").isArray()) {
            throw new IllegalStateException("The native checkGateway returned JSON without a checks array");
        }
        return (ObjectNode) node;
    }

    /**
     * Returns a report whose only check is a failed config check, for a config that stops the
     * gateway checks from running.
     *
     * @param field the config key to change, or null when no single key is at fault
     */
    static ObjectNode configFailure(String problem, String field, String message) {
        ObjectNode report = JsonSerialization.mapper.createObjectNode();
        report.put("ok", false);
        report.putArray("checks");
        addConfigCheck(report, RESULT_FAILED, problem, field, message);
        return report;
    }

    /** Adds a config check before the other checks; a failed one sets {@code ok} to false. */
    static void addConfigCheck(ObjectNode report, String result, String problem, String field, String message) {
        ObjectNode check = JsonSerialization.mapper.createObjectNode();
        check.put("name", CONFIG_CHECK);
        check.put("result", result);
        check.put("problem", problem);
        if (field != null) {
            check.put("field", field);
        }
        check.put("message", message);
        ((ArrayNode) report.get("checks")).insert(0, check);
        if (RESULT_FAILED.equals(result)) {
            report.put("ok", false);
        }
    }

    /**
     * Summarises the report for the log: "ok", or "failed" or "ok with warnings" followed by
     * {@code name=problem} for each failed check and warning. Messages are left out, because the
     * log line should stay short.
     */
    static String summary(ObjectNode report) {
        List<String> failed = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (JsonNode check : report.path("checks")) {
            String entry = check.path("name").asText() + "=" + check.path("problem").asText("unknown");
            switch (check.path("result").asText()) {
                case RESULT_FAILED -> failed.add(entry);
                case RESULT_WARNING -> warnings.add(entry);
                default -> {
                    // ok and skipped checks need no mention.
                }
            }
        }
        String overall = report.path("ok").asBoolean(false) ? "ok" : RESULT_FAILED;
        if (failed.isEmpty() && warnings.isEmpty()) {
            return overall;
        }
        List<String> details = new ArrayList<>(failed);
        details.addAll(warnings);
        String label = failed.isEmpty() ? overall + " with warnings" : overall;
        return label + " (" + String.join(", ", details) + ")";
    }

    static String toJson(ObjectNode report) {
        try {
            return JsonSerialization.mapper.writeValueAsString(report);
        } catch (IOException e) {
            throw new IllegalStateException("The gateway check report cannot be written as JSON", e);
        }
    }
}
