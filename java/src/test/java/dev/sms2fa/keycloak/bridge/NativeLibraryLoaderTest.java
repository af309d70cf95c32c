package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativeLibraryLoaderTest {

    @ParameterizedTest
    @CsvSource({"Linux, amd64", "Linux, x86_64", "linux, AMD64"})
    void platformLinuxX86_64Supported(String osName, String osArch) {
        assertEquals("linux-x86_64", NativeLibraryLoader.platformDirectory(osName, osArch));
    }

    @ParameterizedTest
    @CsvSource({"Linux, aarch64", "Mac OS X, x86_64", "Mac OS X, aarch64", "Windows 11, amd64", "FreeBSD, amd64"})
    void platformOthersRejected(String osName, String osArch) {
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> NativeLibraryLoader.platformDirectory(osName, osArch));
        assertTrue(e.getMessage().contains("os.name='" + osName + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("os.arch='" + osArch + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibraryLoader.LIBRARY_PROPERTY), e.getMessage());
    }

    @Test
    void platformMissingPropertiesRejected() {
        assertThrows(NativeLibraryException.class, () -> NativeLibraryLoader.platformDirectory(null, null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/tmp/sms2fa-1/libsms2fa.so: failed to map segment from shared object",
            "/tmp/sms2fa-1/libsms2fa.so: Operation not permitted"})
    void loadFailureNoexecExplained(String reason) {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError(reason);
        NativeLibraryException e = NativeLibraryLoader.explainLoadFailure(Path.of("/tmp/sms2fa-1/libsms2fa.so"), cause);

        assertTrue(e.getMessage().contains("noexec"), e.getMessage());
        assertTrue(e.getMessage().contains("sms2fa.native.dir"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertSame(cause, e.getCause());
    }

    @Test
    void loadFailureOtherKeepsReason() {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("wrong ELF class: ELFCLASS32");
        NativeLibraryException e = NativeLibraryLoader.explainLoadFailure(Path.of("/opt/libsms2fa.so"), cause);

        assertTrue(e.getMessage().contains("/opt/libsms2fa.so"), e.getMessage());
        assertTrue(e.getMessage().contains("wrong ELF class"), e.getMessage());
        assertFalse(e.getMessage().contains("noexec"), e.getMessage());
    }

    @Test
    void versionMismatchNamesBoth() {
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> NativeLibraryLoader.checkVersion("0.1.0", "0.2.0"));
        assertTrue(e.getMessage().contains("0.1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("0.2.0"), e.getMessage());
    }

    @Test
    void versionEqualAccepted() {
        assertDoesNotThrow(() -> NativeLibraryLoader.checkVersion("0.1.0", "0.1.0"));
    }

    @Test
    void jarVersionIsFiltered() {
        String version = NativeLibraryLoader.readJarVersion();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);
    }

    @Test
    void overrideMissingFileRejected(@TempDir Path directory) {
        Path missing = directory.resolve("libmissing.so");
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> NativeLibraryLoader.checkOverride(missing.toString()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLibraryLoader.LIBRARY_PROPERTY), e.getMessage());
    }

    @Test
    void overrideDirectoryRejected(@TempDir Path directory) {
        assertThrows(NativeLibraryException.class, () -> NativeLibraryLoader.checkOverride(directory.toString()));
    }

    @Test
    void overrideExistingFileAccepted(@TempDir Path directory) throws IOException {
        Path library = Files.createFile(directory.resolve("libsms2fa.so"));
        assertEquals(library, NativeLibraryLoader.checkOverride(library.toString()));
    }
}
