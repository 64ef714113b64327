package io.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.ipynb is a valid nbformat 4 notebook: it passes the official nbformat v4.5 JSON schema (the Jupyter
 * project's file, in test resources with its licence), and its figures are stored outputs.
 */
@Tag("unit")
class ReportNotebookSchemaTest {
    private static JsonSchema schema;
    private static RunReport.Output withHistory;
    private static RunReport.Output withoutHistory;
    private static RunReport.Output shortRun;

    @BeforeAll
    static void build() throws IOException {
        try (InputStream in = ReportNotebookSchemaTest.class.getResourceAsStream("/nbformat/nbformat.v4.5.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
        ReportFixture run = ReportFixture.train();
        withHistory = RunReport.build("file:/runs/tiny", run.sideFiles(true), run.net, run.test, 24);
        withoutHistory = RunReport.build("file:/runs/tiny", run.sideFiles(false), run.net, run.test, 24);
        shortRun = RunReport.build("file:/runs/short", run.sideFilesOfAShortRun(), run.net, run.test, 24);
    }

    @Test
    void notebooksPassTheNbformatSchema() throws IOException {
        for (RunReport.Output out : new RunReport.Output[] {withHistory, withoutHistory, shortRun}) {
            JsonNode nb = new ObjectMapper().readTree(out.notebook());
            Set<ValidationMessage> errors = schema.validate(nb);
            assertEquals(Set.of(), errors, "nbformat v4.5 schema violations");
            assertEquals(4, nb.get("nbformat").asInt());
        }
    }

    @Test
    void theSchemaCatchesABrokenNotebook() throws IOException {
        ObjectNode nb = (ObjectNode) new ObjectMapper().readTree(withHistory.notebook());
        ((ObjectNode) nb.get("cells").get(0)).remove("id");
        ((ObjectNode) nb.get("cells").get(1)).put("cell_type", "picture");
        assertFalse(schema.validate(nb).isEmpty(), "a cell without id and one of an unknown type must fail");
    }

    @Test
    void everyFigureIsAStoredOutputWithConsistentExecutionCounts() throws IOException {
        JsonNode nb = new ObjectMapper().readTree(withHistory.notebook());
        int count = 0;
        for (JsonNode cell : nb.get("cells")) {
            if (!cell.get("cell_type").asText().equals("code")) {
                continue;
            }
            count++;
            assertEquals(count, cell.get("execution_count").asInt(), "execution counts run 1, 2, 3, ... from the top");
            JsonNode output = cell.get("outputs").get(0);
            assertEquals("display_data", output.get("output_type").asText());
            byte[] png = Base64.getMimeDecoder().decode(output.get("data").get("image/png").asText());
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
            assertFalse(output.get("data").get("text/plain").asText().isBlank());
        }
        // loss, accuracy, confusion matrix, per-class bars, worst misclassified
        assertEquals(5, count);
        assertEquals(5, withHistory.document().figureCount());
        String text = nb.toString();
        for (String expected : new String[] {"Run report: seed-fc", "Configuration", "Total params: 155,830",
                "Confusion matrix", "Precision, recall and F1 per class", "Worst misclassified images",
                "Throughput and cluster", "images per CPU-second", "Spark master"}) {
            assertTrue(text.contains(expected), "the notebook mentions " + expected);
        }
    }

    @Test
    void withoutHistoryTheLossComesFromRunJsonAndAccuracyCurvesAreSaidToBeUnavailable() throws IOException {
        String text = new ObjectMapper().readTree(withoutHistory.notebook()).toString();
        assertTrue(text.contains("Accuracy curves are unavailable"), text.substring(0, 400));
        assertEquals(4, withoutHistory.document().figureCount());
    }
}
