package io.sparkcnn.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Opens report.html in headless Chromium: every image must have loaded (each marks itself
 * {@code data-loaded="true"} once decoded with a non-zero width), and a screenshot is saved as
 * {@code target/report-screenshot.png} to look at.
 *
 * <p>Chromium is taken from {@code -Dbrowser.chromium=PATH} or the {@code PATH} ({@code chromium},
 * {@code chromium-browser}, {@code google-chrome}). Without one the test is skipped, unless
 * {@code -Dbrowser.tests=required} (as {@code .ci/run} sets it), when it fails and says how to install one.</p>
 */
@Tag("browser")
class ReportBrowserTest {
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void everyImageOfTheHtmlReportLoadsInHeadlessChromium() throws Exception {
        Path chromium = chromium();
        Path target = Path.of("target").toAbsolutePath();
        Path dir = Files.createDirectories(target.resolve("report-browser"));
        ReportFixture run = ReportFixture.train();
        RunReport.Output out = RunReport.build("file:/runs/tiny-seed-fc", run.sideFiles(true), run.net, run.test, 24);
        Path html = dir.resolve(RunReport.HTML_FILE);
        Files.write(html, out.html());

        String dom = chromium(chromium, dir, "--dump-dom", html.toUri().toString());
        Matcher images = Pattern.compile("<img\\b[^>]*>").matcher(dom);
        List<String> notLoaded = new ArrayList<>();
        int count = 0;
        while (images.find()) {
            count++;
            if (!images.group().contains("data-loaded=\"true\"")) {
                notLoaded.add(images.group().replaceAll("base64,[^\"]{40,}", "base64,…"));
            }
        }
        assertEquals(out.document().figureCount(), count, "images in the rendered page");
        assertEquals(List.of(), notLoaded, "images that did not load");

        Path screenshot = target.resolve("report-screenshot.png");
        Files.deleteIfExists(screenshot);
        chromium(chromium, dir, "--screenshot=" + screenshot, "--window-size=1200,3000", html.toUri().toString());
        assertTrue(Files.size(screenshot) > 50_000, "screenshot " + screenshot + " has " + Files.size(screenshot) + " bytes");
    }

    private static String chromium(Path chromium, Path dir, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile-");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path stdout = dir.resolve("chromium.out");
        Path stderr = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + String.join(" ", cmd));
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("chromium exited with " + p.exitValue() + ": " + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Path chromium() {
        String configured = System.getProperty("browser.chromium", "");
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String message = "no Chromium found (PATH or -Dbrowser.chromium=PATH); on Debian: apt-get install -y chromium";
        if ("required".equals(System.getProperty("browser.tests", ""))) {
            fail(message + " (browser tests are required: -Dbrowser.tests=required)");
        }
        Assumptions.assumeTrue(false, message + "; skipping the browser test");
        return null;
    }
}
