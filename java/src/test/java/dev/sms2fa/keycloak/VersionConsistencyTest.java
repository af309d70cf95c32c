package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The loader rejects a native library of another version, so both build files must agree. */
class VersionConsistencyTest {

    private static final Pattern CARGO_VERSION = Pattern.compile("^version\\s*=\\s*\"([^\"]+)\"\\s*$");

    @Test
    void pomVersionEqualsCargoVersion() throws Exception {
        Path pom = pathFromProperty("sms2fa.test.pom");
        Path cargoToml = pathFromProperty("sms2fa.test.cargoToml");
        assertTrue(Files.isRegularFile(cargoToml), "Cargo.toml not found at " + cargoToml);

        assertEquals(cargoPackageVersion(cargoToml), pomVersion(pom), "version in " + pom + " vs " + cargoToml);
    }

    private static Path pathFromProperty(String name) {
        String value = System.getProperty(name);
        assertNotNull(value, "system property " + name + " (set by the surefire configuration in pom.xml)");
        return Path.of(value);
    }

    private static String pomVersion(Path pom) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if ("version".equals(child.getNodeName())) {
                return child.getTextContent().trim();
            }
        }
        throw new AssertionError("no <version> in " + pom);
    }

    /** Reads {@code version} from the {@code [package]} table. */
    private static String cargoPackageVersion(Path cargoToml) throws IOException {
        List<String> lines = Files.readAllLines(cargoToml);
        boolean inPackage = false;
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[")) {
                inPackage = trimmed.equals("[package]");
                continue;
            }
            Matcher matcher = CARGO_VERSION.matcher(trimmed);
            if (inPackage && matcher.matches()) {
                return matcher.group(1);
            }
        }
        throw new AssertionError("no version in the [package] table of " + cargoToml);
    }
}
