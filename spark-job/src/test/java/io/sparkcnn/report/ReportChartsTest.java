package io.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.train.TrainingHistory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.Tick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss chart of short runs (a point per averaging round) and readable axes: the charts' datasets and the tick
 * labels their axes compute when drawn, not their pixels.
 */
@Tag("unit")
class ReportChartsTest {
    /** history.json of a one-epoch run written before round losses were recorded (its single point drew ten equal labels). */
    private static final String OLD_ONE_EPOCH = "{\"heldOut\":\"test\",\"epochs\":[{\"epoch\":1,\"trainLoss\":0.6124309500058492,"
            + "\"trainAccuracy\":0.9043333333333333,\"validationAccuracy\":0.88,\"wallSeconds\":5.415832757,"
            + "\"imagesPerSecond\":1107.8628660098411,\"imagesPerCpuSecond\":570.342205323194}]}";

    @Test
    void aOneEpochRunWithSixteenRoundsDrawsAPointPerRound() throws IOException {
        List<Double> rounds = ReportFixture.fallingLosses(16);
        TrainingHistory history = ReportFixture.oneEpoch(rounds, 0.88);
        XYDataset data = RunReport.lossChart(epochs(history.json())).getXYPlot().getDataset();

        assertEquals(2, data.getSeriesCount());
        assertEquals(16, data.getItemCount(0), "a point per averaging round");
        for (int k = 0; k < 16; k++) {
            assertEquals((k + 1) / 16.0, data.getXValue(0, k), 1e-12, "round " + (k + 1) + " of 16 in epoch 1");
            assertEquals(rounds.get(k), data.getYValue(0, k));
        }
        assertEquals(1, data.getItemCount(1), "and the epoch's mean");
        assertEquals(1.0, data.getXValue(1, 0));
        assertEquals(history.epochs().get(0).trainLoss(), data.getYValue(1, 0));
    }

    @Test
    void roundsOfLaterEpochsSitAtFractionsOfTheirEpoch() throws IOException {
        TrainingHistory history = TrainingHistory.empty("test")
                .with(new TrainingHistory.Epoch(1, 0.5, null, null, 1, 1, 1, List.of(0.8, 0.6, 0.4, 0.2)))
                .with(new TrainingHistory.Epoch(2, 0.15, null, null, 1, 1, 1, java.util.Arrays.asList(0.2, null, 0.1)));
        XYDataset data = RunReport.lossChart(epochs(history.json())).getXYPlot().getDataset();

        double[] x = new double[data.getItemCount(0)];
        for (int i = 0; i < x.length; i++) {
            x[i] = data.getXValue(0, i);
        }
        assertEquals(List.of(0.25, 0.5, 0.75, 1.0, 1 + 1 / 3.0, 2.0), java.util.Arrays.stream(x).boxed().toList(),
                "a round without a finite loss is left out, the others keep their place");
    }

    @Test
    void longRunsAndHistoriesWithoutRoundsKeepAPointPerEpoch() throws IOException {
        TrainingHistory four = TrainingHistory.empty("test");
        for (int e = 1; e <= RunReport.ROUND_LOSS_MAX_EPOCHS + 1; e++) {
            four = four.with(new TrainingHistory.Epoch(e, 1.0 / e, null, null, 1, 1, 1, List.of(1.0 / e, 1.0 / e)));
        }
        XYDataset long4 = RunReport.lossChart(epochs(four.json())).getXYPlot().getDataset();
        assertEquals(1, long4.getSeriesCount());
        assertEquals(4, long4.getItemCount(0));

        XYDataset old = RunReport.lossChart(epochs(OLD_ONE_EPOCH.getBytes())).getXYPlot().getDataset();
        assertEquals(1, old.getSeriesCount(), "no roundLosses in an old history.json: a point per epoch");
        assertEquals(1, old.getItemCount(0));
        assertEquals(0.6124309500058492, old.getYValue(0, 0));
    }

    @Test
    void singlePointsAndFlatLinesGetDistinctTickLabelsAroundTheirValue() throws IOException {
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        charts.put("one epoch, 16 rounds", RunReport.lossChart(epochs(
                ReportFixture.oneEpoch(ReportFixture.fallingLosses(16), 0.88).json())));
        charts.put("one epoch, no rounds (old history.json)", RunReport.lossChart(epochs(OLD_ONE_EPOCH.getBytes())));
        charts.put("one epoch, 16 equal rounds", RunReport.lossChart(epochs(
                ReportFixture.oneEpoch(Collections.nCopies(16, 0.2460108), 0.88).json())));
        charts.put("run.json's single loss", ReportCharts.curvesChart("Training loss", "loss",
                Map.of("training loss", new double[] {0.2460108}), false));
        charts.put("a flat line at 0", ReportCharts.curvesChart("Training loss", "loss",
                Map.of("training loss", new double[] {0, 0, 0}), false));
        charts.put("one accuracy", ReportCharts.curvesChart("Accuracy", "accuracy",
                Map.of("test accuracy", new double[] {0.88}), true));

        for (Map.Entry<String, JFreeChart> c : charts.entrySet()) {
            Map<RectangleEdge, List<String>> labels = tickLabels(c.getValue());
            for (Map.Entry<RectangleEdge, List<String>> axis : labels.entrySet()) {
                List<String> ticks = axis.getValue();
                assertTrue(ticks.size() >= (axis.getKey() == RectangleEdge.LEFT ? 3 : 1), c.getKey() + ": " + ticks);
                assertEquals(ticks.size(), new HashSet<>(ticks).size(), c.getKey() + ": repeated tick labels " + ticks);
            }
            NumberAxis y = (NumberAxis) c.getValue().getXYPlot().getRangeAxis();
            XYDataset data = c.getValue().getXYPlot().getDataset();
            double value = data.getYValue(0, 0);
            assertTrue(y.getRange().contains(value), c.getKey() + ": " + y.getRange() + " shows " + value);
            assertTrue(y.getRange().getLength() >= Math.max(Math.abs(value), 1e-3) / 20,
                    c.getKey() + ": a range to read, not " + y.getRange());
        }
        assertEquals(List.of("0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"),
                tickLabels(charts.get("one epoch, 16 rounds")).get(RectangleEdge.BOTTOM), "epochs as fractions");
    }

    /** The tick labels each axis computes when the chart is drawn at the report's size: value axis LEFT, epochs BOTTOM. */
    private static Map<RectangleEdge, List<String>> tickLabels(JFreeChart chart) {
        Headless.ensure();
        BufferedImage image = new BufferedImage(ReportCharts.WIDTH, ReportCharts.HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = image.createGraphics();
        try {
            ChartRenderingInfo info = new ChartRenderingInfo();
            chart.draw(g2, new Rectangle2D.Double(0, 0, ReportCharts.WIDTH, ReportCharts.HEIGHT), info);
            Rectangle2D dataArea = info.getPlotInfo().getDataArea();
            Map<RectangleEdge, List<String>> labels = new LinkedHashMap<>();
            labels.put(RectangleEdge.LEFT, texts(chart.getXYPlot().getRangeAxis().refreshTicks(g2, new AxisState(),
                    dataArea, RectangleEdge.LEFT)));
            labels.put(RectangleEdge.BOTTOM, texts(chart.getXYPlot().getDomainAxis().refreshTicks(g2, new AxisState(),
                    dataArea, RectangleEdge.BOTTOM)));
            return labels;
        } finally {
            g2.dispose();
        }
    }

    /** The labels of the major ticks (minor ticks have none). */
    private static List<String> texts(List<? extends Tick> ticks) {
        return ticks.stream().filter(t -> t instanceof ValueTick v && v.getTickType() == TickType.MAJOR)
                .map(Tick::getText).toList();
    }

    private static JsonNode epochs(byte[] historyJson) throws IOException {
        return new ObjectMapper().readTree(historyJson).get("epochs");
    }
}
