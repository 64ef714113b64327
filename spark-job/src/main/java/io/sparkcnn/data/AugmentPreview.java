package io.sparkcnn.data;

import java.awt.image.BufferedImage;

/**
 * A grid to look at augmentation with: one row per chosen image, the original in the first column and
 * augmented versions 1..n beside it, ink dark on white, every pixel drawn as a {@code scale x scale} block,
 * a thin grey rule after the original.
 */
public final class AugmentPreview {
    private static final int GAP = 2;

    private AugmentPreview() {
    }

    /** The first image of each label 0-9 present in {@code images}, in label order. */
    public static int[] onePerLabel(LabeledImages images) {
        int[] first = new int[LabeledImages.NUM_CLASSES];
        java.util.Arrays.fill(first, -1);
        for (int i = 0; i < images.count(); i++) {
            if (first[images.labels()[i]] < 0) {
                first[images.labels()[i]] = i;
            }
        }
        return java.util.Arrays.stream(first).filter(i -> i >= 0).toArray();
    }

    public static BufferedImage render(LabeledImages images, Augmenter augmenter, int[] chosen, int versions, int scale) {
        int rows = images.rows();
        int cols = images.cols();
        int cellW = cols * scale + GAP;
        int cellH = rows * scale + GAP;
        BufferedImage grid = new BufferedImage(GAP + (versions + 1) * cellW + GAP, GAP + chosen.length * cellH,
                BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = grid.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        g.setColor(java.awt.Color.GRAY);
        g.fillRect(GAP + cellW - GAP, 0, GAP, grid.getHeight());
        g.dispose();
        ImageBatch all = ImageBatch.of(images);
        for (int row = 0; row < chosen.length; row++) {
            for (int v = 0; v <= versions; v++) {
                float[] img = augmenter.version(all, chosen[row], v);
                int x0 = GAP + v * cellW + (v > 0 ? GAP : 0);
                int y0 = GAP + row * cellH;
                for (int r = 0; r < rows * scale; r++) {
                    for (int c = 0; c < cols * scale; c++) {
                        int grey = 255 - Math.round(img[(r / scale) * cols + c / scale] * 255f);
                        grid.getRaster().setSample(x0 + c, y0 + r, 0, grey);
                    }
                }
            }
        }
        return grid;
    }
}
