package io.sparkcnn.report;

import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The held-out images a network gets most confidently wrong, found by predicting every image on the driver
 * (no Spark: 10,000 MNIST images take seconds), and a grid that shows them.
 */
public final class Misclassified {
    private static final int BATCH = 500;
    private static final int GAP = 6;
    private static final int CAPTION = 34;

    private Misclassified() {
    }

    /**
     * One wrongly classified image.
     *
     * @param index       position in the held-out set, 0-based
     * @param actual      its true label
     * @param predicted   the label the network gave it (not {@code actual})
     * @param probability the network's probability of {@code predicted}, in [0, 1]
     */
    public record Miss(int index, int actual, int predicted, double probability) {
    }

    /**
     * Predictions on the whole held-out set.
     *
     * @param predicted   the arg-max label per image, in the set's order
     * @param probability the probability of that label per image
     * @param misses      the wrongly classified images, highest {@code probability} first
     */
    public record Predictions(int[] predicted, double[] probability, List<Miss> misses) {
        /** The {@code n} most confident misses (fewer when there are fewer). */
        public List<Miss> worst(int n) {
            return misses.subList(0, Math.min(n, misses.size()));
        }
    }

    /** Classifies every image of {@code images} with {@code net} in minibatches of {@value #BATCH}. */
    public static Predictions predict(MultiLayerNetwork net, LabeledImages images) {
        int n = images.count();
        int[] predicted = new int[n];
        double[] probability = new double[n];
        List<Miss> misses = new ArrayList<>();
        int offset = 0;
        for (ImageBatch batch : images.batches(BATCH, null)) {
            INDArray out = net.output(batch.toDataSet().getFeatures(), false);
            for (int i = 0; i < batch.size(); i++) {
                INDArray row = out.getRow(i);
                int best = row.argMax().getInt(0);
                int index = offset + i;
                predicted[index] = best;
                probability[index] = row.getDouble(best);
                int actual = batch.labels()[i];
                if (best != actual) {
                    misses.add(new Miss(index, actual, best, probability[index]));
                }
            }
            offset += batch.size();
        }
        misses.sort(Comparator.comparingDouble(Miss::probability).reversed().thenComparingInt(Miss::index));
        return new Predictions(predicted, probability, List.copyOf(misses));
    }

    /**
     * A grid of the misses, {@code columns} per row, each image drawn ink dark on white at {@code scale} pixels
     * per image pixel with a caption: {@code true 4 → 9} and the probability of the wrong label.
     */
    public static BufferedImage grid(LabeledImages images, List<Miss> misses, int columns, int scale) {
        Headless.ensure();
        int rows = Math.max(1, (misses.size() + columns - 1) / columns);
        int cellW = Math.max(images.cols() * scale, 116);
        int cellH = images.rows() * scale + CAPTION;
        BufferedImage grid = new BufferedImage(GAP + columns * (cellW + GAP), GAP + rows * (cellH + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pixels = images.pixelsPerImage();
        for (int m = 0; m < misses.size(); m++) {
            Miss miss = misses.get(m);
            int x0 = GAP + (m % columns) * (cellW + GAP);
            int y0 = GAP + (m / columns) * (cellH + GAP);
            int ix = x0 + (cellW - images.cols() * scale) / 2;
            for (int r = 0; r < images.rows() * scale; r++) {
                for (int c = 0; c < images.cols() * scale; c++) {
                    int ink = images.pixels()[miss.index() * pixels + (r / scale) * images.cols() + c / scale] & 0xff;
                    int grey = 255 - ink;
                    grid.setRGB(ix + c, y0 + r, (grey << 16) | (grey << 8) | grey);
                }
            }
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(ix - 1, y0 - 1, images.cols() * scale + 1, images.rows() * scale + 1);
            int ty = y0 + images.rows() * scale + 14;
            g.setColor(Color.BLACK);
            centered(g, String.format(Locale.ROOT, "true %d \u2192 %d", miss.actual(), miss.predicted()), x0, cellW, ty);
            g.setColor(new Color(0xb00020));
            centered(g, String.format(Locale.ROOT, "p=%.3f  #%d", miss.probability(), miss.index()), x0, cellW, ty + 14);
        }
        g.dispose();
        return grid;
    }

    private static void centered(Graphics2D g, String text, int x0, int width, int y) {
        g.drawString(text, x0 + (width - g.getFontMetrics().stringWidth(text)) / 2, y);
    }
}
