package io.sparkcnn.report;

import io.sparkcnn.cli.Main;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reports of stored runs: the HTML is self-contained, the worst misses are right, and where the files go. */
@Tag("unit")
class RunReportTest {
    private static ReportFixture run;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void train() {
        run = ReportFixture.train();
    }

    @Test
    void theWorstMissesAreWrongAndSortedByConfidence() {
        Misclassified.Predictions p = Misclassified.predict(run.net, run.test);
        long wrong = run.evaluation.examples() - Math.round(run.evaluation.accuracy() * run.evaluation.examples());
        assertEquals(wrong, p.misses().size(), "the driver's predictions agree with evaluation.json");
        double previous = 1.0;
        for (Misclassified.Miss m : p.worst(24)) {
            assertEquals(run.test.labels()[m.index()], m.actual());
            assertTrue(m.predicted() != m.actual());
            assertTrue(m.probability() <= previous);
            previous = m.probability();
        }
    }

    @Test
    void theHtmlPageIsSelfContained() {
        String html = new String(RunReport.build("file:/runs/tiny", run.sideFiles(true), run.net, run.test, 24).html(),
                StandardCharsets.UTF_8);
        Matcher refs = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (refs.find()) {
            assertTrue(refs.group(1).startsWith("data:image/png;base64,"), "only data: URIs, found " + refs.group(1));
            images++;
        }
        assertEquals(5, images);
        assertFalse(html.contains("<link") || html.contains("@import") || html.contains("url("), "no external resources");
        assertTrue(html.contains("data-figures=\"5\""));
        assertTrue(html.contains("Beside other runs") && html.contains("the lecture") && html.contains("98.17 %"),
                "report.compare-with is shown");
    }

    @Test
    void aShortRunsLossIsDrawnPerRoundAndAnOldHistoryPerEpoch() {
        String shortRun = new String(RunReport.build("file:/runs/short", run.sideFilesOfAShortRun(), run.net, run.test, 24)
                .html(), StandardCharsets.UTF_8);
        assertTrue(shortRun.contains("training loss per averaging round and per epoch"), "one epoch of 16 rounds");
        assertTrue(shortRun.contains("data-figures=\"5\""));
        String old = new String(RunReport.build("file:/runs/tiny", run.sideFiles(true), run.net, run.test, 24).html(),
                StandardCharsets.UTF_8);
        assertTrue(old.contains("training loss per epoch") && !old.contains("per averaging round"),
                "a history.json without roundLosses still makes its report, a point per epoch");
    }

    @Test
    void theReportCommandWritesBesideAPlainOutputAndExports() throws IOException {
        Path model = tmp.resolve("plain");
        new ModelStore(new Configuration()).save(model.toString(), false, run.net, null, run.sideFiles(false));
        Path export = tmp.resolve("export-plain");
        StringWriter out = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).execute("report", "--model", model.toString(),
                "--export", export.toString(), "--data-dir", io.sparkcnn.TestData.mnistDir().toString());
        assertEquals(0, code, out.toString());
        for (String f : new String[] {RunReport.NOTEBOOK_FILE, RunReport.HTML_FILE}) {
            assertTrue(Files.size(model.resolve(f)) > 10_000, f + " beside the model");
            assertEquals(-1L, Files.mismatch(model.resolve(f), export.resolve(f)), f + " exported");
        }
        assertTrue(out.toString().contains("Report written beside the model"), out.toString());
    }

    @Test
    void aRegistryVersionStaysImmutableAndItsReportIsExported() throws IOException {
        Path registry = tmp.resolve("registry");
        Map<String, byte[]> side = new java.util.LinkedHashMap<>(run.sideFiles(true));
        side.putAll(RunReport.build("registry", side, run.net, run.test, 24).files());
        String id = new ModelRegistry(new Configuration(), registry.toString()).publish(run.net, null, side, Map.of());

        StoredRun stored = StoredRun.open(new Configuration(), registry.toString(), null);
        assertTrue(stored.version());
        assertEquals(id, stored.name());
        assertTrue(stored.files().containsKey(RunReport.HISTORY_FILE));
        assertThrows(OutputException.class, () -> stored.writeBeside(new Configuration(), Map.of("x", new byte[1])));

        Path export = tmp.resolve("export-registry");
        int code = Main.commandLine().execute("report", "--model", registry.toString(), "--version", id,
                "--export", export.toString());
        assertEquals(0, code);
        assertTrue(Files.exists(export.resolve(RunReport.HTML_FILE)));
        new ModelRegistry(new Configuration(), registry.toString()).verify(id); // still matches its manifest
        assertEquals(2, Main.commandLine().execute("report", "--model", registry.toString(), "--worst", "0"));
    }
}
