package io.sparkcnn.report;

import io.sparkcnn.eval.EvaluationReport;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.DoubleStream;

/**
 * The report's charts, drawn with JFreeChart and rendered headless to PNG bytes. Every method returns a
 * complete PNG file; sizes are in pixels.
 */
public final class ReportCharts {
    /** Width of every chart in pixels. */
    public static final int WIDTH = 720;
    /** Height of the line and bar charts in pixels. */
    public static final int HEIGHT = 360;
    /** Width and height of the confusion matrix in pixels. */
    public static final int MATRIX_SIZE = 640;

    private static final Color[] LINE_COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};

    private ReportCharts() {
    }

    /**
     * Lines over epochs (1-based x), one per named series; {@code NaN} values are left out.
     *
     * @param series name to one value per epoch, epoch 1 first
     */
    public static byte[] curves(String title, String yLabel, Map<String, double[]> series, boolean unitRange) {
        return png(curvesChart(title, yLabel, series, unitRange), WIDTH, HEIGHT);
    }

    /** The chart {@link #curves} draws. */
    static JFreeChart curvesChart(String title, String yLabel, Map<String, double[]> series, boolean unitRange) {
        XYSeriesCollection data = new XYSeriesCollection();
        int epochs = 0;
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            data.addSeries(perEpoch(s.getKey(), s.getValue()));
            epochs = Math.max(epochs, s.getValue().length);
        }
        JFreeChart chart = lineChart(title, yLabel, data);
        NumberAxis x = (NumberAxis) chart.getXYPlot().getDomainAxis();
        x.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(epochs / 20.0)), epochFormat()));
        x.setRange(0.5, Math.max(1, epochs) + 0.5);
        if (unitRange) {
            double min = series.values().stream().flatMapToDouble(java.util.Arrays::stream).filter(v -> !Double.isNaN(v))
                    .min().orElse(0);
            ((NumberAxis) chart.getXYPlot().getRangeAxis()).setRange(Math.max(0, Math.floor((min - 0.005) * 50) / 50), 1.0);
        }
        return chart;
    }

    /**
     * The training loss of a short run, where a point per epoch says little: a point per averaging round, round
     * {@code k} of {@code n} in epoch {@code e} at {@code x = e - 1 + k/n} (x in epochs, as fractions), as series
     * 0, beside each epoch's mean at {@code x = e}, the epoch's end, as series 1. {@code NaN} values are left out.
     *
     * @param epochLoss   one value per epoch, epoch 1 first: the mean of its rounds' losses
     * @param roundLosses per epoch, epoch 1 first: the losses of its averaging rounds in order (empty when the
     *                    epoch recorded none)
     */
    static JFreeChart roundLossChart(double[] epochLoss, List<double[]> roundLosses) {
        XYSeries rounds = new XYSeries("loss per averaging round");
        for (int e = 0; e < roundLosses.size(); e++) {
            double[] losses = roundLosses.get(e);
            for (int k = 0; k < losses.length; k++) {
                if (!Double.isNaN(losses[k])) {
                    rounds.add(e + (k + 1.0) / losses.length, losses[k]);
                }
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(rounds);
        data.addSeries(perEpoch("mean of the epoch's rounds", epochLoss));
        JFreeChart chart = lineChart("Training loss", "loss", data);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        renderer.setSeriesShape(0, new Ellipse2D.Double(-2, -2, 4, 4));
        renderer.setSeriesLinesVisible(1, false);
        int epochs = Math.max(1, Math.max(epochLoss.length, roundLosses.size()));
        NumberAxis x = (NumberAxis) chart.getXYPlot().getDomainAxis();
        double unit = DoubleStream.of(0.1, 0.25, 0.5).filter(u -> epochs / u <= 10).findFirst()
                .orElse(Math.ceil(epochs / 10.0));
        x.setTickUnit(new NumberTickUnit(unit, epochFormat()));
        x.setRange(0, epochs * 1.03);
        return chart;
    }

    /** Colours of the series of {@link #panels}: the same series name has the same colour in every panel. */
    private static final Color[] PANEL_COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private static final java.awt.Shape[] PANEL_SHAPES =
            org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();

    /**
     * Panels side by side sharing the value axis, each with lines over epochs (1-based x), e.g. the test accuracy of
     * a scaling study with one panel per method and one line per worker count. A series name keeps its colour in
     * every panel; {@code NaN} values are left out.
     *
     * @param panels panel title to (series name to one value per epoch, epoch 1 first)
     */
    public static byte[] panels(String title, String yLabel, Map<String, Map<String, double[]>> panels) {
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        org.jfree.chart.plot.CombinedRangeXYPlot plot = new org.jfree.chart.plot.CombinedRangeXYPlot(y);
        java.util.List<String> names = new java.util.ArrayList<>();
        panels.values().forEach(series -> series.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add));
        int epochs = 1;
        for (Map.Entry<String, Map<String, double[]>> panel : panels.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
            int i = 0;
            for (Map.Entry<String, double[]> s : panel.getValue().entrySet()) {
                data.addSeries(perEpoch(s.getKey(), s.getValue()));
                int n = names.indexOf(s.getKey());
                renderer.setSeriesPaint(i, PANEL_COLOURS[n % PANEL_COLOURS.length]);
                renderer.setSeriesShape(i++, PANEL_SHAPES[n % PANEL_SHAPES.length]);
                epochs = Math.max(epochs, s.getValue().length);
            }
            NumberAxis x = new NumberAxis("epoch (" + panel.getKey() + ")");
            XYPlot sub = new XYPlot(data, x, null, renderer);
            sub.setBackgroundPaint(Color.WHITE);
            sub.setDomainGridlinePaint(Color.LIGHT_GRAY);
            sub.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.add(sub, 1);
        }
        for (Object sub : plot.getSubplots()) {
            NumberAxis x = (NumberAxis) ((XYPlot) sub).getDomainAxis();
            x.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(epochs / 10.0)), epochFormat()));
            x.setRange(0.5, epochs + 0.5);
        }
        org.jfree.chart.LegendItemCollection legend = new org.jfree.chart.LegendItemCollection();
        for (int n = 0; n < names.size(); n++) {
            org.jfree.chart.LegendItem item = new org.jfree.chart.LegendItem(names.get(n),
                    PANEL_COLOURS[n % PANEL_COLOURS.length]);
            item.setShape(PANEL_SHAPES[n % PANEL_SHAPES.length]);
            legend.add(item);
        }
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return png(chart, Math.max(WIDTH, 360 * Math.max(1, panels.size())), HEIGHT + 60);
    }

    /** Epochs on an axis: whole numbers, or up to two decimals for fractions of an epoch. */
    private static NumberFormat epochFormat() {
        return new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private static XYSeries perEpoch(String name, double[] values) {
        XYSeries xy = new XYSeries(name);
        for (int e = 0; e < values.length; e++) {
            if (!Double.isNaN(values[e])) {
                xy.add(e + 1, values[e]);
            }
        }
        return xy;
    }

    /** An XY line chart of {@code data} over epochs, a colour per series, points marked, the value axis readable. */
    private static JFreeChart lineChart(String title, String yLabel, XYSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, LINE_COLOURS[i % LINE_COLOURS.length]);
        }
        plot.setRenderer(renderer);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        y.setAutoRangeMinimumSize(minimumRange(data));
        style(chart);
        return chart;
    }

    /**
     * The narrowest automatic range of a value axis for {@code data}: a tenth of its largest magnitude (1 when
     * all values are 0). Without it, a single point or a flat line gets a range of about 1e-8 around its value,
     * whose ticks all read the same rounded number; a varying series wider than that keeps its own range.
     */
    private static double minimumRange(XYSeriesCollection data) {
        double largest = 0;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            for (int i = 0; i < data.getItemCount(s); i++) {
                largest = Math.max(largest, Math.abs(data.getYValue(s, i)));
            }
        }
        return largest == 0 ? 1 : largest / 10;
    }

    /**
     * The confusion matrix as a heat map: rows the actual class (top to bottom 0-9), columns the predicted
     * class, colour the fraction of the actual class (row-normalized, so a rare class is as visible as a common
     * one), every cell labelled with its count.
     */
    public static byte[] confusionHeatMap(long[][] confusion, String heldOutRole) {
        int k = confusion.length;
        double[] xs = new double[k * k];
        double[] ys = new double[k * k];
        double[] zs = new double[k * k];
        for (int a = 0; a < k; a++) {
            long rowTotal = 0;
            for (long c : confusion[a]) {
                rowTotal += c;
            }
            for (int p = 0; p < k; p++) {
                int i = a * k + p;
                xs[i] = p;
                ys[i] = a;
                zs[i] = rowTotal == 0 ? 0 : (double) confusion[a][p] / rowTotal;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("confusion", new double[][] {xs, ys, zs});
        NumberAxis x = new NumberAxis("predicted class");
        NumberAxis y = new NumberAxis("actual class");
        for (NumberAxis axis : List.of(x, y)) {
            axis.setTickUnit(new NumberTickUnit(1));
            axis.setRange(-0.5, k - 0.5);
            axis.setLowerMargin(0);
            axis.setUpperMargin(0);
        }
        y.setInverted(true);
        XYBlockRenderer renderer = new XYBlockRenderer();
        LookupPaintScale scale = new LookupPaintScale(0, 1.0001, Color.WHITE);
        for (int step = 0; step <= 20; step++) {
            double v = step / 20.0;
            float t = (float) Math.sqrt(v);
            scale.add(v, new Color(1f - 0.85f * t, 1f - 0.6f * t, 1f - 0.25f * t));
        }
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, k > 12 ? 9 : 12);
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                XYTextAnnotation label = new XYTextAnnotation(Long.toString(confusion[a][p]), p, a);
                label.setFont(cellFont);
                label.setTextAnchor(TextAnchor.CENTER);
                label.setPaint(zs[a * k + p] > 0.55 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(label);
            }
        }
        JFreeChart chart = new JFreeChart("Confusion matrix on the " + heldOutRole + " set (colour: fraction of the row)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("fraction of the actual class");
        legendAxis.setRange(0, 1);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setStripWidth(14);
        chart.addSubtitle(legend);
        style(chart);
        return png(chart, MATRIX_SIZE + 80, MATRIX_SIZE);
    }

    /** Grouped bars of precision, recall and F1 per class. */
    public static byte[] perClassBars(List<EvaluationReport.ClassMetrics> perClass) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (EvaluationReport.ClassMetrics c : perClass) {
            String label = Integer.toString(c.label());
            data.addValue(c.precision(), "precision", label);
            data.addValue(c.recall(), "recall", label);
            data.addValue(c.f1(), "F1", label);
        }
        JFreeChart chart = ChartFactory.createBarChart("Precision, recall and F1 per class", "class", "score", data,
                PlotOrientation.VERTICAL, true, false, false);
        NumberAxis y = (NumberAxis) chart.getCategoryPlot().getRangeAxis();
        double min = perClass.stream().mapToDouble(c -> Math.min(c.precision(), Math.min(c.recall(), c.f1())))
                .min().orElse(0);
        y.setRange(Math.max(0, Math.floor((min - 0.02) * 20) / 20), 1.0);
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.00", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        BarRenderer renderer = (BarRenderer) chart.getCategoryPlot().getRenderer();
        renderer.setItemMargin(0.05);
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        for (int i = 0; i < LINE_COLOURS.length; i++) {
            renderer.setSeriesPaint(i, LINE_COLOURS[i]);
        }
        style(chart);
        return png(chart, WIDTH, HEIGHT);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        if (chart.getPlot() instanceof XYPlot xy && !(xy.getRenderer() instanceof XYBlockRenderer)) {
            xy.setBackgroundPaint(Color.WHITE);
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
        } else if (chart.getPlot() instanceof org.jfree.chart.plot.CategoryPlot cat) {
            cat.setBackgroundPaint(Color.WHITE);
            cat.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    static byte[] png(JFreeChart chart, int width, int height) {
        Headless.ensure();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, width, height);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart '" + chart.getTitle().getText() + "': " + e.getMessage(), e);
        }
    }
}
